// The chaos tool's decisions, pure: command-line arguments, and which database gets which experiment
// with which client, from a stack's outputs.
import { EXPERIMENTS, type ExperimentName } from "../../test/controlplane/experiments";
import type { Engine } from "./writer";

export interface ChaosArgs {
  stack: string | undefined;
  kubeconfig: string | undefined;
  experiments: ExperimentName[];
  databases: string[];
  /** Shell command that makes a node disappear; $NODE holds its name (e.g. `vagrant halt $NODE`). */
  nodeLossCommand: string | undefined;
  intervalMs: number;
  timeoutMs: number;
  /** Acknowledged writes before a fault, and after recovery, for a measurement to count. */
  warmupWrites: number;
  /** Seconds to wait for a Ready pod after a fault. */
  recoveryTimeoutSeconds: number;
  json: string | undefined;
  /** Timing only, no database client (simulated control planes run no containers). */
  writes: boolean;
}

export class UsageError extends Error {}

const DEFAULT_EXPERIMENTS: ExperimentName[] = ["processDies", "podDeleted", "nodeDrained"];

export const USAGE = `usage: npm run chaos -- --stack <name> [options]
  --stack NAME                 read kubeconfig (when hadb made the cluster), endpoints and passwords from
                               \`pulumi stack output --stack NAME --show-secrets\`
  --kubeconfig FILE            cluster access (default: the stack's kubeconfig output, else KUBECONFIG)
  --experiment LIST            comma separated: ${EXPERIMENTS.join(", ")}
                               (default: ${DEFAULT_EXPERIMENTS.join(",")}; nodeLost needs --node-loss-command)
  --database LIST              databases of the stack to test (default: all)
  --node-loss-command CMD      makes $NODE vanish, e.g. 'vagrant halt $NODE' or a cloud CLI stop command
  --interval-ms N              write every N ms (default 200)
  --timeout-ms N               a write not acknowledged within N ms fails (default 5000)
  --warmup-writes N            acknowledged writes required before and after each fault (default 10)
  --recovery-timeout N         seconds to wait for the database to come back (default 900)
  --json FILE                  also write the results as JSON (for CI)
  --no-writes                  measure pod recovery only, without a database client`;

function positiveInteger(flag: string, value: string | undefined): number {
  if (value === undefined || !/^\d+$/.test(value) || Number(value) <= 0) {
    throw new UsageError(`${flag} needs a positive integer, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

export function parseChaosArgs(argv: readonly string[]): ChaosArgs {
  const args: ChaosArgs = {
    stack: undefined,
    kubeconfig: undefined,
    experiments: DEFAULT_EXPERIMENTS,
    databases: [],
    nodeLossCommand: undefined,
    intervalMs: 200,
    timeoutMs: 5000,
    warmupWrites: 10,
    recoveryTimeoutSeconds: 900,
    json: undefined,
    writes: true,
  };
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index] ?? "";
    const value = (): string => {
      const next = argv[++index];
      if (next === undefined || next.startsWith("--")) throw new UsageError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case "--stack":
        args.stack = value();
        break;
      case "--kubeconfig":
        args.kubeconfig = value();
        break;
      case "--experiment": {
        const names = value().split(",");
        const unknown = names.filter((name) => !(EXPERIMENTS as readonly string[]).includes(name));
        if (unknown.length > 0)
          throw new UsageError(
            `unknown experiment ${unknown.join(", ")}; allowed: ${EXPERIMENTS.join(", ")}`,
          );
        args.experiments = names as ExperimentName[];
        break;
      }
      case "--database":
        args.databases = value().split(",");
        break;
      case "--node-loss-command":
        args.nodeLossCommand = value();
        break;
      case "--interval-ms":
        args.intervalMs = positiveInteger(flag, value());
        break;
      case "--timeout-ms":
        args.timeoutMs = positiveInteger(flag, value());
        break;
      case "--warmup-writes":
        args.warmupWrites = positiveInteger(flag, value());
        break;
      case "--recovery-timeout":
        args.recoveryTimeoutSeconds = positiveInteger(flag, value());
        break;
      case "--json":
        args.json = value();
        break;
      case "--no-writes":
        args.writes = false;
        break;
      default:
        throw new UsageError(`unknown argument ${JSON.stringify(flag)}`);
    }
  }
  if (args.stack === undefined) throw new UsageError("--stack is required");
  if (args.experiments.includes("nodeLost") && args.nodeLossCommand === undefined) {
    throw new UsageError(
      "nodeLost needs --node-loss-command: hadb cannot power off a machine by itself (e.g. 'vagrant halt $NODE')",
    );
  }
  if (args.timeoutMs < args.intervalMs) throw new UsageError("--timeout-ms must be at least --interval-ms");
  return args;
}

/** The parts of hadb's stack outputs the chaos tool reads (docs/outputs.md). */
export interface StackOutputs {
  kubeconfig?: string;
  databases: Record<
    string,
    {
      engine: Engine;
      namespace: string;
      host: string;
      ports: Record<string, number>;
      username: string;
      database?: string;
    }
  >;
  databasePasswords: Record<string, string>;
}

export function parseStackOutputs(json: string): StackOutputs {
  const parsed = JSON.parse(json) as Partial<StackOutputs>;
  if (typeof parsed.databases !== "object" || typeof parsed.databasePasswords !== "object") {
    throw new UsageError(
      "the stack has no `databases`/`databasePasswords` outputs: is it a hadb stack that was deployed?",
    );
  }
  return parsed as StackOutputs;
}

export interface PlannedRun {
  database: string;
  engine: Engine;
  namespace: string;
  /** Deployment and Service name (hadb names both after the database). */
  deployment: string;
  /** Service port the SQL clients forward to. */
  port: number | undefined;
  username: string;
  databaseName: string | undefined;
  experiments: ExperimentName[];
}

export function planRuns(outputs: StackOutputs, args: ChaosArgs): PlannedRun[] {
  const names = Object.keys(outputs.databases);
  const selected = args.databases.length > 0 ? args.databases : names;
  const unknown = selected.filter((name) => !names.includes(name));
  if (unknown.length > 0)
    throw new UsageError(`no database ${unknown.join(", ")} in the stack; it has: ${names.join(", ")}`);
  return selected.map((name) => {
    const endpoint = outputs.databases[name];
    if (!endpoint) throw new UsageError(`no database ${name}`);
    return {
      database: name,
      engine: endpoint.engine,
      namespace: endpoint.namespace,
      deployment: name,
      port: endpoint.engine === "iris" ? undefined : Object.values(endpoint.ports)[0],
      username: endpoint.username,
      databaseName: endpoint.database,
      experiments: args.experiments,
    };
  });
}

/** How the database process is stopped inside its container (the container itself keeps running). */
export function stopProcessCommand(engine: Engine): string[] {
  switch (engine) {
    case "iris":
      return ["iris", "stop", "IRIS", "quietly"];
    case "mysql":
      // The root password is in the container's environment (from the Secret), never on this command line.
      return ["sh", "-c", 'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysqladmin -u root shutdown'];
    case "postgres":
      return ["sh", "-c", 'pg_ctl stop -m fast -D "$PGDATA"'];
  }
}
