// README's "Measured on real nodes" table and docs/real-nodes.md's details, rendered from the real-node
// benchmark's recorded run (docs/real-nodes.json, written by `npm run bench:nodes -- --record`), beside
// the failover budget the program computes today for the same stack.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { configFromMap } from "../../components/config/load";
import type { HadbConfig } from "../../components/config/types";
import { stackFailoverBudget } from "../../components/databases/budget";
import { readStackFile } from "../synth/stackfile";
import { cell } from "./blocks";

export const REAL_NODES_RESULTS = "docs/real-nodes.json";
export const REAL_NODES_LABEL = "QEMU TCG, 2 cores, MariaDB stand-in: absolute times are upper bounds";

const TITLES: Record<string, string> = {
  processDies: "DB process dies",
  podDeleted: "pod deleted",
  nodeDrained: "node drained",
  nodeLost: "node lost",
};

export interface RecordedExperiment {
  settings: "hadb" | "seed";
  experiment: string;
  rtoSeconds: number | null;
  podReadySeconds: number | null;
  acknowledged: number;
  missing: number[];
  maxInitiators: number;
  maxLiveInitiators: number;
  from: { node: string; pod?: string };
  to: { node: string; pod?: string } | null;
  intervention: { atSeconds: number; what: string; rtoAfterSeconds: number | null } | null;
  timeline: { t: number; what: string }[];
  load: { before: string; after: string };
}

export interface RecordedRun {
  label: string;
  stack: string;
  database: string;
  finishedAt: string;
  totalSeconds: number;
  labSeconds: number;
  deploySeconds: number;
  bootTimes: { node: string; bootSeconds: number; readySeconds: number }[];
  /** Lost nodes booted again after their experiment. */
  restarts?: { node: string; bootSeconds: number; readySeconds: number }[];
  memory: { qemuMiB: number; hostUsedMiB: number };
  nodeLostRunbook: string;
  results: RecordedExperiment[];
}

export function readRecordedRun(projectRoot: string): RecordedRun {
  return JSON.parse(readFileSync(join(projectRoot, REAL_NODES_RESULTS), "utf8")) as RecordedRun;
}

/**
 * The stack's config as the recorded run deployed it: `npm run bench:nodes` releases a lost node's LUN
 * with the runbook's out-of-service taint, not hadb's fence agent (that is `npm run bench:nodes:fencing`,
 * docs/fencing.md), so its node loss is the budget of `hadb:fencing: {mode: off}`.
 */
export function recordedRunConfig(projectRoot: string, run: RecordedRun): HadbConfig {
  const stack = readStackFile(projectRoot, run.stack).config;
  return configFromMap({ ...stack, "hadb:fencing": JSON.stringify({ mode: "off" }) });
}

/** Measured hadb RTO against the budget the program gives the same stack and database now. */
export function budgetComparison(
  projectRoot: string,
  run: RecordedRun,
): { experiment: string; measured: number | null; budget: number | undefined; ratio: number | null }[] {
  const budgets = stackFailoverBudget(recordedRunConfig(projectRoot, run))[run.database] ?? [];
  return run.results
    .filter((r) => r.settings === "hadb")
    .map((r) => {
      const budget = budgets.find((b) => b.failure === r.experiment)?.totalSeconds;
      const ratio = r.rtoSeconds !== null && budget ? Math.round((r.rtoSeconds / budget) * 100) / 100 : null;
      return { experiment: r.experiment, measured: r.rtoSeconds, budget, ratio };
    });
}

const seconds = (value: number | null | undefined): string =>
  value === null || value === undefined ? "not back" : `${value} s`;
const lost = (r: RecordedExperiment | undefined): string =>
  r ? `${r.missing.length} of ${r.acknowledged}` : "-";

function pairs(run: RecordedRun): [string, RecordedExperiment | undefined, RecordedExperiment | undefined][] {
  const experiments = [...new Set(run.results.map((r) => r.experiment))];
  return experiments.map((e) => [
    e,
    run.results.find((r) => r.settings === "hadb" && r.experiment === e),
    run.results.find((r) => r.settings === "seed" && r.experiment === e),
  ]);
}

