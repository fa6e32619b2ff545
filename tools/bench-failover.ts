// npm run bench:failover [-- --managed-stack dev] [--self-managed-stack vagrant-longhorn-iris] [--deployment iris] [--timings managed,self-managed]
//                         [--experiments processDies,podDeleted,nodeDrained,nodeLost] [--out out/bench/failover.json]
//                         [--manifests hadb,seed] [--node-monitor-period 5]
// The seed article's four failover experiments, measured side by side for hadb's manifests (from the
// stack's synth) and the seed's (test/controlplane/seed/iris.yaml), on a real control plane with
// kwok-simulated nodes, once with managed-cluster controller timings and once with self-managed
// (Vagrant) timings. Both timing variants and all experiments run at once. Seconds are from the fault
// until the database pod is Ready again; they cover what Kubernetes decides (detection, eviction,
// rescheduling, probes), not volume attach or database start (no container or storage runs here).
// A benchmark, not a test: it reports, and exits non-zero only when an experiment never recovered.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import {
  MANAGED_CONTROLLER_TIMINGS,
  SELF_MANAGED_CONTROLLER_TIMINGS,
  type ControllerTimings,
} from "../components/failover/timings";
import { missingBinaries } from "../test/controlplane/cluster";
import { EXPERIMENTS, EXPERIMENT_TITLES, type ExperimentName } from "../test/controlplane/experiments";
import { runSlots, startFailoverLab } from "../test/controlplane/failover-lab";
import type { ManifestSet } from "../test/controlplane/lab";
import { synthStack } from "../tests/helpers/synth";
import { parseOptions, refuse, stringOption } from "./cli";

const root = resolve(__dirname, "..");
const OPTION_NAMES = [
  "managed-stack",
  "self-managed-stack",
  "deployment",
  "timings",
  "experiments",
  "out",
  "manifests",
  "node-monitor-period",
] as const;
const options = parseOptions(
  process.argv.slice(2),
  `usage: npm run bench:failover [-- --managed-stack dev] [--self-managed-stack vagrant-longhorn-iris] [--deployment iris]
  [--timings managed,self-managed] [--experiments processDies,podDeleted,nodeDrained,nodeLost]
  [--manifests hadb,seed] [--node-monitor-period SECONDS] [--out out/bench/failover.json]
The seed's four failover experiments on a real control plane with simulated (kwok) nodes, hadb's manifests
next to the seed's, with managed and self-managed controller timings. Builds the control plane from Go
modules when missing (test/controlplane/build.sh). docs/failover.md`,
  Object.fromEntries(OPTION_NAMES.map((name) => [name, { type: "string" as const }])),
);
const option = (name: (typeof OPTION_NAMES)[number], fallback: string): string =>
  stringOption(options, name, fallback);

const TIMINGS: Record<string, ControllerTimings> = {
  managed: MANAGED_CONTROLLER_TIMINGS,
  "self-managed": SELF_MANAGED_CONTROLLER_TIMINGS,
};
// Each timing variant runs the manifests of the stack that has those timings: the dev stack on a managed
// cluster, and the Vagrant lab stack (with its own tolerations) on a self-managed control plane.
const STACK_FOR: Record<string, string> = {
  managed: option("managed-stack", "dev"),
  "self-managed": option("self-managed-stack", "vagrant-longhorn-iris"),
};
const deployment = option("deployment", "iris");
const timingNames = option("timings", "managed,self-managed").split(",");
const experiments = option("experiments", EXPERIMENTS.join(",")).split(",") as ExperimentName[];
const manifestSets = option("manifests", "hadb,seed").split(",");
const outPath = resolve(root, option("out", "out/bench/failover.json"));
// How often the node lifecycle controller looks at nodes: adds up to this much to node-loss detection.
// Default: the variant's own --node-monitor-period (5 s managed, 1 s in the lab).
const periodOverride =
  options["node-monitor-period"] !== undefined ? Number(option("node-monitor-period", "5")) : undefined;
// Acceptance targets (issue 3): node lost, hadb vs the seed.
const TARGETS = { selfManagedNodeLostSeconds: 30, selfManagedNodeLostRatio: 0.2, managedNodeLostSeconds: 70 };

for (const name of timingNames)
  if (!TIMINGS[name]) refuse(`unknown --timings ${name}; allowed: ${Object.keys(TIMINGS).join(", ")}`);
for (const e of experiments)
  if (!EXPERIMENTS.includes(e)) refuse(`unknown experiment ${e}; allowed: ${EXPERIMENTS.join(", ")}`);
const isManifestSet = (m: string): m is ManifestSet => m === "hadb" || m === "seed";
for (const m of manifestSets) if (!isManifestSet(m)) refuse(`unknown --manifests ${m}; allowed: hadb, seed`);
if (periodOverride !== undefined && !(periodOverride > 0))
  refuse("--node-monitor-period: expected seconds > 0");

interface Row {
  timings: string;
  experiment: ExperimentName;
  manifests: ManifestSet;
  seconds: number | null;
  fromNode: string;
  toNode: string | null;
}

