// The fence agent's part of a lost node's timeline (docs/fencing.md): how long it waits, how long the
// target takes to refuse the node, and how long until the database's pod is gone from it. Shared by the
// failover budget and the agent's configuration, so the budget describes the agent that is deployed.
import type { FencingSettings } from "../config/fencing";

/** The agent reads the nodes and the target once a second: it notices a lost node at most 1 s late. */
export const AGENT_POLL_SECONDS = 1;
/** medik8s Node Healthcheck's minHealthy example: fence only while most nodes are Ready. */
export const MIN_HEALTHY_PERCENT = 51;

export interface AgentFencingTimings {
  /** hadb:fencing.detectionSeconds: how long a node stays NotReady before the agent fences it. */
  detectionSeconds: number;
  pollSeconds: number;
  /**
   * iscsi-fence.sh: ACL entry unbound, connections closed, until tgt holds no session of the node (its
   * in-flight I/O has completed). 0.4 s measured on a real tgtd under load (tests/iscsi-fence.test.ts);
   * budgeted at 2 s for the drain of a busy session.
   */
  fenceSeconds: number;
  /** The out-of-service taint, then the node's database pods deleted: two API calls. */
  releaseSeconds: number;
}

export const TARGET_FENCE_SECONDS = 2;
export const AGENT_RELEASE_SECONDS = 1;

/** The agent's timings when it fences this stack's lost nodes; undefined when it does not. */
export function agentFencingTimings(fencing: FencingSettings): AgentFencingTimings | undefined {
  if (fencing.by !== "target-agent") return undefined;
  return {
    detectionSeconds: fencing.detectionSeconds,
    pollSeconds: AGENT_POLL_SECONDS,
    fenceSeconds: TARGET_FENCE_SECONDS,
    releaseSeconds: AGENT_RELEASE_SECONDS,
  };
}