/** README: experiment x (hadb RTO, seed RTO, ratio, acknowledged writes lost). */
export function renderRealNodesSummary(projectRoot: string): string {
  const run = readRecordedRun(projectRoot);
  const lines = [
    `${run.label} (\`npm run bench:nodes\`, ${run.finishedAt.slice(0, 10)}; node lost: ${run.nodeLostRunbook}).`,
    "",
    "| experiment | hadb RTO | seed RTO | hadb / seed | acknowledged writes lost (hadb; seed) |",
    "| --- | ---: | ---: | ---: | --- |",
  ];
  for (const [experiment, hadb, seed] of pairs(run)) {
    const ratio = hadb?.rtoSeconds && seed?.rtoSeconds ? (hadb.rtoSeconds / seed.rtoSeconds).toFixed(2) : "-";
    lines.push(
      `| ${TITLES[experiment] ?? experiment} | ${seconds(hadb?.rtoSeconds)} | ${seconds(seed?.rtoSeconds)} | ` +
        `${ratio} | ${lost(hadb)}; ${lost(seed)} |`,
    );
  }
  return lines.join("\n");
}

/** docs/real-nodes.md: every run's figures, the budget beside hadb's, the node-lost timelines. */
export function renderRealNodesDetails(projectRoot: string): string {
  const run = readRecordedRun(projectRoot);
  const comparison = budgetComparison(projectRoot, run);
  const boot = (b: { node: string; bootSeconds: number; readySeconds: number }) =>
    `${b.node} ${b.bootSeconds} s / Ready ${b.readySeconds} s`;
  const boots = run.bootTimes.map(boot);
  const restarts = (run.restarts ?? []).map(boot);
  const lines = [
    `**${run.label}.** \`${run.stack}\` / \`${run.database}\`, finished ${run.finishedAt.slice(0, 16)} UTC.`,
    `Lab up (3 VMs booted and Ready: ${boots.join(", ")}) in ${run.labSeconds} s, database rolled out in ` +
      `${run.deploySeconds} s, whole run ${run.totalSeconds} s. Peak memory: QEMU processes ` +
      `${run.memory.qemuMiB} MiB together, machine ${run.memory.hostUsedMiB} MiB in use. Node lost: ${run.nodeLostRunbook}` +
      (restarts.length > 0 ? `; the lost node booted again (boot / Ready): ${restarts.join(", ")}.` : "."),
    "",
    "| experiment | settings | RTO (writer) | pod Ready | acknowledged writes lost | initiators at once (live) | runbook taint | budget now | measured / budget | load before, after |",
    "| --- | --- | ---: | ---: | --- | --- | --- | ---: | ---: | --- |",
  ];
  for (const r of run.results) {
    const budget = r.settings === "hadb" ? comparison.find((c) => c.experiment === r.experiment) : undefined;
    const taint = r.intervention
      ? `at ${r.intervention.atSeconds} s, writes back ${seconds(r.intervention.rtoAfterSeconds)} later`
      : "-";
    lines.push(
      `| ${TITLES[r.experiment] ?? r.experiment} | ${r.settings} | ${seconds(r.rtoSeconds)} | ` +
        `${seconds(r.podReadySeconds)} | ${lost(r)} | ${r.maxInitiators} (${r.maxLiveInitiators}) | ${taint} | ` +
        `${budget?.budget === undefined ? "-" : `${budget.budget} s`} | ${budget?.ratio ?? "-"} | ` +
        `${cell(r.load.before)}; ${cell(r.load.after)} |`,
    );
  }
  for (const r of run.results.filter((x) => x.experiment === "nodeLost")) {
    lines.push(
      "",
      `Node lost, ${r.settings}'s settings (${r.from.node} -> ${r.to?.node ?? "none"}), seconds after the fault:`,
      "",
    );
    // The state at the fault is the recorder's first poll; after it, every change and the writer's marks.
    const changes = r.timeline.filter((e) => e.t > 0.5 || /^(fault|writer|runbook)/.test(e.what));
    for (const entry of changes) lines.push(`- ${entry.t}: ${cell(entry.what)}`);
  }
  return lines.join("\n");
}
