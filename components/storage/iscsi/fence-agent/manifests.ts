// The fence agent's identity in the cluster, least privilege: read the nodes, taint only the lab's
// nodes (by name), and list/delete pods only in the databases' namespace. Its token is a long-lived
// ServiceAccount token Secret that the lab's fence-agent-up.sh reads on the control plane and hands to
// the target VM: it never passes through Pulumi's state.
import type * as k8s from "@pulumi/kubernetes";
import { recommendedLabels } from "../../../shared/labels";
import { ISCSI_NAMESPACE } from "../manifests";

export const FENCE_AGENT = "hadb-fence-agent";
export const FENCE_AGENT_TOKEN_SECRET = `${FENCE_AGENT}-token`;

const labels = (component: string) => recommendedLabels({ name: FENCE_AGENT, instance: "iscsi", component });

export interface FenceAgentObjects {
  serviceAccount: k8s.types.input.core.v1.ServiceAccount;
  token: k8s.types.input.core.v1.Secret;
  clusterRole: k8s.types.input.rbac.v1.ClusterRole;
  clusterRoleBinding: k8s.types.input.rbac.v1.ClusterRoleBinding;
  role: k8s.types.input.rbac.v1.Role;
  roleBinding: k8s.types.input.rbac.v1.RoleBinding;
}

export function fenceAgentObjects(args: {
  nodeNames: string[];
  databaseNamespace: string;
}): FenceAgentObjects {
  const subject = { kind: "ServiceAccount", name: FENCE_AGENT, namespace: ISCSI_NAMESPACE };
  return {
    serviceAccount: {
      metadata: { name: FENCE_AGENT, namespace: ISCSI_NAMESPACE, labels: labels("identity") },
      // Only the token Secret below is used, by a process outside the cluster.
      automountServiceAccountToken: false,
    },
    token: {
      metadata: {
        name: FENCE_AGENT_TOKEN_SECRET,
        namespace: ISCSI_NAMESPACE,
        labels: labels("credentials"),
        annotations: { "kubernetes.io/service-account.name": FENCE_AGENT },
      },
      type: "kubernetes.io/service-account-token",
    },
    clusterRole: {
      metadata: { name: FENCE_AGENT, labels: labels("rbac") },
      rules: [
        { apiGroups: [""], resources: ["nodes"], verbs: ["get", "list"] },
        // The out-of-service taint and the fence annotation, on the lab's own nodes only.
        { apiGroups: [""], resources: ["nodes"], verbs: ["patch"], resourceNames: args.nodeNames },
      ],
    },
    clusterRoleBinding: {
      metadata: { name: FENCE_AGENT, labels: labels("rbac") },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: FENCE_AGENT },
      subjects: [subject],
    },
    role: {
      metadata: { name: FENCE_AGENT, namespace: args.databaseNamespace, labels: labels("rbac") },
      // What the pod garbage collector would do 20 s later: delete a fenced node's database pods.
      rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["list", "delete"] }],
    },
    roleBinding: {
      metadata: { name: FENCE_AGENT, namespace: args.databaseNamespace, labels: labels("rbac") },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: FENCE_AGENT },
      subjects: [subject],
    },
  };
}
