// Issue 15 on real nodes: hadb's fence agent, installed by its own installer and run beside the tier's
// tgtd (in the run's network namespace, where the lab's target VM would run it), against the same lab
// without it, in one run:
// - node lost with the agent: the VM is killed; the agent fences it at the target, taints it
//   out-of-service and deletes its database pod; the VM boots again and the agent lets it back in;
// - node cut off from the control plane: the VM keeps running and keeps reaching the target (its route
//   to the API server's address is blackholed inside the node, through the guest agent, which is not on
//   the network), and a writer on that node writes marker blocks straight to the database's volume; the
//   agent must fence it, the database must come back elsewhere, and no marker written after the fence
//   may be on the LUN (the backing file is read afterwards); healed without a reboot it stays fenced;
//   rebooted, it is let back in;
// - node lost without the agent (what `hadb:fencing: {mode: off}` deploys): nothing releases the LUN;
//   after `unattendedSeconds` the runbook's out-of-service taint does;
// - node lost with the seed's settings (its pod settings, Kubernetes' default node timings): the same.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { configFromMap } from "../../components/config/load";
import { MANAGED_CONTROLLER_TIMINGS } from "../../components/failover/timings";
import { OUT_OF_SERVICE_TAINT } from "../../components/storage/iscsi/fence-agent/plan";
import { readStackFile } from "../../tools/synth/stackfile";
import { PROJECT_ROOT } from "../controlplane/cluster";
import { waitForReadyPod } from "../controlplane/experiments";
import {
  listFences,
  startFenceAgentProcess,
  type FenceAgentProcess,
} from "../controlplane/fence-agent-process";
import { waitFor } from "../controlplane/procs";
import { repairAfter, runRealExperiment, type RealExperimentResult } from "./failover";
import {
  classifyProbe,
  guestClockOffset,
  markersOnLun,
  parseProbeLog,
  readProbeLog,
  startProbe,
  stopProbe,
  type ProbeVerdict,
} from "./fence-probe";
import { GATEWAY } from "./network";
import { initiatorName } from "./node-files";
import type { DatabaseLab } from "./setup";

export interface FencedNodeLoss {
  result: RealExperimentResult;
  /** Seconds after the fault: the agent started iscsi-fence.sh / it returned (the target refuses the node). */
  fenceStarted: number | null;
  fenced: number | null;
  /** Seconds from the rebooted node's Ready to the agent's unfence and untaint (null: not within 300 s). */
  letBackInSeconds: number | null;
}

export interface PartitionOutcome extends FencedNodeLoss {
  node: string;
  /** Rebooted after the partition (letBackInSeconds is then the agent's unfence), or left fenced. */
  rebooted: boolean;
  probe: ProbeVerdict & {
    run: string;
    clockUncertaintyMs: number;
    /** Every write of the node's own: seconds after the fault (host clock), dd's result, found on the LUN. */
    writes: {
      n: number;
      start: number;
      end: number;
      ok: boolean;
      onLun: boolean;
      error?: string;
      unmounted?: true;
    }[];
  };
  /** The cut-off node's kernel, the volume's mount and its kernel log about the disk (before any reboot). */
  guestKernel: string[];
  /** Most sessions the cut-off node's initiator held on the target after the fence (must be 0). */
  sessionsAfterFence: number;
  /** Seconds the node was kept cut off after the database was back, until it had written after the fence. */
  postFenceWaitSeconds: number;
  /** After the partition healed without a reboot: Ready again, still fenced, no session. */
  healed: { readyAfterSeconds: number | null; stillFenced: boolean; held: boolean; sessions: number };
}

export interface StackFencing {
  detectionSeconds: number;
  /** The database's LUN number on the target (its PersistentVolume's). */
  lun: number;
}

/**
 * What the cut-off node's own kernel says about its disk: release, the volume's mount options, the clock
 * pair that maps the log's seconds-since-boot onto the guest clock, and the log's disk lines.
 */
const GUEST_KERNEL_EVIDENCE = [
  "uname -r",
  "awk '$2 ~ /plugins\\/kubernetes.io\\/iscsi\\// {print \"mount:\", $0}' /proc/mounts",
  'echo "clock: uptime $(cut -d" " -f1 /proc/uptime) date $(date +%s.%N)"',
  // The kubelet's clean-up of the deleted pod's volume once the node is back in touch (its log on the
  // journal's clock), and a probe file left on the node's own disk under an unmounted path.
  "journalctl -o short-unix -u kubelet --no-pager 2>/dev/null | grep -E 'UnmountDevice|TearDown|Detach|iscsi' | tail -n 40",
  "timeout 20 find /var/lib/kubelet/plugins/kubernetes.io/iscsi -maxdepth 4 -name .hadb-fence-probe -printf 'probe file: %p %s bytes %TY-%Tm-%Td %TT\\n' 2>&1",
  "dmesg | grep -E 'iscsi|iSCSI|connection[0-9]|session[0-9]|\\[sd[a-z]+\\]|sd [0-9]|EXT4-fs|JBD2|jbd2|I/O error|blk_update|critical' | tail -n 200",
].join("; ");

