import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterHandle } from "../cluster/handle";
import {
  nodePrepConfigMap,
  nodePrepDaemonSet,
  nodePrepNamespace,
  nodePrepScript,
  nodePrepServiceAccount,
  type NodePrepNames,
} from "./manifests";

export interface NodePrepArgs {
  cluster: ClusterHandle;
  /** False when the nodes are known to be prepared already (e.g. baked into the image). */
  enabled: boolean;
}

/** What the storage layer waits for before installing anything that mounts block devices. */
export interface NodePrepHandle {
  ready: pulumi.Resource[];
}

/** Installs open-iscsi + NFS client on every node through a DaemonSet; storage depends on its rollout. */
export class NodePrep extends pulumi.ComponentResource {
  readonly handle: NodePrepHandle;

  constructor(name: string, args: NodePrepArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hadb:nodeprep:NodePrep", name, {}, opts);
    const preparation = args.cluster.nodePreparation;
    if (preparation.by === "cluster") {
      // The cluster layer prepared the nodes (user data) or they need nothing: wait for the nodes.
      void pulumi.log.info(`node prep: ${preparation.how}`, this);
      this.handle = { ready: preparation.ready };
      this.registerOutputs({});
      return;
    }
    if (!args.enabled) {
      void pulumi.log.info(
        "hadb:prepareNodes is false: nodes must already run iscsid with iscsi_tcp loaded",
        this,
      );
      this.handle = { ready: [] };
      this.registerOutputs({});
      return;
    }
    const names: NodePrepNames = { namespace: name, name };
    const childOpts = { parent: this, provider: args.cluster.provider };
    const namespace = new k8s.core.v1.Namespace(`${name}-ns`, nodePrepNamespace(names), childOpts);
    const inNamespace = { ...childOpts, dependsOn: [namespace] };
    const script = new k8s.core.v1.ConfigMap(
      `${name}-script`,
      nodePrepConfigMap(names, nodePrepScript()),
      inNamespace,
    );
    const account = new k8s.core.v1.ServiceAccount(`${name}-sa`, nodePrepServiceAccount(names), inNamespace);
    // The provider waits for the DaemonSet rollout (every pod Ready = every node prepared).
    const daemonSet = new k8s.apps.v1.DaemonSet(name, nodePrepDaemonSet(names), {
      ...childOpts,
      dependsOn: [script, account],
    });
    this.handle = { ready: [daemonSet] };
    this.registerOutputs({ daemonSet: daemonSet.metadata.name });
  }
}
