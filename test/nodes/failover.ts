// The seed's four failover experiments on real nodes, with the chaos tool's writer: sequence-numbered
// writes through the database's NodePort on a node the fault does not touch, every acknowledged write
// read back afterwards. RTO is the writer's longest outage (last acknowledged write before the fault to
// the first one after) on the host clock; the timeline says where the time went; the target's session
// list says whether two initiators were ever logged in at once.
import { readFileSync } from "node:fs";
import {
  drain,
  cordon,
  EXPERIMENT_TITLES,
  KubeApiError,
  waitForReadyPod,
  type ExperimentName,
  type ExperimentTarget,
  type PodInfo,
} from "../controlplane/experiments";
import { MysqlStore } from "../../tools/chaos/mysql";
import { WriteProbe, sleep, type WriteAttempt } from "../../tools/chaos/writer";
import type { BootTimes, RealLab } from "./lab";
import { nodeAddress } from "./network";
import { initiatorName, nodeName } from "./node-files";
import { TimelineRecorder, type TimelineEntry } from "./timeline";

export type SettingsName = "hadb" | "seed";

export interface DatabaseUnderTest {
  namespace: string;
  deployment: string;
  selector: string;
  nodePort: number;
  user: string;
  password: string;
  database: string;
}

export interface RealExperimentResult {
  settings: SettingsName;
  experiment: ExperimentName;
  /** Writer's longest outage, seconds (null: not back within the timeout). */
  rtoSeconds: number | null;
  /** Fault until the replacement pod (or restarted container) was Ready, seconds. */
  podReadySeconds: number | null;
  acknowledged: number;
  /** Acknowledged writes missing afterwards: must be empty (RPO 0). */
  missing: number[];
  unacknowledgedPresent: number;
  /** Most initiators the target served at once / of those, initiators whose VM was still running. */
  maxInitiators: number;
  maxLiveInitiators: number;
  from: { pod: string; node: string };
  to: { pod: string; node: string } | null;
  /**
   * Node lost: the runbook step (the out-of-service taint on the powered-off node), applied when the
   * database was not back after `unattendedSeconds` or, with `runbookAtEviction`, once the old pod was
   * evicted; seconds after the fault, and the writer's outage from that moment to the first acknowledged
   * write.
   */
  intervention: { atSeconds: number; what: string; rtoAfterSeconds: number | null } | null;
  timeline: TimelineEntry[];
  load: { before: string; after: string };
  startedAt: string;
  /** The fault injected (the experiment's title, or the custom fault's). */
  fault: string;
  /** Host clock (epoch ms) of time 0: the fault. */
  faultEpochMs: number;
}

export const loadAverage = (): string =>
  readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

const nodeIndex = (node: string): number => Number(/(\d+)$/.exec(node)?.[1] ?? NaN);

/** Writer marks for the timeline: last ack before the fault, first failure, first ack after. */
function writerMarks(attempts: readonly WriteAttempt[], zeroEpoch: number): TimelineEntry[] {
  const t = (epoch: number) => Math.round((epoch - zeroEpoch) / 100) / 10;
  const marks: TimelineEntry[] = [];
  const lastBefore = [...attempts].reverse().find((a) => a.acknowledged && a.endedAt <= zeroEpoch);
  if (lastBefore)
    marks.push({ t: t(lastBefore.endedAt), what: `writer: last acknowledged write #${lastBefore.seq}` });
  const firstFailure = attempts.find((a) => !a.acknowledged && a.startedAt >= (lastBefore?.endedAt ?? 0));
  if (firstFailure)
    marks.push({
      t: t(firstFailure.endedAt),
      what: `writer: first failed write #${firstFailure.seq} (${firstFailure.error ?? ""})`,
    });
  const lastFailure = [...attempts].reverse().find((a) => !a.acknowledged);
  const firstAfter = attempts.find(
    (a) => a.acknowledged && lastFailure !== undefined && a.seq > lastFailure.seq,
  );
  if (firstAfter)
    marks.push({
      t: t(firstAfter.endedAt),
      what: `writer: first acknowledged write after #${firstAfter.seq}`,
    });
  return marks;
}