async function main(): Promise<void> {
  if (missingBinaries().length > 0) {
    const build = spawnSync("bash", [join(root, "test/controlplane/build.sh")], { stdio: "inherit" });
    if (build.status !== 0) throw new Error("test/controlplane/build.sh failed");
  }
  const started = performance.now();
  const log = (message: string) => {
    console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`);
  };

  const rows: Row[] = [];
  await Promise.all(
    timingNames.map(async (timingName) => {
      const timings = TIMINGS[timingName];
      if (!timings) return;
      const stack = STACK_FOR[timingName] ?? "dev";
      const synth = synthStack(stack);
      log(`${timingName}: synth ${stack}: ${synth.manifests.length} objects`);
      const lab = await startFailoverLab({
        name: `bench-${timingName}`,
        timings,
        hadbManifests: synth.manifests,
        hadbDeployment: deployment,
        experiments,
        manifestSets: manifestSets.filter(isManifestSet),
        nodeMonitorPeriodSeconds: periodOverride ?? timings.nodeMonitorPeriodSeconds,
        onProgress: log,
      });
      try {
        log(
          `${timingName}: ${lab.slots.length} databases Available on ${lab.cp.nodes.length} nodes; faults now`,
        );
        const results = await runSlots(lab, {
          onProgress: (m) => {
            log(`${timingName}: ${m}`);
          },
        });
        for (const r of results) {
          rows.push({
            timings: timingName,
            experiment: r.experiment,
            manifests: r.manifests,
            seconds: r.seconds,
            fromNode: r.before.node,
            toNode: r.after?.node ?? null,
          });
        }
      } finally {
        await lab.stop();
      }
    }),
  );
  const wallSeconds = Math.round((performance.now() - started) / 1000);

  // null: never recovered within the timeout; undefined: not run.
  const seconds = (timings: string, experiment: string, manifests: ManifestSet) =>
    rows.find((r) => r.timings === timings && r.experiment === experiment && r.manifests === manifests)
      ?.seconds;
  const table = timingNames.flatMap((timings) =>
    experiments.map((experiment) => {
      const hadb = seconds(timings, experiment, "hadb");
      const seed = seconds(timings, experiment, "seed");
      const ratio =
        hadb != null && seed != null && seed > 0 ? Math.round((hadb / seed) * 100) / 100 : undefined;
      return { experiment, timings, hadbSeconds: hadb, seedSeconds: seed, ratio };
    }),
  );

  const show = (v: number | null | undefined) => (v === undefined ? "-" : v === null ? "never" : String(v));
  console.log("");
  console.log("experiment | controller timings | hadb s | seed s | hadb/seed");
  console.log("--- | --- | --- | --- | ---");
  for (const row of table) {
    console.log(
      [
        EXPERIMENT_TITLES[row.experiment],
        row.timings,
        show(row.hadbSeconds),
        show(row.seedSeconds),
        show(row.ratio),
      ].join(" | "),
    );
  }
  const lostSelf = table.find((r) => r.experiment === "nodeLost" && r.timings === "self-managed");
  const lostManaged = table.find((r) => r.experiment === "nodeLost" && r.timings === "managed");
  // null: not measured in this run; a database that never recovered misses its target.
  const within = (value: number | null | undefined, limit: number) =>
    value === undefined ? null : value !== null && value <= limit;
  const verdicts: Record<string, boolean | null> = {
    [`node lost, self-managed: hadb <= ${TARGETS.selfManagedNodeLostSeconds} s`]: within(
      lostSelf?.hadbSeconds,
      TARGETS.selfManagedNodeLostSeconds,
    ),
    [`node lost, self-managed: hadb <= ${TARGETS.selfManagedNodeLostRatio} x seed`]: within(
      lostSelf?.ratio,
      TARGETS.selfManagedNodeLostRatio,
    ),
    [`node lost, managed: hadb <= ${TARGETS.managedNodeLostSeconds} s`]: within(
      lostManaged?.hadbSeconds,
      TARGETS.managedNodeLostSeconds,
    ),
  };
  console.log("");
  for (const [target, met] of Object.entries(verdicts)) {
    console.log(`${met === null ? "not measured" : met ? "met     " : "MISSED  "}  ${target}`);
  }
  console.log(`\ntotal wall time ${wallSeconds} s`);

  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(
    outPath,
    JSON.stringify(
      {
        stacks: Object.fromEntries(timingNames.map((n) => [n, STACK_FOR[n]])),
        deployment,
        timings: Object.fromEntries(timingNames.map((n) => [n, TIMINGS[n]])),
        scope:
          "simulated nodes (kwok): detection, eviction, rescheduling and probes; no volume attach, no database start",
        table,
        runs: rows,
        targets: verdicts,
        wallSeconds,
      },
      null,
      2,
    ) + "\n",
  );
  console.log(`written to ${outPath}`);
  if (rows.some((r) => r.seconds === null)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
