import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { FenceAgentTarget } from "../../handle";
import { installEnvironment, installScript } from "./files";
import { FENCE_AGENT_TOKEN_SECRET, fenceAgentObjects } from "./manifests";
import { ISCSI_NAMESPACE } from "../manifests";

export interface FenceAgentArgs {
  target: FenceAgentTarget;
  detectionSeconds: number;
  /** The databases' namespace: the agent deletes a fenced node's pods there. */
  databaseNamespace: string;
}

/**
 * hadb's fence agent beside the lab's iSCSI target (docs/fencing.md): its RBAC in the cluster, and the
 * agent installed and started on the target's host. Created after the databases (its Role lives in
 * their namespace).
 */
export class IscsiFenceAgent extends pulumi.ComponentResource {
  constructor(
    name: string,
    args: FenceAgentArgs,
    opts: pulumi.ComponentResourceOptions & { provider: k8s.Provider },
  ) {
    super("hadb:storage:IscsiFenceAgent", name, {}, opts);
    const childOpts = { parent: this, provider: opts.provider };
    const objects = fenceAgentObjects({
      nodeNames: args.target.host.initiators.map((i) => i.node),
      databaseNamespace: args.databaseNamespace,
    });
    const serviceAccount = new k8s.core.v1.ServiceAccount(`${name}-sa`, objects.serviceAccount, {
      ...childOpts,
      dependsOn: args.target.ready,
    });
    const token = new k8s.core.v1.Secret(`${name}-token`, objects.token, {
      ...childOpts,
      dependsOn: [serviceAccount],
    });
    const clusterRole = new k8s.rbac.v1.ClusterRole(`${name}-nodes`, objects.clusterRole, childOpts);
    const clusterBinding = new k8s.rbac.v1.ClusterRoleBinding(`${name}-nodes`, objects.clusterRoleBinding, {
      ...childOpts,
      dependsOn: [clusterRole, serviceAccount],
    });
    const role = new k8s.rbac.v1.Role(`${name}-pods`, objects.role, childOpts);
    const binding = new k8s.rbac.v1.RoleBinding(`${name}-pods`, objects.roleBinding, {
      ...childOpts,
      dependsOn: [role, serviceAccount],
    });
    const settings = {
      apiServer: args.target.host.apiServer,
      initiators: args.target.host.initiators.map((i) => i.address),
      detectionSeconds: args.detectionSeconds,
      podNamespaces: [args.databaseNamespace],
    };
    args.target.host.installFenceAgent(
      `${name}-install`,
      {
        installScript: installScript(),
        environment: installEnvironment(settings, args.target.iqn),
        tokenSecret: { namespace: ISCSI_NAMESPACE, name: FENCE_AGENT_TOKEN_SECRET },
      },
      { parent: this, dependsOn: [token, clusterBinding, binding, ...args.target.ready] },
    );
    this.registerOutputs({ initiators: settings.initiators, detectionSeconds: args.detectionSeconds });
  }
}
