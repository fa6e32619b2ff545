// Issue 15's acceptance, read from one real-node fencing run (tools/bench-fencing-nodes.ts): pure, so
// tests/fencing-verdicts.test.ts checks that a failed item is reported as failed.
import type { FailureBudget } from "../../components/failover/budget";
import type { RealExperimentResult } from "./failover";
import type { FencedNodeLoss, PartitionOutcome } from "./fencing";

export interface Verdict {
  item: string;
  ok: boolean;
  detail: string;
}

/** undefined: not asked for in this run (its items are left out); { error }: it failed to run. */
type Outcome<T> = T | { error: string } | undefined;

export interface FencingRun {
  fenced: Outcome<FencedNodeLoss>;
  partition: Outcome<PartitionOutcome>;
  unfenced: Outcome<RealExperimentResult>;
  /** Node lost with the seed's settings (its pod settings, Kubernetes' default node timings, no fencing). */
  seed: Outcome<RealExperimentResult>;
  /** How long the unfenced and seed node losses were left alone: "> unattendedSeconds" when not back. */
  unattendedSeconds: number;
  budget: FailureBudget | undefined;
}

const failed = (outcome: Outcome<unknown>): string | undefined =>
  outcome !== undefined && "error" in (outcome as object) ? (outcome as { error: string }).error : undefined;

/** Writes back and none lost, one live initiator at a time, the database moved. */
function recovered(result: RealExperimentResult): string | undefined {
  if (!result.to) return "the database did not come back";
  if (result.rtoSeconds === null) return "writes were not acknowledged again";
  if (result.missing.length > 0) return `${result.missing.length} acknowledged writes lost`;
  if (result.maxLiveInitiators > 1) return `${result.maxLiveInitiators} live initiators at once`;
  if (result.to.node === result.from.node) return "the database stayed on the lost node";
  return undefined;
}

