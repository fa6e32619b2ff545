// Pure builders for the node-prep DaemonSet: one pod per node whose init container enters the host's
// mount + network namespaces and runs prepare-node.sh with the host's package manager; the pod turns
// Ready only after that script's checks pass.

import type * as k8s from "@pulumi/kubernetes";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { recommendedLabels, selectorLabels } from "../shared/labels";

/** Debian 12 point release: ships bash and util-linux's nsenter; pinned so every node runs the same tools. */
export const NODE_PREP_IMAGE = "debian:12.12-slim";
/** Placeholder main container after the init container has done the work (pause 3.10.1 = Kubernetes 1.34's). */
export const PAUSE_IMAGE = "registry.k8s.io/pause:3.10.1";
export const NODE_PREP_SCRIPT_KEY = "prepare-node.sh";
const SCRIPT_MOUNT = "/hadb";

export function nodePrepScript(): string {
  return readFileSync(join(__dirname, "prepare-node.sh"), "utf8");
}

export interface NodePrepNames {
  namespace: string;
  name: string;
}

const labelsFor = (names: NodePrepNames) =>
  recommendedLabels({ name: "hadb-node-prep", instance: names.name, component: "node-prep" });

export function nodePrepNamespace(names: NodePrepNames): k8s.types.input.core.v1.Namespace {
  return {
    metadata: {
      name: names.namespace,
      labels: {
        ...labelsFor(names),
        // The only hadb namespace that may run pods with host access (see the policy on privileged pods).
        "pod-security.kubernetes.io/enforce": "privileged",
      },
    },
  };
}

export function nodePrepConfigMap(names: NodePrepNames, script: string): k8s.types.input.core.v1.ConfigMap {
  return {
    metadata: { name: names.name, namespace: names.namespace, labels: labelsFor(names) },
    data: { [NODE_PREP_SCRIPT_KEY]: script },
  };
}

/** A service account with no RBAC bindings and no mounted token: the pods never talk to the API. */
export function nodePrepServiceAccount(names: NodePrepNames): k8s.types.input.core.v1.ServiceAccount {
  return {
    metadata: { name: names.name, namespace: names.namespace, labels: labelsFor(names) },
    automountServiceAccountToken: false,
  };
}

export function nodePrepDaemonSet(names: NodePrepNames): k8s.types.input.apps.v1.DaemonSet {
  const selector = selectorLabels({ name: "hadb-node-prep", instance: names.name });
  // The script travels as an argument, not on stdin, so package managers cannot swallow it.
  const enterHost = [
    'script="$(cat ' + `${SCRIPT_MOUNT}/${NODE_PREP_SCRIPT_KEY}` + ')"',
    'exec nsenter --target 1 --mount --net -- bash -c "$script" hadb-node-prep',
  ].join("\n");
  return {
    metadata: { name: names.name, namespace: names.namespace, labels: labelsFor(names) },
    spec: {
      selector: { matchLabels: selector },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
      template: {
        metadata: { labels: labelsFor(names) },
        spec: {
          serviceAccountName: names.name,
          automountServiceAccountToken: false,
          // Needed to reach PID 1's namespaces; no hostNetwork, no hostPath, no host IPC.
          hostPID: true,
          // Storage must work on every node a database may land on, tainted or not.
          tolerations: [{ operator: "Exists" }],
          terminationGracePeriodSeconds: 5,
          initContainers: [
            {
              name: "prepare-node",
              image: NODE_PREP_IMAGE,
              command: ["/bin/sh", "-c", enterHost],
              securityContext: {
                // Narrower than `privileged: true`: exactly the capabilities nsenter + modprobe need.
                // SYS_ADMIN + SYS_CHROOT: setns into the host mount/network namespaces; SYS_PTRACE: open
                // /proc/1/ns/*; SYS_MODULE: load iscsi_tcp. Package installs run as host root within this set.
                privileged: false,
                runAsUser: 0,
                capabilities: {
                  drop: ["ALL"],
                  add: [
                    "SYS_ADMIN",
                    "SYS_CHROOT",
                    "SYS_PTRACE",
                    "SYS_MODULE",
                    "CHOWN",
                    "DAC_OVERRIDE",
                    "FOWNER",
                    "FSETID",
                    "SETUID",
                    "SETGID",
                    "SETFCAP",
                    "KILL",
                  ],
                },
                // Container AppArmor profiles deny cross-namespace ptrace reads and SELinux's container_t
                // cannot write host packages: the super-privileged SELinux type is what RHEL nodes need.
                appArmorProfile: { type: "Unconfined" },
                seLinuxOptions: { type: "spc_t" },
                seccompProfile: { type: "RuntimeDefault" },
              },
              volumeMounts: [{ name: "script", mountPath: SCRIPT_MOUNT, readOnly: true }],
              resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "512Mi" } },
            },
          ],
          containers: [
            {
              name: "ready",
              image: PAUSE_IMAGE,
              securityContext: {
                runAsNonRoot: true,
                runAsUser: 65535,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
                seccompProfile: { type: "RuntimeDefault" },
              },
              resources: { requests: { cpu: "1m", memory: "8Mi" }, limits: { memory: "16Mi" } },
            },
          ],
          volumes: [{ name: "script", configMap: { name: names.name, defaultMode: 0o555 } }],
        },
      },
    },
  };
}
