// npm run bench:nodes [-- --experiments processDies,podDeleted,nodeDrained,nodeLost] [--settings hadb,seed]
//                        [--runbook evicted|<seconds>] [--out out/bench/nodes.json] [--record]
// The real-node benchmark (tier 4): the seed's four failover experiments on hadb's vagrant-iscsi-mysql
// stack on 3 QEMU (TCG) VMs, first with hadb's settings (the stack's pod settings and the lab's
// controller timings), then with the seed's (no tolerations, liveness after 25 s every 10 s, no readiness
// probe, Kubernetes' default node timings) in the same lab, side by side. RTO is the chaos writer's
// longest outage on the host clock; acknowledged writes are verified afterwards. MariaDB stands in for
// MySQL and TCG for real CPUs: absolute times are upper bounds. Node lost: Kubernetes alone never
// releases the LUN (docs/real-nodes.md), so the runbook's out-of-service taint is applied once the old pod
// is evicted (`--runbook evicted`, the default: what the failover budget counts, for both settings) or
// after a number of seconds without recovery. --record also writes the run to docs/real-nodes.json, which
// README's "Measured on real nodes" table and docs/real-nodes.md are generated from (npm run docs).
// Run through tests/nodes/run.sh (a
// network namespace of its own); exits non-zero when an experiment lost a write or never recovered.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { MANAGED_CONTROLLER_TIMINGS, SELF_MANAGED_CONTROLLER_TIMINGS } from "../components/failover/timings";
import { EXPERIMENTS, EXPERIMENT_TITLES, type ExperimentName } from "../test/controlplane/experiments";
import {
  loadAverage,
  repairAfter,
  runRealExperiment,
  type RealExperimentResult,
  type SettingsName,
} from "../test/nodes/failover";
import { startDatabaseLab } from "../test/nodes/setup";
import type { BootTimes } from "../test/nodes/lab";
import { DATABASE } from "../test/nodes/database";
import { REAL_NODES_RESULTS } from "./docs/real-nodes";
import { format } from "prettier";
import type { FailureBudget } from "../components/failover/budget";

const root = resolve(__dirname, "..");
const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const experiments = option("experiments", EXPERIMENTS.join(",")).split(",") as ExperimentName[];
const settingsOrder = option("settings", "hadb,seed").split(",") as SettingsName[];
const outPath = resolve(root, option("out", "out/bench/nodes.json"));
const runbook = option("runbook", "evicted");
if (runbook !== "evicted" && !/^\d+$/.test(runbook))
  throw new Error(`--runbook: "evicted" or a number of seconds, not ${runbook}`);
const runbookOptions =
  runbook === "evicted"
    ? { runbookAtEviction: true, unattendedSeconds: 900 }
    : { unattendedSeconds: Number(runbook) };
for (const e of experiments) if (!EXPERIMENTS.includes(e)) throw new Error(`unknown experiment ${e}`);
for (const s of settingsOrder as string[])
  if (s !== "hadb" && s !== "seed") throw new Error(`unknown settings ${s}`);

const imageDir = process.env.HADB_NODES_IMAGE;
if (!imageDir) throw new Error("HADB_NODES_IMAGE unset: run npm run bench:nodes");

