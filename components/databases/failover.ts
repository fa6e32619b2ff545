// Scheduling settings that decide how fast a database pod leaves a failed node.

/** Taints the node lifecycle controller puts on a node that stops reporting or reports NotReady. */
export const NODE_FAILURE_TAINTS = [
  "node.kubernetes.io/not-ready",
  "node.kubernetes.io/unreachable",
] as const;

export interface FailoverToleration {
  key: (typeof NODE_FAILURE_TAINTS)[number];
  operator: "Exists";
  effect: "NoExecute";
  tolerationSeconds: number;
}

/**
 * Explicit NoExecute tolerations replace the 300 s ones the DefaultTolerationSeconds admission plugin
 * would add, so the pod is evicted `seconds` after the node is marked failed.
 */
export function failoverTolerations(seconds: number): FailoverToleration[] {
  return NODE_FAILURE_TAINTS.map((key) => ({
    key,
    operator: "Exists",
    effect: "NoExecute",
    tolerationSeconds: seconds,
  }));
}
