// Scheduling settings that decide how fast a database pod leaves a failed node.
import type * as k8s from "@pulumi/kubernetes";

/** Taints the node lifecycle controller puts on a node that stops reporting or reports NotReady. */
export const NODE_FAILURE_TAINTS = [
  "node.kubernetes.io/not-ready",
  "node.kubernetes.io/unreachable",
] as const;

/**
 * Explicit NoExecute tolerations replace the 300 s ones the DefaultTolerationSeconds admission plugin
 * would add, so the pod is evicted `seconds` after the node is marked failed.
 */
export function failoverTolerations(seconds: number): k8s.types.input.core.v1.Toleration[] {
  return NODE_FAILURE_TAINTS.map((key) => ({
    key,
    operator: "Exists",
    effect: "NoExecute",
    tolerationSeconds: seconds,
  }));
}
