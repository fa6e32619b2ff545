// npm run dr -- <failover | failback> --outputs standby.json [--standby-kubeconfig FILE]
//                [--primary-kubeconfig FILE | --primary-unreachable] [--dry-run]
// Fails a DR pair over to its standby, or back. standby.json is `pulumi stack output --json` of the
// STANDBY stack; kubeconfigs are files (`pulumi stack output --show-secrets kubeconfig > file`).
// --dry-run prints the plan and touches nothing. docs/disaster-recovery.md.
import { readFileSync } from "node:fs";
import { wantsHelp } from "./cli";
import { blockingSleep, kubectlWith, runPlan } from "./dr/run";
import { describeStep, parseStandbyOutput, planDisasterRecovery, PlanError, type DrAction } from "./dr/plan";

const USAGE =
  "usage: npm run dr -- <failover | failback> --outputs standby.json [--standby-kubeconfig FILE] [--primary-kubeconfig FILE | --primary-unreachable] [--dry-run]";

export interface DrArgs {
  action: DrAction;
  outputs: string;
  standbyKubeconfig?: string;
  primaryKubeconfig?: string;
  primaryUnreachable: boolean;
  dryRun: boolean;
}

const HELP = `${USAGE}
  failover                 make the standby site live (the primary is stopped first when it answers)
  failback                 PX-DR only: return to the primary (Longhorn DR: swap the roles and pulumi up)
  --outputs FILE           pulumi stack output --json of the STANDBY stack
  --standby-kubeconfig F   pulumi stack output --show-secrets kubeconfig of the standby
  --primary-kubeconfig F   the same for the primary, when it still answers
  --primary-unreachable    the primary is gone: do not try to stop it
  --dry-run                print the plan and change nothing
docs/disaster-recovery.md`;

export function parseDrArgs(argv: string[]): DrArgs {
  const [action, ...rest] = argv;
  if (action === undefined) throw new PlanError(`which command? failover or failback\n${USAGE}`);
  if (action !== "failover" && action !== "failback")
    throw new PlanError(
      `unknown command ${JSON.stringify(action)}: the commands are failover and failback\n${USAGE}`,
    );
  const args: DrArgs = { action, outputs: "", primaryUnreachable: false, dryRun: false };
  for (let index = 0; index < rest.length; index++) {
    const flag = rest[index];
    const value = () => {
      const next = rest[++index];
      if (next === undefined) throw new PlanError(`${flag} needs a value\n${USAGE}`);
      return next;
    };
    if (flag === "--outputs") args.outputs = value();
    else if (flag === "--standby-kubeconfig") args.standbyKubeconfig = value();
    else if (flag === "--primary-kubeconfig") args.primaryKubeconfig = value();
    else if (flag === "--primary-unreachable") args.primaryUnreachable = true;
    else if (flag === "--dry-run") args.dryRun = true;
    else throw new PlanError(`unknown argument ${JSON.stringify(flag)}\n${USAGE}`);
  }
  if (args.outputs === "") throw new PlanError(`--outputs is required\n${USAGE}`);
  if (args.primaryUnreachable && args.primaryKubeconfig !== undefined)
    throw new PlanError("--primary-unreachable and --primary-kubeconfig contradict each other");
  if (!args.dryRun) {
    if (args.standbyKubeconfig === undefined)
      throw new PlanError(`--standby-kubeconfig is required\n${USAGE}`);
    if (!args.primaryUnreachable && args.primaryKubeconfig === undefined)
      throw new PlanError(
        "say how the primary is: --primary-kubeconfig FILE (it answers) or --primary-unreachable (it is gone)",
      );
  }
  return args;
}

/** The standby's `pulumi stack output --json`, or a one-line reason why not. */
function readOutputs(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new PlanError(
      `cannot read --outputs ${file} (pulumi stack output -s <standby> --json > ${file}): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function main(): void {
  if (wantsHelp(process.argv.slice(2))) {
    console.log(HELP);
    return;
  }
  const args = parseDrArgs(process.argv.slice(2));
  const dr = parseStandbyOutput(readOutputs(args.outputs));
  const steps = planDisasterRecovery(dr, { action: args.action, primaryReachable: !args.primaryUnreachable });
  if (args.dryRun) {
    steps.forEach((step, index) => {
      console.log(describeStep(step, index));
    });
    return;
  }
  runPlan(steps, {
    kubectl: kubectlWith({
      standby: args.standbyKubeconfig,
      ...(args.primaryKubeconfig !== undefined ? { primary: args.primaryKubeconfig } : {}),
    }),
    log: (line) => {
      console.log(line);
    },
    sleep: blockingSleep,
    now: () => Date.now(),
    timeoutMs: 15 * 60_000,
    pollMs: 5_000,
  });
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(error instanceof PlanError ? 2 : 1);
  }
}
