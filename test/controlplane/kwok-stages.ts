// kwok Stage configuration: what the simulated kubelets do. kwok ships no built-in behaviour when run
// as a bare controller, so these stages are the whole kubelet model of the e2e tier:
// - nodes become Ready at once and refresh their status now and then (liveness comes from the node
//   Lease, which kwok renews every leaseDuration/4, as the kubelet does); a node reports the boot ID of
//   its hadb.test/boot-id annotation (default kwok-boot-1), so a test can "reboot" one;
// - a pod bound to a node starts at once and is Ready at once: no container runs here, so there is no
//   database start time; readiness/startup probes therefore pass on their first try;
// - a pod being deleted (delete, eviction, drain) is removed at once (no shutdown time to simulate);
// - the "process stopped" fault (annotation below) is healed the way the kubelet would heal it: after
//   the pod's own liveness probe has failed periodSeconds × failureThreshold seconds, the container is
//   restarted (restartCount + 1) and the pod is Ready again. A pod without a liveness probe never heals.
import { stringify } from "yaml";

/** Annotation experiments set on a pod to simulate its database process stopping inside the container. */
export const FAULT_ANNOTATION = "hadb.test/fault";
export const FAULT_PROCESS_STOPPED = "process-stopped";

const NODE_READY_TEMPLATE = `
{{ $now := Now }}
conditions:
{{ range NodeConditions }}
- type: {{ .type | Quote }}
  status: {{ .status | Quote }}
  reason: {{ .reason | Quote }}
  message: {{ .message | Quote }}
  lastHeartbeatTime: {{ $now | Quote }}
  lastTransitionTime: {{ $now | Quote }}
{{ end }}
addresses:
- type: InternalIP
  address: {{ NodeIP | Quote }}
- type: Hostname
  address: {{ .metadata.name | Quote }}
allocatable: { cpu: "32", memory: 256Gi, pods: "110" }
capacity: { cpu: "32", memory: 256Gi, pods: "110" }
nodeInfo:
  architecture: amd64
  operatingSystem: linux
  kubeletVersion: {{ printf "kwok-%s" Version | Quote }}
  kubeProxyVersion: {{ printf "kwok-%s" Version | Quote }}
  containerRuntimeVersion: {{ printf "kwok-%s" Version | Quote }}
  kernelVersion: simulated
  osImage: simulated
  bootID: {{ or (index .metadata.annotations "hadb.test/boot-id") "kwok-boot-1" | Quote }}
  machineID: ""
  systemUUID: ""
phase: Running
`;

const NODE_HEARTBEAT_TEMPLATE = `
{{ $now := Now }}
conditions:
{{ range .status.conditions }}
- type: {{ .type | Quote }}
  status: {{ .status | Quote }}
  reason: {{ .reason | Quote }}
  message: {{ .message | Quote }}
  lastHeartbeatTime: {{ $now | Quote }}
  lastTransitionTime: {{ .lastTransitionTime | Quote }}
{{ end }}
`;

const POD_RUNNING_TEMPLATE = `
{{ $now := Now }}
phase: Running
startTime: {{ $now | Quote }}
conditions:
- { type: PodReadyToStartContainers, status: "True", lastTransitionTime: {{ $now | Quote }} }
- { type: Initialized, status: "True", lastTransitionTime: {{ $now | Quote }} }
- { type: ContainersReady, status: "True", lastTransitionTime: {{ $now | Quote }} }
- { type: Ready, status: "True", lastTransitionTime: {{ $now | Quote }} }
containerStatuses:
{{ range .spec.containers }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  imageID: ""
  ready: true
  started: true
  restartCount: 0
  state: { running: { startedAt: {{ $now | Quote }} } }
{{ end }}
initContainerStatuses:
{{ range .spec.initContainers }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  imageID: ""
  ready: true
  restartCount: 0
  state: { terminated: { exitCode: 0, reason: Completed, startedAt: {{ $now | Quote }}, finishedAt: {{ $now | Quote }} } }
{{ end }}
{{ with NodeIPsWith .spec.nodeName }}
hostIP: {{ index . 0 | Quote }}
hostIPs:
{{ range . }}
- ip: {{ . | Quote }}
{{ end }}
{{ end }}
{{ with PodIPsWith .spec.nodeName ( or .spec.hostNetwork false ) .metadata.uid .metadata.name .metadata.namespace }}
podIP: {{ index . 0 | Quote }}
podIPs:
{{ range . }}
- ip: {{ . | Quote }}
{{ end }}
{{ end }}
`;