/** The runbook's answer to a node lost for good (README, storageRunbook.nodeLost): it is powered off. */
export const OUT_OF_SERVICE_TAINT = {
  key: "node.kubernetes.io/out-of-service",
  value: "nodeshutdown",
  effect: "NoExecute",
};

async function setOutOfService(lab: RealLab, node: string, on: boolean): Promise<void> {
  const current = await lab.api.get<{ spec?: { taints?: { key: string }[] } }>(`/api/v1/nodes/${node}`);
  const others = (current.spec?.taints ?? []).filter((t) => t.key !== OUT_OF_SERVICE_TAINT.key);
  await lab.api.patch(`/api/v1/nodes/${node}`, {
    spec: { taints: on ? [...others, OUT_OF_SERVICE_TAINT] : others },
  });
}

/** Seconds until the pod had a deletionTimestamp (evicted or deleted), or null after `seconds`. */
async function waitForDeletion(
  lab: RealLab,
  namespace: string,
  pod: string,
  seconds: number,
): Promise<number | null> {
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    try {
      const current = await lab.api.get<{ metadata: { deletionTimestamp?: string } }>(
        `/api/v1/namespaces/${namespace}/pods/${pod}`,
      );
      if (current.metadata.deletionTimestamp) return Math.round((performance.now() - start) / 100) / 10;
    } catch (error) {
      // Gone already counts as deleted; anything else (a busy API server) is retried at the next poll.
      if (error instanceof KubeApiError && error.status === 404)
        return Math.round((performance.now() - start) / 100) / 10;
    }
    await sleep(1_000);
  }
  return null;
}

export interface RealExperimentOptions {
  timeoutSeconds?: number;
  /** Node lost: how long Kubernetes gets on its own before the runbook step (default 600 s). */
  unattendedSeconds?: number;
  /**
   * Node lost: take the runbook step as soon as the old pod is evicted (what the failover budget counts:
   * an operator or a fencing agent that knows the node is off), instead of after `unattendedSeconds`.
   */
  runbookAtEviction?: boolean;
  /** Node lost: apply the runbook's out-of-service taint after unattendedSeconds (default true). */
  runbook?: boolean;
  /**
   * Replaces the experiment's fault (issue 15's partition: the node keeps running). The experiment's
   * recovery rule still applies; `nodeStaysUp`: its initiator counts as live throughout.
   */
  fault?: { title: string; nodeStaysUp: boolean; inject(before: PodInfo): Promise<void> };
  onProgress?: (message: string) => void;
}

