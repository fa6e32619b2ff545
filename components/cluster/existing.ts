import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { NodeOsFamily } from "../config/types";
import type { ClusterHandle } from "./handle";

export interface ExistingClusterArgs {
  /** Kubeconfig contents; undefined = the ambient kubeconfig (KUBECONFIG or ~/.kube/config). */
  kubeconfig: string | undefined;
  /** Context inside the kubeconfig; undefined = its current context. */
  context: string | undefined;
  /** Declared by the user: hadb cannot list nodes of a cluster during preview. */
  zones: string[];
  nodeOs: NodeOsFamily;
  nodeCount: number;
  /** Raw disks every node has (for Rook-Ceph); empty = none declared. */
  blockDevices: string[];
}

/** A cluster hadb did not create: only a Kubernetes provider pointed at it. */
export class ExistingCluster extends pulumi.ComponentResource {
  readonly handle: ClusterHandle;

  constructor(name: string, args: ExistingClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hadb:cluster:Existing", name, {}, opts);
    const provider = new k8s.Provider(
      `${name}-k8s`,
      {
        ...(args.kubeconfig !== undefined ? { kubeconfig: pulumi.secret(args.kubeconfig) } : {}),
        ...(args.context !== undefined ? { context: args.context } : {}),
      },
      { parent: this },
    );
    this.handle = {
      platform: "existing",
      provider,
      // Exported when given: a DR standby pairs with this cluster through it.
      kubeconfig: args.kubeconfig !== undefined ? pulumi.secret(args.kubeconfig) : undefined,
      zones: args.zones,
      nodeOs: args.nodeOs,
      nodeCount: args.nodeCount,
      nodePreparation: { by: "daemonset" },
      volumeSnapshots: false,
      blockDevices:
        args.blockDevices.length > 0
          ? { kind: "devices", paths: args.blockDevices }
          : { kind: "none", reason: "no raw disks declared in hadb:blockDevices" },
      summary: { platform: "existing", zones: args.zones, nodeCount: args.nodeCount },
    };
    this.registerOutputs({ zones: args.zones, nodeCount: args.nodeCount });
  }
}