/** Writes of the cut-off node's own, started after the fence, before the partition heals. */
const POST_FENCE_WRITES = 3;

const secondsAfter = (zeroMs: number, atMs: number | null): number | null =>
  atMs === null ? null : Math.round((atMs - zeroMs) / 100) / 10;
const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const nodeIndexOf = (node: string): number => Number(/(\d+)$/.exec(node)?.[1] ?? NaN);

/** The stack's fencing settings and the database's LUN, as the program renders them. */
export function stackFencing(setup: DatabaseLab): StackFencing {
  const config = configFromMap(readStackFile(PROJECT_ROOT, setup.render.stackFile).config);
  // The PersistentVolume pre-bound to the database's claim (<deployment>-data in its namespace).
  const pv = setup.render.manifests.find((o) => {
    const claim = (o.spec as { claimRef?: { namespace?: string; name?: string } } | undefined)?.claimRef;
    return (
      o.kind === "PersistentVolume" &&
      claim?.namespace === setup.database.namespace &&
      claim.name === `${setup.database.deployment}-data`
    );
  });
  const lun = (pv?.spec as { iscsi?: { lun?: number } } | undefined)?.iscsi?.lun;
  if (lun === undefined) throw new Error("the stack renders no iSCSI PersistentVolume for the database");
  return { detectionSeconds: config.fencing.detectionSeconds, lun };
}

/** hadb's agent for this lab: the stack's detection time, the target's initiators and environment. */
export function startLabAgent(setup: DatabaseLab, fencing: StackFencing): Promise<FenceAgentProcess> {
  const { lab } = setup;
  return startFenceAgentProcess({
    cp: lab.cp,
    dir: join(lab.dir, "fence-agent"),
    iqn: lab.target.iqn,
    initiators: setup.render.target.initiatorCidrs,
    detectionSeconds: fencing.detectionSeconds,
    podNamespaces: [setup.database.namespace],
    targetEnv: lab.target.fenceEnv,
  });
}

interface NodeFacts {
  ready: boolean;
  agentTaint: boolean;
  address: string | undefined;
}

async function nodeFacts(setup: DatabaseLab, node: string): Promise<NodeFacts> {
  const object = await setup.lab.api.get<{
    spec?: { taints?: { key: string; value?: string }[] };
    status?: {
      conditions?: { type: string; status: string }[];
      addresses?: { type: string; address: string }[];
    };
  }>(`/api/v1/nodes/${node}`);
  return {
    ready: object.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false,
    agentTaint: (object.spec?.taints ?? []).some(
      (t) => t.key === OUT_OF_SERVICE_TAINT.key && t.value === OUT_OF_SERVICE_TAINT.value,
    ),
    address: object.status?.addresses?.find((a) => a.type === "InternalIP")?.address,
  };
}

const fencedAddresses = (setup: DatabaseLab): string[] =>
  listFences(setup.lab.target.fenceEnv).map((f) => f.address);

/** Boots the node's VM again (a power cycle) and waits for the agent to unfence and untaint it. */
async function rebootAndLetBackIn(setup: DatabaseLab, node: string): Promise<number | null> {
  const { lab } = setup;
  if (lab.vm(node).running) await lab.vm(node).kill();
  await lab.restartNode(node);
  const ready = performance.now();
  const address = (await nodeFacts(setup, node)).address;
  try {
    await waitFor(
      `the agent letting ${node} back in`,
      async () => {
        const facts = await nodeFacts(setup, node);
        return !facts.agentTaint && !fencedAddresses(setup).includes(address ?? "") ? true : undefined;
      },
      300_000,
      1000,
    );
    return Math.round((performance.now() - ready) / 100) / 10;
  } catch {
    return null;
  }
}

function agentTimes(agent: FenceAgentProcess, node: string, address: string, zeroMs: number) {
  return {
    fenceStarted: secondsAfter(zeroMs, agent.loggedAt(new RegExp(`fencing ${escape(node)} `), zeroMs)),
    fenced: secondsAfter(
      zeroMs,
      agent.loggedAt(new RegExp(`iscsi-fence\\.sh: fenced ${escape(address)} `), zeroMs),
    ),
  };
}

export interface RoundOptions {
  /** How long the unfenced node loss is left alone before the runbook's taint (default 600 s). */
  unattendedSeconds?: number;
  /** Partition: reboot the node afterwards and wait for the agent to let it in (default true). */
  rebootAfter?: boolean;
  onProgress?: (message: string) => void;
}