export function fencingVerdicts(run: FencingRun): Verdict[] {
  const verdicts: Verdict[] = [];
  const add = (item: string, problem: string | undefined, detail: string, needs: Outcome<unknown>[]) => {
    if (needs.some((outcome) => outcome === undefined)) return;
    verdicts.push({ item, ok: problem === undefined, detail: problem ?? detail });
  };

  const fencedError = failed(run.fenced);
  const fenced = fencedError === undefined ? (run.fenced as FencedNodeLoss) : undefined;
  add(
    "node lost with fencing: back, 0 acknowledged writes lost",
    fencedError ??
      (fenced && fenced.result.intervention ? "the runbook was needed" : undefined) ??
      (fenced ? recovered(fenced.result) : undefined) ??
      (fenced && fenced.letBackInSeconds === null ? "the rebooted node was not let back in" : undefined),
    fenced
      ? `RTO ${fenced.result.rtoSeconds} s, pod Ready ${fenced.result.podReadySeconds} s, fenced at ${fenced.fenced} s, ` +
          `0 of ${fenced.result.acknowledged} acknowledged writes lost, rebooted node let back in ${fenced.letBackInSeconds} s after Ready`
      : "",
    [run.fenced],
  );

  // Without the agent (hadb's settings, hadb:fencing off) and with the seed's settings: Kubernetes alone
  // never releases the LUN, so each is "> unattendedSeconds" and the runbook's taint brings it back.
  const rto = fenced?.result.rtoSeconds ?? null;
  for (const [name, outcome] of [
    ["without fencing", run.unfenced],
    ["with the seed's settings", run.seed],
  ] as const) {
    const error = failed(outcome);
    const alone = error === undefined ? (outcome as RealExperimentResult | undefined) : undefined;
    add(
      `node lost ${name}: not back by itself`,
      error ??
        (alone && !alone.intervention ? `back by itself in ${alone.rtoSeconds} s` : undefined) ??
        (alone && alone.missing.length > 0 ? `${alone.missing.length} acknowledged writes lost` : undefined),
      alone?.intervention
        ? `RTO > ${run.unattendedSeconds} s (not back); after the runbook's taint at ${alone.intervention.atSeconds} s, ` +
            `writes back ${alone.intervention.rtoAfterSeconds} s later (outage ${alone.rtoSeconds} s in all); ` +
            `0 of ${alone.acknowledged} acknowledged writes lost`
        : "",
      [outcome],
    );
    add(
      `RTO with fencing <= 0.2 x ${name}, same run`,
      rto === null || !alone?.intervention
        ? "needs both node-loss results"
        : rto > 0.2 * run.unattendedSeconds
          ? `${rto} s is more than 0.2 x ${run.unattendedSeconds} s`
          : undefined,
      `${rto} s vs > ${run.unattendedSeconds} s: ratio < ${rto === null ? "-" : (rto / run.unattendedSeconds).toFixed(3)}`,
      [run.fenced, outcome],
    );
  }

  const budget = run.budget?.totalSeconds;
  add(
    "failoverBudget node lost <= 90 s and within 20 % of the measured fenced RTO",
    budget === undefined || rto === null
      ? "needs the budget and the fenced RTO"
      : budget > 90
        ? `budget ${budget} s > 90 s`
        : Math.abs(budget - rto) > 0.2 * rto
          ? `budget ${budget} s is ${Math.round((100 * (budget - rto)) / rto)} % off the measured ${rto} s`
          : undefined,
    `budget ${budget} s, measured ${rto} s (${rto ? Math.round((100 * ((budget ?? 0) - rto)) / rto) : "-"} %)`,
    [run.fenced],
  );

  const partitionError = failed(run.partition);
  const p = partitionError === undefined ? (run.partition as PartitionOutcome) : undefined;
  add(
    "partition: fenced, database back elsewhere, 0 writes from the fenced node on the LUN",
    partitionError ??
      (p ? recovered(p.result) : undefined) ??
      (p && p.fenced === null ? "the agent did not fence the node" : undefined) ??
      (p && p.probe.before.acknowledged === 0
        ? "no write of the node's own reached the LUN before the fence"
        : undefined) ??
      (p && p.probe.before.acknowledgedOnLun < p.probe.before.acknowledged
        ? `${p.probe.before.acknowledged - p.probe.before.acknowledgedOnLun} acknowledged markers missing from the LUN (the scan is blind)`
        : undefined) ??
      (p && p.probe.after.attempted === 0 ? "the node attempted no write after the fence" : undefined) ??
      (p && p.probe.after.onLun.length > 0
        ? `markers ${p.probe.after.onLun.join(", ")} written after the fence are on the LUN`
        : undefined) ??
      (p && p.sessionsAfterFence !== 0
        ? `the node held ${p.sessionsAfterFence} sessions after the fence`
        : undefined) ??
      (p && (!p.healed.stillFenced || p.healed.sessions !== 0)
        ? "healed without a reboot, it was let back in"
        : undefined) ??
      (p && p.rebooted && p.letBackInSeconds === null ? "rebooted, it was not let back in" : undefined),
    p
      ? `RTO ${p.result.rtoSeconds} s, fenced at ${p.fenced} s; node's own writes: ${p.probe.before.acknowledged} acknowledged before the fence ` +
          `(all on the LUN), ${p.probe.after.attempted} attempted after it (${p.probe.after.acknowledged} acknowledged by the node's own kernel, ${p.probe.after.acknowledgedUnmounted} of them after the kubelet unmounted the volume), 0 on the LUN; ` +
          `0 sessions after the fence; healed: still fenced; ${p.rebooted ? `rebooted: let back in ${p.letBackInSeconds} s after Ready` : "not rebooted (the node-loss run shows the reboot)"}; ` +
          `0 of ${p.result.acknowledged} acknowledged writes lost`
      : "",
    [run.partition],
  );
  return verdicts;
}