// The first container is the database in every manifest this tier measures.
const POD_RESTARTED_TEMPLATE = `
{{ $now := Now }}
{{ $old := index .status.containerStatuses 0 }}
conditions:
- { type: ContainersReady, status: "True", lastTransitionTime: {{ $now | Quote }} }
- { type: Ready, status: "True", lastTransitionTime: {{ $now | Quote }} }
containerStatuses:
- name: {{ $old.name | Quote }}
  image: {{ $old.image | Quote }}
  imageID: ""
  ready: true
  started: true
  restartCount: {{ add $old.restartCount 1 }}
  lastState: { terminated: { exitCode: 137, reason: Error, startedAt: {{ $old.state.running.startedAt | Quote }}, finishedAt: {{ $now | Quote }} } }
  state: { running: { startedAt: {{ $now | Quote }} } }
`;

function stage(name: string, kind: "Node" | "Pod", spec: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: "kwok.x-k8s.io/v1alpha1",
    kind: "Stage",
    metadata: { name },
    spec: { resourceRef: { apiGroup: "v1", kind }, ...spec },
  };
}

const jq = (key: string, operator: string, values?: string[]) => ({
  jq: values ? { key, operator, values } : { key, operator },
});

const statusPatch = (template: string) => ({ patch: { subresource: "status", root: "status", template } });

/** The kwok --config file contents (multi-document YAML). */
export function kwokStagesYaml(nodeStatusRefreshSeconds: number): string {
  const notDeleting = jq(".metadata.deletionTimestamp", "DoesNotExist");
  const stages = [
    stage("hadb-node-ready", "Node", {
      selector: {
        matchExpressions: [
          jq('.status.conditions.[] | select(.type == "Ready") | .status', "NotIn", ["True"]),
        ],
      },
      steps: [statusPatch(NODE_READY_TEMPLATE)],
    }),
    stage("hadb-node-status-refresh", "Node", {
      selector: {
        matchExpressions: [jq('.status.conditions.[] | select(.type == "Ready") | .status', "In", ["True"])],
      },
      delay: { durationMilliseconds: nodeStatusRefreshSeconds * 1000 },
      steps: [statusPatch(NODE_HEARTBEAT_TEMPLATE)],
    }),
    stage("hadb-pod-running", "Pod", {
      selector: {
        matchExpressions: [notDeleting, jq(".status.podIP", "DoesNotExist")],
      },
      steps: [statusPatch(POD_RUNNING_TEMPLATE)],
    }),
    stage("hadb-pod-delete", "Pod", {
      selector: { matchExpressions: [jq(".metadata.deletionTimestamp", "Exists")] },
      steps: [{ finalizers: { empty: true } }, { delete: true }],
    }),
    stage("hadb-pod-liveness-restart", "Pod", {
      selector: {
        matchAnnotations: { [FAULT_ANNOTATION]: FAULT_PROCESS_STOPPED },
        matchExpressions: [
          notDeleting,
          jq(".status.phase", "In", ["Running"]),
          jq(".spec.containers.[0].livenessProbe", "Exists"),
        ],
      },
      // The API server defaults periodSeconds (10) and failureThreshold (3), so both are always set.
      delay: {
        durationFrom: {
          jq: {
            expression: '.spec.containers[0].livenessProbe | "\\(.periodSeconds * .failureThreshold)s"',
          },
        },
      },
      steps: [
        statusPatch(POD_RESTARTED_TEMPLATE),
        {
          patch: {
            root: "metadata",
            type: "merge",
            template: `annotations: { ${JSON.stringify(FAULT_ANNOTATION)}: null }`,
          },
        },
      ],
    }),
  ];
  return stages.map((s) => stringify(s)).join("---\n");
}
