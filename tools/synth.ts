// npm run synth -- <stack | path/to/stack.yaml> [--out DIR] [--json]
// Evaluates the real program offline with that stack's config and writes the reviewable output
// (default folder: out/synth/<stack>). Exits 1 with the config errors when the config is invalid.

import { resolve } from "node:path";
import { ConfigError } from "../components/config/validate";
import { formatBudget } from "../components/databases/budget";
import type { FailureBudget } from "../components/failover/budget";
import { EvaluationError, evaluateProgram } from "./synth/evaluate";
import { readStackFile } from "./synth/stackfile";
import { writeSynth } from "./synth/write";

/** The synth's own output (stdout); the evaluated program's log lines go to stderr. */
const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

const projectRoot = resolve(__dirname, "..");

function usage(): never {
  console.error("usage: npm run synth -- <stack | path/to/stack.yaml> [--out DIR] [--json]");
  process.exit(2);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let target: string | undefined;
  let outArg: string | undefined;
  let json = false;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? "";
    if (arg === "--out") {
      outArg = args[++index];
      if (outArg === undefined) usage();
    } else if (arg === "--json") json = true;
    else if (arg.startsWith("--") || target !== undefined) usage();
    else target = arg;
  }
  if (target === undefined) usage();

  const stackFile = readStackFile(projectRoot, target);
  const outDir = resolve(outArg ?? resolve(projectRoot, "out", "synth", stackFile.stack));
  const evaluation = await evaluateProgram({
    projectRoot,
    stack: stackFile.stack,
    config: stackFile.config,
    secretKeys: stackFile.secretKeys,
  });
  const summary = writeSynth(evaluation, outDir);
  const budgets = (evaluation.outputs.failoverBudget ?? {}) as Record<string, FailureBudget[]>;
  if (json) {
    print(JSON.stringify({ stack: stackFile.stack, outDir, ...summary }));
  } else {
    for (const [database, budget] of Object.entries(budgets)) {
      print(`failover budget of ${database} (worst case, seconds):`);
      for (const line of formatBudget(budget)) print(`  ${line}`);
    }
    print(
      `synth ${stackFile.stack}: ${summary.resources} resources, ${summary.kubernetesObjects} Kubernetes objects, ` +
        `${summary.helmReleases} Helm releases, evaluated in ${summary.evaluationMs} ms -> ${outDir}`,
    );
  }
}

main().catch((error: unknown) => {
  // The program's own validation error surfaces through the Pulumi runtime, sometimes wrapped.
  const configError = findConfigError(error);
  console.error(
    configError
      ? configError.message
      : error instanceof Error
        ? (error.stack ?? error.message)
        : String(error),
  );
  if (error instanceof EvaluationError)
    console.error(`resources registered before the error: ${error.registered}`);
  process.exit(1);
});

function findConfigError(error: unknown): Error | undefined {
  const start = error instanceof EvaluationError ? error.error : error;
  for (let current: unknown = start; current instanceof Error; current = current.cause) {
    if (current instanceof ConfigError || current.name === "ConfigError") return current;
  }
  return undefined;
}
