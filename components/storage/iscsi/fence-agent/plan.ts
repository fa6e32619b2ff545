// hadb fence agent: its decisions, pure. From what the API server says about the nodes, what the target
// says is fenced, and what the agent remembers (since when each node is not Ready), the actions of one
// pass. Safety rules (docs/fencing.md):
// - a node is tainted out-of-service only once the target refuses it (fence, then taint: never the
//   other way round), so Kubernetes never moves a volume away from a node that can still write;
// - a fenced node is let back in only after it rebooted (its boot ID changed: no stale mount, page
//   cache or iSCSI session survived), as Rook asks for its RBD fencing;
// - nothing is fenced while fewer than minHealthyPercent of the nodes would remain Ready (medik8s Node
//   Healthcheck's minHealthy): a control-plane or network outage that silences every node is not a
//   reason to cut the storage of all of them.
// Shipped as JavaScript to the target (fence-agent/files.ts): node built-ins only, no other imports.

export const OUT_OF_SERVICE_TAINT = {
  key: "node.kubernetes.io/out-of-service",
  /** Marks the taint as the agent's: a taint someone else put there is never removed by the agent. */
  value: "hadb-fence",
  effect: "NoExecute",
} as const;

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface NodeView {
  name: string;
  /** Status of the Ready condition ("Unknown" when the controller lost the node, or none reported). */
  ready: "True" | "False" | "Unknown";
  /** status.nodeInfo.bootID: the boot the node last reported. */
  bootId: string;
  /** status.addresses InternalIP: the address the node's iSCSI initiator logs in from. */
  address: string | undefined;
  taints: Taint[];
}

/** A fence the target holds (iscsi-fence.sh list). */
export interface FenceRecord {
  address: string;
  node: string;
  bootId: string;
  fencedAt: string;
}

export interface PlanSettings {
  detectionSeconds: number;
  /** Fencing is allowed while at least this share of the nodes is Ready (besides the one fenced). */
  minHealthyPercent: number;
  /** The target's initiator addresses, one per node: only these can be fenced. */
  initiators: readonly string[];
}

/** What the agent remembers between passes: monotonic milliseconds since a node was first seen not Ready. */
export type NotReadySince = Readonly<Record<string, number>>;

export type Action =
  /** Refuse the node at the target, then taint it out-of-service and release its database pods. */
  | { kind: "fence"; node: string; address: string; bootId: string; notReadySeconds: number }
  /** A fenced node without the agent's taint (a pass interrupted after the fence, or a removed taint). */
  | { kind: "taint"; node: string; fence: FenceRecord }
  /** A fenced, tainted node: delete its database pods that are still bound to it (idempotent). */
  | { kind: "release"; node: string }
  /** The node rebooted: let it in at the target, then remove the agent's taint. */
  | { kind: "unfence"; node: string; address: string }
  /** The agent's taint on a node the target does not refuse (an unfence interrupted before the untaint). */
  | { kind: "untaint"; node: string }
  /** Why a node that would be fenced is not (logged when the reason changes). */
  | { kind: "hold"; node: string; reason: string };

export interface Pass {
  actions: Action[];
  notReadySince: NotReadySince;
}

const hasAgentTaint = (node: NodeView): boolean =>
  node.taints.some(
    (t) =>
      t.key === OUT_OF_SERVICE_TAINT.key &&
      t.value === OUT_OF_SERVICE_TAINT.value &&
      t.effect === OUT_OF_SERVICE_TAINT.effect,
  );

export function plan(
  nodes: readonly NodeView[],
  fences: readonly FenceRecord[],
  memory: NotReadySince,
  nowMs: number,
  settings: PlanSettings,
): Pass {
  const actions: Action[] = [];
  const notReadySince: Record<string, number> = {};
  const fenceOf = (node: NodeView) =>
    node.address === undefined ? undefined : fences.find((f) => f.address === node.address);
  const candidates: { node: NodeView; address: string; seconds: number }[] = [];

  for (const node of nodes) {
    const fence = fenceOf(node);
    if (fence) {
      // Rebooted and back: the only way out of a fence.
      if (node.ready === "True" && node.bootId !== "" && node.bootId !== fence.bootId) {
        actions.push({ kind: "unfence", node: node.name, address: fence.address });
      } else if (!hasAgentTaint(node)) {
        actions.push({ kind: "taint", node: node.name, fence });
      } else if (node.ready !== "True") {
        actions.push({ kind: "release", node: node.name });
      } else {
        actions.push({
          kind: "hold",
          node: node.name,
          reason: `Ready again without a reboot (boot ${fence.bootId}): stays fenced until it reboots`,
        });
      }
      continue;
    }
    if (hasAgentTaint(node)) {
      actions.push({ kind: "untaint", node: node.name });
      continue;
    }
    if (node.ready === "True") continue;
    const since = memory[node.name] ?? nowMs;
    notReadySince[node.name] = since;
    const seconds = (nowMs - since) / 1000;
    if (seconds < settings.detectionSeconds) continue;
    if (node.address === undefined || !settings.initiators.includes(node.address)) {
      actions.push({
        kind: "hold",
        node: node.name,
        reason: `its address ${node.address ?? "(none)"} is not one of the target's initiators (${settings.initiators.join(" ")}): it cannot be fenced at the target`,
      });
      continue;
    }
    candidates.push({ node, address: node.address, seconds });
  }

  // One fence per pass, the longest-lost node first; the others wait for the next pass.
  candidates.sort((a, b) => b.seconds - a.seconds);
  const fencedNames = new Set(fences.map((f) => f.node));
  const healthy = nodes.filter((n) => n.ready === "True" && !fencedNames.has(n.name)).length;
  const [first, ...rest] = candidates;
  if (first) {
    const share = nodes.length === 0 ? 0 : (100 * healthy) / nodes.length;
    if (share >= settings.minHealthyPercent) {
      actions.push({
        kind: "fence",
        node: first.node.name,
        address: first.address,
        bootId: first.node.bootId,
        notReadySeconds: Math.round(first.seconds * 10) / 10,
      });
    } else {
      for (const candidate of [first, ...rest])
        actions.push({
          kind: "hold",
          node: candidate.node.name,
          reason: `only ${healthy} of ${nodes.length} nodes are Ready (${Math.round(share)}% < ${settings.minHealthyPercent}%): no fencing while most of the cluster looks lost`,
        });
    }
  }
  return { actions, notReadySince };
}