const progress = (message: string) => {
  console.error(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
};

/** Peak memory: all QEMU processes together, and the whole machine. */
function memorySampler(pids: () => number[]) {
  const peak = { qemuMiB: 0, hostUsedMiB: 0 };
  const kb = (text: string, key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(text)?.[1] ?? 0);
  const timer = setInterval(() => {
    let qemu = 0;
    for (const pid of pids()) {
      try {
        qemu += kb(readFileSync(`/proc/${pid}/status`, "utf8"), "VmRSS");
      } catch {
        // exited
      }
    }
    const meminfo = readFileSync("/proc/meminfo", "utf8");
    peak.qemuMiB = Math.max(peak.qemuMiB, Math.round(qemu / 1024));
    peak.hostUsedMiB = Math.max(
      peak.hostUsedMiB,
      Math.round((kb(meminfo, "MemTotal") - kb(meminfo, "MemAvailable")) / 1024),
    );
  }, 5_000);
  return {
    peak,
    stop: () => {
      clearInterval(timer);
    },
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const setup = await startDatabaseLab({
    imageDir: imageDir ?? "",
    timings: SELF_MANAGED_CONTROLLER_TIMINGS,
    onProgress: progress,
  });
  const { lab } = setup;
  const memory = memorySampler(() =>
    lab.vms.flatMap((vm) => (vm.running && vm.proc?.child.pid ? [vm.proc.child.pid] : [])),
  );
  const results: RealExperimentResult[] = [];
  const restarts: BootTimes[] = [];
  try {
    for (const settings of settingsOrder) {
      if (settings === "seed") {
        // The seed ran stock kubeadm: Kubernetes' default node timings, and its own pod settings.
        await lab.setTimings(MANAGED_CONTROLLER_TIMINGS);
        await setup.applySettings("seed");
      }
      for (const experiment of experiments) {
        const result = await runRealExperiment(lab, setup.database, settings, experiment, {
          ...runbookOptions,
          onProgress: progress,
        });
        results.push(result);
        const restart = await repairAfter(lab, result);
        if (restart) restarts.push(restart);
      }
    }
  } finally {
    memory.stop();
    await lab.stop();
  }

  const budget = (setup.render.outputs.failoverBudget as Record<string, FailureBudget[]>).mysql ?? [];
  const report = {
    label: "QEMU TCG, 2 cores, MariaDB stand-in: absolute times are upper bounds",
    stack: "vagrant-iscsi-mysql",
    database: DATABASE,
    nodeLostRunbook: runbook === "evicted" ? "out-of-service taint at eviction" : `taint after ${runbook} s`,
    finishedAt: new Date().toISOString(),
    totalSeconds: Math.round((performance.now() - started) / 1000),
    labSeconds: setup.times.lab,
    deploySeconds: setup.times.deploy,
    bootTimes: lab.bootTimes,
    /** Lost nodes booted again after their experiment. */
    restarts,
    memory: memory.peak,
    loadAtEnd: loadAverage(),
    budget: Object.fromEntries(budget.map((b) => [b.failure, b.totalSeconds])),
    results,
  };
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(outPath, `${JSON.stringify(report, null, 2)}\n`);
  if (args.includes("--record")) {
    // Formatted as the repository's Prettier would, so the recorded file passes npm run lint as written.
    const recorded = resolve(root, REAL_NODES_RESULTS);
    writeFileSync(recorded, await format(JSON.stringify(report), { filepath: recorded }));
    progress(`recorded in ${REAL_NODES_RESULTS}: run npm run docs`);
  }

  const row = (settings: SettingsName, experiment: ExperimentName) =>
    results.find((r) => r.settings === settings && r.experiment === experiment);
  const lines = [
    `| experiment | hadb RTO s | seed RTO s | hadb / seed | acknowledged writes lost (hadb, seed) | max initiators at once (hadb, seed) | hadb budget s |`,
    `| --- | ---: | ---: | ---: | --- | --- | ---: |`,
  ];
  for (const experiment of experiments) {
    const h = row("hadb", experiment);
    const s = row("seed", experiment);
    const ratio = h?.rtoSeconds && s?.rtoSeconds ? (h.rtoSeconds / s.rtoSeconds).toFixed(2) : "-";
    lines.push(
      `| ${EXPERIMENT_TITLES[experiment]} | ${h?.rtoSeconds ?? "-"} | ${s?.rtoSeconds ?? "-"} | ${ratio} | ` +
        `${h?.missing.length ?? "-"}, ${s?.missing.length ?? "-"} | ${h?.maxLiveInitiators ?? "-"}, ${s?.maxLiveInitiators ?? "-"} | ` +
        `${report.budget[experiment] ?? "-"} |`,
    );
  }
  console.log(lines.join("\n"));
  console.log(
    `\nlab ${report.labSeconds} s, deploy ${report.deploySeconds} s, total ${report.totalSeconds} s; peak memory: QEMU ${memory.peak.qemuMiB} MiB, machine ${memory.peak.hostUsedMiB} MiB; results in ${outPath}`,
  );
  const failed = results.filter((r) => r.rtoSeconds === null || r.missing.length > 0);
  if (failed.length > 0) {
    console.error(`failed: ${failed.map((r) => `${r.settings}/${r.experiment}`).join(", ")}`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