/** Node lost with hadb's agent running; the node is rebooted afterwards and let back in. */
export async function fencedNodeLoss(
  setup: DatabaseLab,
  agent: FenceAgentProcess,
  options: RoundOptions = {},
): Promise<FencedNodeLoss> {
  const result = await runRealExperiment(setup.lab, setup.database, "hadb", "nodeLost", {
    // The agent must do it: a runbook step would hide a failure.
    runbook: false,
    unattendedSeconds: options.unattendedSeconds ?? 600,
    timeoutSeconds: options.unattendedSeconds ?? 600,
    onProgress: options.onProgress,
  });
  const node = result.from.node;
  const address = setup.render.target.initiatorCidrs[nodeIndexOf(node) - 1] ?? "";
  const times = agentTimes(agent, node, address, result.faultEpochMs);
  const letBackInSeconds = await rebootAndLetBackIn(setup, node);
  options.onProgress?.(`fenced node lost: ${node} let back in ${letBackInSeconds ?? "never"} s after Ready`);
  return { result, ...times, letBackInSeconds };
}

/** Node lost without the agent: the runbook's taint after `unattendedSeconds`. */
export function unfencedNodeLoss(
  setup: DatabaseLab,
  options: RoundOptions = {},
): Promise<RealExperimentResult> {
  return runRealExperiment(setup.lab, setup.database, "hadb", "nodeLost", {
    unattendedSeconds: options.unattendedSeconds ?? 600,
    onProgress: options.onProgress,
  });
}

/**
 * Node lost with the seed's settings (its pod settings and Kubernetes' default node timings, no agent):
 * the lab is first repaired after the previous node loss (`previous`: its node booted, the runbook's taint
 * lifted), then switched to the seed's settings for good; the runbook's taint after `unattendedSeconds`.
 */
export async function seedNodeLoss(
  setup: DatabaseLab,
  previous: RealExperimentResult | undefined,
  options: RoundOptions = {},
): Promise<RealExperimentResult> {
  if (previous) await repairAfter(setup.lab, previous);
  await setup.lab.setTimings(MANAGED_CONTROLLER_TIMINGS);
  await setup.applySettings("seed");
  return runRealExperiment(setup.lab, setup.database, "seed", "nodeLost", {
    unattendedSeconds: options.unattendedSeconds ?? 600,
    onProgress: options.onProgress,
  });
}

