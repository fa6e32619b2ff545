// npm run bench:fencing [-- --timings self-managed,managed] [--detection 10] [--unfenced] [--out FILE]
// The control-plane part of a lost node's timeline with hadb's fence agent (test/controlplane/
// fence-agent.ts): a real API server and controllers with kwok nodes (attach/detach handed to the
// controller), a real tgtd, the agent installed by its installer and running with the vagrant-iscsi-mysql
// stack's RBAC. The database pod's node dies; seconds from then until the node is NotReady, the agent
// starts fencing, the target refuses the node and the taint is on, the old pod is gone and the volume is
// attached to another node; beside the failover budget's steps for that part. Once with the lab's
// controller timings, once with a managed cluster's. --unfenced adds the same loss without the agent
// (waiting 480 s, past Kubernetes' 6-minute force detach). Not measured here: the kubelet's login and
// mount, the database's start (the real-node tier). Default output: out/bench/fencing.json.
// A benchmark, not a test: it reports, and exits non-zero only when a fenced volume never moved.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import {
  AGENT_POLL_SECONDS,
  AGENT_RELEASE_SECONDS,
  TARGET_FENCE_SECONDS,
} from "../components/failover/fencing";
import {
  MANAGED_CONTROLLER_TIMINGS,
  SELF_MANAGED_CONTROLLER_TIMINGS,
  type ControllerTimings,
} from "../components/failover/timings";
import { missingBinaries } from "../test/controlplane/cluster";
import {
  loseDatabaseNode,
  startFenceAgentLab,
  type NodeLossTimeline,
} from "../test/controlplane/fence-agent";
import { synthStack } from "../tests/helpers/synth";
import { parseOptions, refuse, stringOption } from "./cli";

const root = resolve(__dirname, "..");
const options = parseOptions(
  process.argv.slice(2),
  `usage: npm run bench:fencing [-- --timings self-managed,managed] [--detection 10] [--unfenced] [--out FILE]
${readFileSync(__filename, "utf8")
  .split("\n")
  .slice(1, 10)
  .join("\n")
  .replace(/^\/\/ ?/gm, "")}`,
  {
    timings: { type: "string" },
    detection: { type: "string" },
    unfenced: { type: "boolean" },
    out: { type: "string" },
  },
);
const option = (name: "timings" | "detection" | "out", fallback: string): string =>
  stringOption(options, name, fallback);
const TIMINGS: Record<string, ControllerTimings> = {
  "self-managed": SELF_MANAGED_CONTROLLER_TIMINGS,
  managed: MANAGED_CONTROLLER_TIMINGS,
};
const timingNames = option("timings", "self-managed,managed").split(",");
for (const name of timingNames)
  if (!TIMINGS[name]) refuse(`--timings: unknown ${name}; allowed: ${Object.keys(TIMINGS).join(", ")}`);
const detectionSeconds = Number(option("detection", "10"));
if (!Number.isInteger(detectionSeconds) || detectionSeconds < 0)
  refuse(`--detection: ${option("detection", "")} is not a whole number of seconds`);
const outPath = resolve(root, option("out", "out/bench/fencing.json"));
const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

/** The budget's control-plane part of the fenced timeline: up to the old pod's release. */
function budgetUntilRelease(timings: ControllerTimings): number {
  return (
    timings.nodeMonitorGracePeriodSeconds +
    timings.nodeMonitorPeriodSeconds +
    detectionSeconds +
    AGENT_POLL_SECONDS +
    TARGET_FENCE_SECONDS +
    AGENT_RELEASE_SECONDS
  );
}

async function main(): Promise<void> {
  if (missingBinaries().length > 0) {
    const build = spawnSync("bash", [join(root, "test/controlplane/build.sh")], { stdio: "inherit" });
    if (build.status !== 0) throw new Error("test/controlplane/build.sh failed");
  }
  const manifests = synthStack("vagrant-iscsi-mysql").manifests;
  const runs: (NodeLossTimeline & {
    timings: string;
    fencing: boolean;
    budgetUntilRelease: number | null;
    load: string[];
  })[] = [];
  const variants = options.unfenced === true ? [true, false] : [true];
  // One after the other: two control planes and a tgtd each would only make the timings noisier.
  for (const name of timingNames) {
    for (const fencing of variants) {
      const timings = TIMINGS[name] as ControllerTimings;
      const lab = await startFenceAgentLab({
        name: `bench-fencing-${name}`,
        timings,
        manifests,
        detectionSeconds,
        agent: fencing,
      });
      try {
        const before = loadavg();
        const target = { namespace: "hadb", deployment: "mysql", kubeconfig: lab.cp.kubeconfigPath };
        const timeline = await loseDatabaseNode(lab, target, fencing ? 300 : 480);
        runs.push({
          ...timeline,
          timings: name,
          fencing,
          budgetUntilRelease: fencing ? budgetUntilRelease(timings) : null,
          load: [before, loadavg()],
        });
        console.log(`${name}, fencing ${fencing}: ${JSON.stringify({ ...timeline, agentLines: undefined })}`);
      } finally {
        await lab.stop();
      }
    }
  }
  const show = (v: number | null) => (v === null ? "never" : String(v));
  console.log(
    "\ncontroller timings | fencing | NotReady | fencing starts | fenced + tainted | old pod gone | volume attached elsewhere | budget until release | load (1/5/15 min)",
  );
  console.log("--- | --- | --- | --- | --- | --- | --- | --- | ---");
  for (const run of runs) {
    console.log(
      [
        run.timings,
        run.fencing ? "hadb agent" : "off",
        show(run.notReady),
        show(run.fenceStarted),
        show(run.fenced),
        show(run.oldPodGone),
        show(run.volumeAttached),
        run.budgetUntilRelease === null ? "-" : String(run.budgetUntilRelease),
        run.load.join(" -> "),
      ].join(" | "),
    );
  }
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(
    outPath,
    JSON.stringify(
      {
        stack: "vagrant-iscsi-mysql",
        detectionSeconds,
        scope:
          "simulated nodes (kwok) with controller-managed attach, real control plane, real tgtd and fence agent: no kubelet login/mount, no database start",
        runs,
      },
      null,
      2,
    ) + "\n",
  );
  console.log(`written to ${outPath}`);
  if (runs.some((r) => r.fencing && r.volumeAttached === null)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
