// npm run chaos -- --stack <name> [--experiment …]: the seed's failover experiments against a live cluster.
// Before each fault it writes sequence-numbered rows (MySQL) or globals (IRIS) through the database's
// own client until writes flow; during the fault it keeps writing and timing; afterwards it checks that
// every acknowledged write is still there (RPO) and reports the outage (RTO) next to the pod's recovery
// time. The experiment actions are the same code the simulated control plane's benchmark runs.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  EXPERIMENT_TITLES,
  KubeApi,
  runExperiment,
  type ExperimentName,
} from "../test/controlplane/experiments";
import { wantsHelp } from "./cli";
import { realClusterFaults } from "./chaos/faults";
import { IrisStore } from "./chaos/iris";
import { MysqlStore } from "./chaos/mysql";
import {
  parseChaosArgs,
  parseStackOutputs,
  planRuns,
  USAGE,
  UsageError,
  type ChaosArgs,
  type PlannedRun,
  type StackOutputs,
} from "./chaos/plan";
import { ServicePortForward } from "./chaos/portforward";
import {
  experimentResult,
  passed,
  ProgressLine,
  renderProgress,
  resultsJson,
  resultsTable,
  type ExperimentResult,
} from "./chaos/report";
import { WriteProbe, type SequenceStore } from "./chaos/writer";

function stackOutputs(stack: string): StackOutputs {
  const result = spawnSync("pulumi", ["stack", "output", "--stack", stack, "--json", "--show-secrets"], {
    encoding: "utf8",
  });
  if (result.error)
    throw new UsageError(
      `the Pulumi CLI is needed to read stack ${stack}'s outputs (${result.error.message})`,
    );
  if (result.status !== 0)
    throw new UsageError(`pulumi stack output --stack ${stack} failed: ${result.stderr.trim()}`);
  return parseStackOutputs(result.stdout);
}

/** The kubeconfig to use: the flag, else the stack's own (hadb-made clusters), else the ambient one. */
function kubeconfigFor(args: ChaosArgs, outputs: StackOutputs): string | undefined {
  if (args.kubeconfig) return args.kubeconfig;
  if (!outputs.kubeconfig) return process.env.KUBECONFIG;
  const file = join(mkdtempSync(join(tmpdir(), "hadb-chaos-")), "kubeconfig");
  writeFileSync(file, outputs.kubeconfig, { mode: 0o600 });
  return file;
}

async function openStore(
  run: PlannedRun,
  outputs: StackOutputs,
  kubeconfig: string | undefined,
): Promise<{ store: SequenceStore; close: () => void }> {
  const password = outputs.databasePasswords[run.database] ?? "";
  if (run.engine === "iris") {
    const command = [
      "kubectl",
      ...(kubeconfig ? ["--kubeconfig", kubeconfig] : []),
      "--namespace",
      run.namespace,
    ];
    const store = new IrisStore(
      { command, pod: `deployment/${run.deployment}`, container: "iris" },
      // The application account works in its own namespace (the endpoint's database); older stacks: USER.
      { credentials: { username: run.username, password }, namespace: run.databaseName ?? "USER" },
    );
    return { store, close: () => undefined };
  }
  if (run.engine === "mysql" && run.port !== undefined) {
    const forward = await ServicePortForward.open({
      kubeconfig,
      namespace: run.namespace,
      service: run.deployment,
      port: run.port,
    });
    const store = new MysqlStore({
      host: "127.0.0.1",
      port: forward.localPort,
      user: run.username,
      password,
      database: run.databaseName ?? "",
    });
    return {
      store,
      close: () => {
        forward.close();
      },
    };
  }
  throw new UsageError(`the chaos tool cannot write to engine ${run.engine} yet`);
}

interface Measured {
  result: ExperimentResult;
  podReadySeconds: number | null;
}

