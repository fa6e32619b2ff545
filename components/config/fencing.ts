// Validation of `hadb:fencing`: what makes sure a lost node can no longer write before Kubernetes hands
// its database volume to another node, per platform × backend (docs/fencing.md). What each backend can
// be fenced by is its storage catalog entry (`fencing`):
//
// - Longhorn and Portworx fence by themselves (`fencing.itself`): nothing to add, and nothing to turn off.
// - iSCSI on the lab's own target (`fencing.agentOnLabTarget`): hadb's fence agent beside the target
//   refuses the node at the target (ACL entry unbound, sessions closed, in-flight I/O drained), then
//   taints it out-of-service.
// - Rook-Ceph (RBD) and an external iSCSI target: nothing hadb ships can fence them
//   (`fencing.unavailable` says why), so automatic fencing is refused; `mode: off` is the explicit opt-out
//   (a lost node keeps its volumes until it returns or someone acts: the runbook), which the policy pack
//   checks for.
import { isRecord, oneOf, Problems } from "./problems";
import { LAB_TARGET_AGENT_BACKENDS, STORAGE_CATALOG } from "../storage/catalog";
import type { IscsiSettings, StorageBackend } from "./types";

export const FENCING_MODES = ["automatic", "off"] as const;

/**
 * On iSCSI PersistentVolumes and RBD StorageClasses: "target-agent" (hadb's fence agent) or "off" (the
 * stack opted out). The policy pack's hadb-fenced-storage reads it.
 */
export const FENCING_ANNOTATION = "hadb.io/fencing";
export type FencingMode = (typeof FENCING_MODES)[number];

/** Who fences: the storage itself, hadb's agent beside the lab's target, or nobody (`mode: off`). */
export type Fencer = "storage" | "target-agent" | "none";

export interface FencingSettings {
  mode: FencingMode;
  by: Fencer;
  /** target-agent only: seconds a node stays NotReady before the agent fences it. */
  detectionSeconds: number;
}

/**
 * A NotReady node is already silent for the node-monitor grace period (16 s in the lab); 10 s more rides
 * out a kubelet restart, while a crashed or cut-off node is fenced within half a minute of its last
 * heartbeat.
 */
export const DEFAULT_FENCING_DETECTION_SECONDS = 10;
export const MAX_FENCING_DETECTION_SECONDS = 600;

/** What fences a lost node's database volumes on this platform × backend (undefined: nothing hadb ships). */
export function fencerFor(
  storage: StorageBackend,
  iscsiTarget: IscsiSettings["target"]["kind"] | undefined,
): Exclude<Fencer, "none"> | undefined {
  const { fencing } = STORAGE_CATALOG[storage];
  if (fencing.itself) return "storage";
  if (fencing.agentOnLabTarget && iscsiTarget === "vagrant") return "target-agent";
  return undefined;
}

/** "the lab's target" / "an external target" where the backend's fencing depends on the target. */
function describeStorage(storage: StorageBackend, iscsiTarget: IscsiSettings["target"]["kind"] | undefined) {
  if (!STORAGE_CATALOG[storage].fencing.agentOnLabTarget) return `storage "${storage}"`;
  return `storage "${storage}" with ${iscsiTarget === "vagrant" ? "the lab's target" : "an external target"}`;
}

export function readFencing(
  problems: Problems,
  key: string,
  value: unknown,
  context: { storage: StorageBackend; iscsiTarget: IscsiSettings["target"]["kind"] | undefined },
): FencingSettings {
  const { storage } = context;
  const fallback: FencingSettings = {
    mode: "automatic",
    by: "none",
    detectionSeconds: DEFAULT_FENCING_DETECTION_SECONDS,
  };
  if (!isRecord(value)) {
    problems.add(key, value, `must be {mode: ${oneOf(FENCING_MODES)}, detectionSeconds}`);
    return fallback;
  }
  problems.unknownKeys(key, value, ["mode", "detectionSeconds"]);
  const mode = problems.choice(`${key}.mode`, value.mode ?? "automatic", FENCING_MODES, {}, "automatic");
  const detectionGiven = value.detectionSeconds !== undefined;
  const detectionSeconds = detectionGiven
    ? problems.integer(
        `${key}.detectionSeconds`,
        value.detectionSeconds,
        0,
        MAX_FENCING_DETECTION_SECONDS,
        DEFAULT_FENCING_DETECTION_SECONDS,
      )
    : DEFAULT_FENCING_DETECTION_SECONDS;
  const facts = STORAGE_CATALOG[storage].fencing;
  // An unreadable hadb:iscsi.target is reported by its own reader; which fencer applies is unknown.
  if (facts.agentOnLabTarget && context.iscsiTarget === undefined) return { ...fallback, mode };
  const fencer = fencerFor(storage, context.iscsiTarget);
  const where = describeStorage(storage, context.iscsiTarget);

  if (fencer === "storage") {
    if (mode === "off")
      problems.add(
        `${key}.mode`,
        mode,
        `cannot be set on ${where}: ${facts.itself?.product ?? storage} fences a lost node by itself (${facts.itself?.how ?? "its own fencing"}) and hadb cannot turn that off; remove hadb:fencing`,
      );
    if (detectionGiven)
      problems.add(
        `${key}.detectionSeconds`,
        value.detectionSeconds,
        `only applies to hadb's fence agent (${LAB_TARGET_AGENT_BACKENDS.map((backend) => `storage "${backend}"`).join(", ")} with the lab's target); ${where} fences by itself`,
      );
    return { mode: "automatic", by: "storage", detectionSeconds };
  }
  if (fencer === undefined && mode === "automatic") {
    problems.add(
      `${key}.mode`,
      value.mode ?? "automatic",
      `${value.mode === undefined ? "(the default) " : ""}is not available on ${where}: ${facts.unavailable ?? "no fencer"}. Set hadb:fencing: {mode: off} to accept that a lost node keeps its databases' volumes until it returns or you act on it (runbook in docs/fencing.md)`,
    );
  }
  if (mode === "off" && detectionGiven)
    problems.add(`${key}.detectionSeconds`, value.detectionSeconds, `only applies with mode "automatic"`);
  return { mode, by: mode === "off" ? "none" : (fencer ?? "none"), detectionSeconds };
}