export async function runRealExperiment(
  lab: RealLab,
  db: DatabaseUnderTest,
  settings: SettingsName,
  experiment: ExperimentName,
  options: RealExperimentOptions = {},
): Promise<RealExperimentResult> {
  const timeoutSeconds = options.timeoutSeconds ?? 1500;
  const unattendedSeconds = options.unattendedSeconds ?? 600;
  const progress = options.onProgress ?? (() => undefined);
  const target: ExperimentTarget = {
    kubeconfig: lab.cp.kubeconfigPath,
    namespace: db.namespace,
    deployment: db.deployment,
  };
  const before = await waitForReadyPod(lab.api, target, 900);
  if (!before) throw new Error(`${settings}/${experiment}: no Ready database pod before the fault`);

  // The writer goes through a node the fault leaves alone; kube-proxy there forwards to wherever the pod is.
  const writerNode = lab.vms.find((vm) => vm.running && vm.name !== before.node);
  if (!writerNode) throw new Error("no second running node for the writer");
  const store = new MysqlStore(
    {
      host: nodeAddress(nodeIndex(writerNode.name)),
      port: db.nodePort,
      user: db.user,
      password: db.password,
      database: db.database,
    },
    { connectTimeoutMs: 4_000 },
  );
  for (let attempt = 1; ; attempt++) {
    try {
      await store.prepare();
      break;
    } catch (error) {
      store.reset();
      if (attempt >= 60)
        throw new Error(`writer cannot prepare its table: ${(error as Error).message}`, { cause: error });
      await sleep(2_000);
    }
  }
  const probe = new WriteProbe(store, { intervalMs: 250, timeoutMs: 4_000 });
  probe.start();
  await probe.waitFor(
    (p) => p.progress().acknowledged >= 20,
    120_000,
    "20 acknowledged writes before the fault",
  );

  const recorder = new TimelineRecorder(lab.api, db.namespace, db.selector, lab.target);
  const dead = new Set<string>();
  let maxLive = 0;
  const loadBefore = loadAverage();
  const startedAt = new Date().toISOString();
  const zero = performance.now();
  const zeroEpoch = performance.timeOrigin + zero;
  recorder.start(zero);
  const liveCheck = setInterval(() => {
    try {
      const live = lab.target.initiators().filter((i) => !dead.has(i)).length;
      maxLive = Math.max(maxLive, live);
    } catch {
      // target busy: the recorder notes failed polls
    }
  }, 1000);
  const fault = options.fault?.title ?? EXPERIMENT_TITLES[experiment];
  progress(`${settings}: ${fault} (pod ${before.name} on ${before.node}, writer via ${writerNode.name})`);
  recorder.mark(`fault: ${fault} on ${before.node}`);
  if (options.fault) {
    if (!options.fault.nodeStaysUp) dead.add(initiatorName(nodeIndex(before.node)));
    await options.fault.inject(before);
  } else {
    switch (experiment) {
      case "processDies":
        // SIGKILL from the node: a crash, not a shutdown (InnoDB recovers from its redo log at start).
        await lab.vm(before.node).agent?.check("pkill -9 -x mariadbd");
        break;
      case "podDeleted":
        await lab.api.request("DELETE", `/api/v1/namespaces/${db.namespace}/pods/${before.name}`);
        break;
      case "nodeDrained":
        await drain(lab.api, before.node, timeoutSeconds);
        recorder.mark(`drain of ${before.node} returned`);
        break;
      case "nodeLost":
        dead.add(initiatorName(nodeIndex(before.node)));
        await lab.vm(before.node).kill();
        break;
    }
  }
  const recovered: Record<ExperimentName, (pod: PodInfo) => boolean> = {
    processDies: (pod) => pod.uid === before.uid && pod.restarts > before.restarts,
    podDeleted: (pod) => pod.uid !== before.uid,
    nodeDrained: (pod) => pod.uid !== before.uid && pod.node !== before.node,
    nodeLost: (pod) => pod.uid !== before.uid && pod.node !== before.node,
  };
  const atEviction = experiment === "nodeLost" && options.runbookAtEviction === true;
  let after = atEviction
    ? undefined
    : await waitForReadyPod(
        lab.api,
        target,
        experiment === "nodeLost" ? unattendedSeconds : timeoutSeconds,
        recovered[experiment],
      );
  if (atEviction) {
    const evicted = await waitForDeletion(lab, db.namespace, before.name, unattendedSeconds);
    progress(`${settings}: pod ${before.name} ${evicted ? `evicted after ${evicted} s` : "not evicted"}`);
  }
  let intervention: { atSeconds: number; what: string; at: number } | undefined;
  if (!after && experiment === "nodeLost" && options.runbook !== false) {
    // Kubernetes keeps the pod on the unreachable node Terminating, and its volume attached, until the
    // node says otherwise; the runbook's step says it is powered off (the VM is: it was SIGKILLed).
    const what = `runbook: out-of-service taint on ${before.node} (powered off)${atEviction ? ", at eviction" : ""}`;
    recorder.mark(what);
    await setOutOfService(lab, before.node, true);
    const at = performance.now();
    intervention = { atSeconds: Math.round((at - zero) / 100) / 10, what, at };
    progress(`${settings}: ${what} after ${intervention.atSeconds} s without recovery`);
    after = await waitForReadyPod(lab.api, target, timeoutSeconds - unattendedSeconds, recovered[experiment]);
  }
  const podReadySeconds = after ? Math.round((performance.now() - zero) / 100) / 10 : null;
  recorder.mark(
    after ? `pod ${after.name} Ready on ${after.node}` : `no Ready pod within ${timeoutSeconds} s`,
  );

  // Writes are back when the last 10 attempts were acknowledged (the pod can be Ready before the server
  // listens when there is no readiness probe: the seed's settings).
  const settled = (p: WriteProbe) => {
    const tail = p.attempts.slice(-10);
    return tail.length === 10 && tail.every((a) => a.acknowledged) && p.attempts.some((a) => !a.acknowledged);
  };
  const remaining = Math.max(60, timeoutSeconds - (performance.now() - zero) / 1000);
  await probe.waitFor(settled, remaining * 1000, "writes acknowledged again").catch((error: unknown) => {
    recorder.mark(`writer: ${(error as Error).message}`);
  });
  clearInterval(liveCheck);
  const report = await probe.stop();
  await recorder.poll().catch(() => undefined);
  await recorder.stop();
  const verification = await probe.verify({ attempts: 10, retryDelayMs: 2_000 });
  await store.close();
  const outages = report.outages.filter((o) => o.start >= zeroEpoch - probe.intervalMs - probe.timeoutMs);
  const longest = outages.reduce((max, o) => Math.max(max, o.durationMs), 0);
  const rtoSeconds = outages.every((o) => o.recovered) ? Math.round(longest / 100) / 10 : null;
  const interventionEpoch = intervention ? performance.timeOrigin + intervention.at : undefined;
  const firstAckAfterIntervention =
    interventionEpoch === undefined
      ? undefined
      : probe.attempts.find((a) => a.acknowledged && a.startedAt >= interventionEpoch);

  if (experiment === "nodeDrained") await cordon(lab.api, before.node, false);
  const timeline = [...recorder.entries, ...writerMarks(probe.attempts, zeroEpoch)].sort((a, b) => a.t - b.t);
  const result: RealExperimentResult = {
    settings,
    experiment,
    rtoSeconds,
    podReadySeconds,
    acknowledged: verification.acknowledged,
    missing: verification.missing,
    unacknowledgedPresent: verification.unacknowledgedPresent,
    maxInitiators: recorder.maxInitiators,
    maxLiveInitiators: maxLive,
    from: { pod: before.name, node: before.node },
    to: after ? { pod: after.name, node: after.node } : null,
    intervention:
      intervention && interventionEpoch !== undefined
        ? {
            atSeconds: intervention.atSeconds,
            what: intervention.what,
            rtoAfterSeconds: firstAckAfterIntervention
              ? Math.round((firstAckAfterIntervention.endedAt - interventionEpoch) / 100) / 10
              : null,
          }
        : null,
    timeline,
    load: { before: loadBefore, after: loadAverage() },
    startedAt,
    fault,
    faultEpochMs: zeroEpoch,
  };
  progress(
    `${settings}: ${fault} -> RTO ${rtoSeconds ?? "not back"} s, pod Ready ${podReadySeconds ?? "-"} s, ` +
      `${verification.missing.length} of ${verification.acknowledged} acknowledged writes missing, ` +
      `max initiators ${recorder.maxInitiators} (live ${maxLive})`,
  );
  return result;
}

/**
 * Brings a lost node back (boots its VM again) so the next experiment has three nodes, and lifts the
 * out-of-service taint once it is back (the runbook's nodeBack).
 */
export async function repairAfter(
  lab: RealLab,
  result: RealExperimentResult,
): Promise<BootTimes | undefined> {
  if (result.experiment !== "nodeLost") return undefined;
  const node = result.from.node;
  const boot = lab.vm(node).running ? undefined : await lab.restartNode(node);
  if (result.intervention) await setOutOfService(lab, node, false);
  return boot;
}

export { nodeName };