async function measure(
  run: PlannedRun,
  experiment: ExperimentName,
  context: { args: ChaosArgs; outputs: StackOutputs; kubeconfig: string | undefined; api: KubeApi },
): Promise<Measured> {
  const { args, kubeconfig, api } = context;
  const faults = realClusterFaults({
    kubeconfig,
    engine: run.engine,
    container: run.engine,
    nodeLossCommand: args.nodeLossCommand,
  });
  const target = { kubeconfig: kubeconfig ?? "", namespace: run.namespace, deployment: run.deployment };
  const label = `${run.database} ${EXPERIMENT_TITLES[experiment]}`;
  if (!args.writes) {
    const pod = await runExperiment(api, target, experiment, faults, {
      timeoutSeconds: args.recoveryTimeoutSeconds,
      onProgress: console.log,
    });
    const empty = {
      engine: run.engine,
      startedAt: 0,
      stoppedAt: 0,
      attempts: 0,
      acknowledged: 0,
      failed: 0,
      outages: [],
      longestOutageMs: 0,
      totalOutageMs: 0,
      recovered: pod.seconds !== null,
    };
    return {
      result: experimentResult(experiment, run.database, empty, {
        acknowledged: 0,
        missing: [],
        unacknowledgedPresent: 0,
        ok: true,
      }),
      podReadySeconds: pod.seconds,
    };
  }
  const { store, close } = await openStore(run, context.outputs, kubeconfig);
  const probe = new WriteProbe(store, { intervalMs: args.intervalMs, timeoutMs: args.timeoutMs });
  const line = new ProgressLine(process.stderr);
  const ticker = setInterval(() => {
    line.update(renderProgress(label, probe.progress()));
  }, 500);
  try {
    await store.prepare();
    probe.start();
    await probe.waitFor(
      (p) => p.progress().acknowledged >= args.warmupWrites,
      120_000,
      `${args.warmupWrites} acknowledged writes before the fault`,
    );
    const pod = await runExperiment(api, target, experiment, faults, {
      timeoutSeconds: args.recoveryTimeoutSeconds,
    });
    const acknowledgedAtRecovery = probe.progress().acknowledged;
    await probe.waitFor(
      (p) => p.progress().acknowledged >= acknowledgedAtRecovery + args.warmupWrites,
      args.recoveryTimeoutSeconds * 1000,
      "writes acknowledged again after the fault",
    );
    const report = await probe.stop();
    const verification = await probe.verify();
    line.done(renderProgress(label, probe.progress()));
    return {
      result: experimentResult(experiment, run.database, report, verification),
      podReadySeconds: pod.seconds,
    };
  } finally {
    clearInterval(ticker);
    if (probe.progress().running) await probe.stop();
    await store.close();
    close();
  }
}

async function main(): Promise<number> {
  if (wantsHelp(process.argv.slice(2))) {
    console.log(USAGE);
    return 0;
  }
  const args = parseChaosArgs(process.argv.slice(2));
  const outputs = stackOutputs(args.stack ?? "");
  const runs = planRuns(outputs, args);
  const kubeconfig = kubeconfigFor(args, outputs);
  const api = await KubeApi.start(kubeconfig ?? join(process.env.HOME ?? "", ".kube", "config"));
  const measured: Measured[] = [];
  try {
    for (const run of runs) {
      for (const experiment of run.experiments)
        measured.push(await measure(run, experiment, { args, outputs, kubeconfig, api }));
    }
  } finally {
    await api.close();
  }
  const results = measured.map((m) => m.result);
  console.log(resultsTable(results));
  console.log(
    measured
      .map(
        (m) =>
          `${m.result.database} ${m.result.experiment}: pod Ready again after ${m.podReadySeconds ?? "-"} s`,
      )
      .join("\n"),
  );
  if (args.json) {
    const json = {
      ...resultsJson(results, new Date()),
      podReadySeconds: measured.map((m) => ({
        database: m.result.database,
        experiment: m.result.experiment,
        seconds: m.podReadySeconds,
      })),
    };
    writeFileSync(args.json, `${JSON.stringify(json, null, 2)}\n`);
  }
  return results.every(passed) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) console.error(`${error.message}\n\n${USAGE}`);
    else console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(2);
  },
);