/** The node is cut off from the control plane and keeps writing to its volume (see the file's head). */
export async function partitionedNode(
  setup: DatabaseLab,
  agent: FenceAgentProcess,
  fencing: StackFencing,
  options: RoundOptions = {},
): Promise<PartitionOutcome> {
  const { lab, database } = setup;
  const progress = options.onProgress ?? (() => undefined);
  const target = {
    kubeconfig: lab.cp.kubeconfigPath,
    namespace: database.namespace,
    deployment: database.deployment,
  };
  const before = await waitForReadyPod(lab.api, target, 900);
  if (!before) throw new Error("partition: no Ready database pod");
  const node = before.node;
  const guest = lab.vm(node).agent;
  if (!guest) throw new Error(`no command channel to ${node}`);
  const initiator = initiatorName(nodeIndexOf(node));
  const address = setup.render.target.initiatorCidrs[nodeIndexOf(node) - 1] ?? "";
  const run = randomBytes(4).toString("hex");
  const clockBefore = await guestClockOffset(guest);
  await startProbe(guest, run);
  progress(`partition: writer on ${node} writing markers ${run} to its volume`);

  const samples: { atMs: number; sessions: number }[] = [];
  const sampler = setInterval(() => {
    try {
      const sessions = lab.target.state().sessions.filter((s) => s.initiator === initiator).length;
      samples.push({ atMs: Date.now(), sessions });
    } catch {
      // tgtadm busy: the next sample
    }
  }, 1000);
  try {
    const result = await runRealExperiment(lab, database, "hadb", "nodeLost", {
      runbook: false,
      timeoutSeconds: options.unattendedSeconds ?? 600,
      onProgress: options.onProgress,
      fault: {
        title: "node cut off from the control plane (keeps running, reaches the target)",
        nodeStaysUp: true,
        inject: async () => {
          await guest.check(`ip route add blackhole ${GATEWAY}/32`, 30_000);
        },
      },
    });
    const times = agentTimes(agent, node, address, result.faultEpochMs);
    const fenceStartMs = agent.loggedAt(new RegExp(`fencing ${escape(node)} `), result.faultEpochMs);
    const fenceDoneMs = agent.loggedAt(
      new RegExp(`iscsi-fence\\.sh: fenced ${escape(address)} `),
      result.faultEpochMs,
    );

    // Still cut off, the node must have tried to write after the fence: the write in flight at the fence
    // blocks until its initiator gives the session up (open-iscsi's replacement_timeout, 120 s), and
    // on an unloaded machine the database is back well before that.
    const waited = performance.now();
    const postFenceWrites =
      fenceDoneMs === null
        ? 0
        : await waitFor(
            `${POST_FENCE_WRITES} writes of ${node}'s own after the fence`,
            async () => {
              const count = parseProbeLog(await readProbeLog(guest), clockBefore.offsetMs).filter(
                (w) => w.startMs > fenceDoneMs + clockBefore.uncertaintyMs + 1000,
              ).length;
              return count >= POST_FENCE_WRITES ? count : undefined;
            },
            300_000,
            5000,
          ).catch(() => 0);
    const postFenceWaitSeconds = Math.round((performance.now() - waited) / 1000);
    progress(
      `partition: ${postFenceWrites} writes after the fence, still cut off (${postFenceWaitSeconds} s)`,
    );

    // Healed without a reboot: it must stay fenced (its kernel may still hold unflushed writes).
    await guest.check(`ip route del blackhole ${GATEWAY}/32`, 30_000);
    const healedAt = performance.now();
    let readyAfterSeconds: number | null = null;
    await waitFor(
      `${node} Ready after the partition`,
      async () => ((await nodeFacts(setup, node)).ready ? true : undefined),
      180_000,
      1000,
    )
      .then(() => (readyAfterSeconds = Math.round((performance.now() - healedAt) / 100) / 10))
      .catch(() => undefined);
    // Give its initiator time to retry its login (open-iscsi retries every few seconds).
    await new Promise((done) => setTimeout(done, 30_000));
    const lastSessions = samples.at(-1)?.sessions ?? -1;
    const healed = {
      readyAfterSeconds,
      stillFenced: fencedAddresses(setup).includes(address),
      held:
        agent.loggedAt(
          new RegExp(`not fencing ${escape(node)}: Ready again without a reboot`),
          result.faultEpochMs,
        ) !== null,
      sessions: lastSessions,
    };
    progress(`partition healed: ${JSON.stringify(healed)}`);

    const log = await stopProbe(guest);
    const guestKernel = (await guest.check(GUEST_KERNEL_EVIDENCE, 60_000).catch((e: unknown) => String(e)))
      .split("\n")
      .filter((line) => line !== "");
    const clockAfter = await guestClockOffset(guest);
    const offsetMs = (clockBefore.offsetMs + clockAfter.offsetMs) / 2;
    const clockUncertaintyMs =
      Math.max(clockBefore.uncertaintyMs, clockAfter.uncertaintyMs) +
      Math.abs(clockBefore.offsetMs - clockAfter.offsetMs) / 2;
    const writes = parseProbeLog(log, offsetMs);
    const onLun = markersOnLun(lab.target.lunFile(fencing.lun), run);
    const verdict = classifyProbe(writes, onLun, {
      fenceStartMs: fenceStartMs ?? Number.POSITIVE_INFINITY,
      fenceDoneMs: fenceDoneMs ?? Number.POSITIVE_INFINITY,
      uncertaintyMs: clockUncertaintyMs,
    });
    const sessionsAfterFence =
      fenceDoneMs === null
        ? -1
        : Math.max(0, ...samples.filter((s) => s.atMs > fenceDoneMs).map((s) => s.sessions));
    progress(
      `partition: writes on ${node}: before the fence ${verdict.before.acknowledged} acknowledged ` +
        `(${verdict.before.acknowledgedOnLun} on the LUN); after it ${verdict.after.attempted} attempted, ` +
        `${verdict.after.acknowledged} acknowledged, ${verdict.after.onLun.length} on the LUN; ` +
        `sessions after the fence ${sessionsAfterFence}`,
    );
    const rebooted = options.rebootAfter !== false;
    const letBackInSeconds = rebooted ? await rebootAndLetBackIn(setup, node) : null;
    if (rebooted)
      progress(`partition: ${node} rebooted, let back in ${letBackInSeconds ?? "never"} s after Ready`);
    return {
      node,
      result,
      ...times,
      letBackInSeconds,
      rebooted,
      probe: {
        ...verdict,
        run,
        clockUncertaintyMs: Math.round(clockUncertaintyMs),
        writes: writes.map((w) => ({
          n: w.n,
          start: secondsAfter(result.faultEpochMs, w.startMs) ?? 0,
          end: secondsAfter(result.faultEpochMs, w.endMs) ?? 0,
          ok: w.acknowledged,
          onLun: onLun.has(w.n),
          ...(w.error ? { error: w.error } : {}),
          ...(w.unmounted ? { unmounted: w.unmounted } : {}),
        })),
      },
      guestKernel,
      sessionsAfterFence,
      postFenceWaitSeconds,
      healed,
    };
  } finally {
    clearInterval(sampler);
  }
}
