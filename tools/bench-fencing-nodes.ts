// npm run bench:nodes:fencing [-- --unattended 600] [--only fenced,partition,unfenced]
//                                [--out out/bench/nodes-fencing.json]
// Issue 15's acceptance on real nodes (tier 4), one lab, one run: vagrant-iscsi-mysql on 3 QEMU (TCG)
// VMs with hadb's settings; node lost WITH hadb's fence agent (beside the tier's tgtd, installed by its
// own installer), a node cut off from the control plane that keeps writing to its volume, then node lost
// WITHOUT the agent (left alone `--unattended` seconds, then the runbook's taint). RTO on the host clock
// (the chaos writer's longest outage), acknowledged writes read back, the LUN read for the cut-off node's
// markers. MariaDB stands in for MySQL and TCG for real CPUs: absolute times are upper bounds. Run
// through tests/nodes/run.sh (its own network namespace); exits non-zero when an acceptance item fails.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { FailureBudget } from "../components/failover/budget";
import { SELF_MANAGED_CONTROLLER_TIMINGS } from "../components/failover/timings";
import type { RealExperimentResult } from "../test/nodes/failover";
import {
  fencedNodeLoss,
  partitionedNode,
  stackFencing,
  startLabAgent,
  unfencedNodeLoss,
  type FencedNodeLoss,
  type PartitionOutcome,
} from "../test/nodes/fencing";
import { startDatabaseLab } from "../test/nodes/setup";
import { fencingVerdicts } from "../test/nodes/fencing-verdicts";

const root = resolve(__dirname, "..");
const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const unattendedSeconds = Number(option("unattended", "600"));
const only = new Set(option("only", "fenced,partition,unfenced").split(","));
// The node cut off is rebooted afterwards unless the unfenced run follows (the node-loss run already
// shows a rebooted node let back in; with the agent stopped nothing would unfence it anyway).
const rebootAfterPartition =
  !args.includes("--no-reboot-after-partition") &&
  (!only.has("unfenced") || args.includes("--reboot-after-partition"));
const outPath = resolve(root, option("out", "out/bench/nodes-fencing.json"));
for (const name of only)
  if (!["fenced", "partition", "unfenced"].includes(name)) throw new Error(`unknown experiment ${name}`);
if (!Number.isInteger(unattendedSeconds) || unattendedSeconds < 60)
  throw new Error("--unattended must be an integer >= 60");
const imageDir = process.env.HADB_NODES_IMAGE;
if (!imageDir) throw new Error("HADB_NODES_IMAGE unset: run npm run bench:nodes:fencing");

const progress = (message: string) => {
  console.error(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
};

/** One experiment; its failure is recorded and the next one still runs. */
async function attempt<T>(name: string, body: () => Promise<T>): Promise<T | { error: string }> {
  try {
    return await body();
  } catch (error) {
    progress(`${name} failed: ${(error as Error).stack ?? String(error)}`);
    return { error: (error as Error).message };
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const setup = await startDatabaseLab({
    imageDir: imageDir ?? "",
    timings: SELF_MANAGED_CONTROLLER_TIMINGS,
    onProgress: progress,
  });
  const fencing = stackFencing(setup);
  const options = { unattendedSeconds, onProgress: progress };
  let fenced: FencedNodeLoss | { error: string } | undefined;
  let partition: PartitionOutcome | { error: string } | undefined;
  let unfenced: RealExperimentResult | { error: string } | undefined;
  const agentOutput = { log: "" };
  try {
    const agent = await startLabAgent(setup, fencing);
    try {
      if (only.has("fenced")) fenced = await attempt("fenced", () => fencedNodeLoss(setup, agent, options));
      if (only.has("partition"))
        partition = await attempt("partition", () =>
          partitionedNode(setup, agent, fencing, { ...options, rebootAfter: rebootAfterPartition }),
        );
    } finally {
      agentOutput.log = agent.log();
      await agent.stop();
    }
    // Without the agent: what a stack with hadb:fencing {mode: off} has.
    if (only.has("unfenced")) unfenced = await attempt("unfenced", () => unfencedNodeLoss(setup, options));
  } finally {
    await setup.lab.stop();
  }

  const budgets = (setup.render.outputs.failoverBudget as Record<string, FailureBudget[]>).mysql ?? [];
  const budget = budgets.find((b) => b.failure === "nodeLost");
  const verdicts = fencingVerdicts({ fenced, partition, unfenced, unattendedSeconds, budget });
  const report = {
    label: "QEMU TCG, 2 cores, MariaDB stand-in: absolute times are upper bounds",
    stack: "vagrant-iscsi-mysql",
    finishedAt: new Date().toISOString(),
    totalSeconds: Math.round((performance.now() - started) / 1000),
    detectionSeconds: fencing.detectionSeconds,
    unattendedSeconds,
    budgetNodeLostSeconds: budget?.totalSeconds,
    verdicts,
    fenced,
    partition,
    unfenced,
    agentLog: agentOutput.log.split("\n"),
  };
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(outPath, `${JSON.stringify(report, null, 2)}\n`);
  for (const verdict of verdicts)
    console.log(`${verdict.ok ? "ok  " : "FAIL"} ${verdict.item}: ${verdict.detail}`);
  console.log(`\ntotal ${report.totalSeconds} s; results in ${outPath}`);
  if (verdicts.some((v) => !v.ok)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
