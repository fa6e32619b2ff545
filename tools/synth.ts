// npm run synth -- <stack | path/to/stack.yaml> [--out DIR] [--json]
// Evaluates the real program offline with that stack's config and writes the reviewable output
// (default folder: out/synth/<stack>). Exits 1 with the config errors when the config is invalid.
// A DR standby's primary (hadb:disasterRecovery.primaryStack "org/project/<name>") is evaluated first,
// from stacks/<name>.yaml in a child process, and answers the standby's StackReference.
// (--reference-outputs FILE is that child mode: it writes the outputs, secrets unredacted, to FILE.)

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ConfigError } from "../components/config/validate";
import { wantsHelp } from "./cli";
import { formatBudget } from "../components/databases/budget";
import { MEASURED_SOURCE, type FailureBudget } from "../components/failover/budget";
import { EvaluationError, evaluateProgram, SecretValue, type ReferencedStack } from "./synth/evaluate";
import {
  primaryStackOf,
  readStackFile,
  referencedStack,
  StackFileError,
  type StackFile,
} from "./synth/stackfile";
import { redact, writeSynth } from "./synth/write";

/** The synth's own output (stdout); the evaluated program's log lines go to stderr. */
const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

const projectRoot = resolve(__dirname, "..");

const USAGE = "usage: npm run synth -- <stack | path/to/stack.yaml> [--out DIR] [--json]";

const HELP = `${USAGE}
Evaluates the hadb program offline (Pulumi's mock runtime: no cluster, no credentials, no network) with a
stack's configuration and writes every resource, Kubernetes object, Helm release and output for review.
  <stack>      a ready stack in stacks/ (dev, existing-zonal, ...), a stack of yours next to Pulumi.yaml
               (prod-orders reads Pulumi.prod-orders.yaml), or a path to a stack file
  --out DIR    where to write (default: out/synth/<stack>)
  --json       print one JSON summary on stdout instead of the human summary
Exit codes: 0 evaluated, 1 invalid stack or configuration, 2 bad usage. docs/synth.md`;

function usage(problem: string): never {
  console.error(`${problem}\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let target: string | undefined;
  let outArg: string | undefined;
  let json = false;
  let referenceOutputs: string | undefined;
  if (wantsHelp(args)) {
    print(HELP);
    return;
  }
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? "";
    if (arg === "--out") {
      outArg = args[++index];
      if (outArg === undefined) usage("--out needs a directory");
    } else if (arg === "--reference-outputs") {
      referenceOutputs = args[++index];
      if (referenceOutputs === undefined) usage("--reference-outputs needs a file");
    } else if (arg === "--json") json = true;
    else if (arg.startsWith("-")) usage(`unknown option ${arg}`);
    else if (target !== undefined) usage(`one stack at a time (got ${target} and ${arg})`);
    else target = arg;
  }
  if (target === undefined) usage("which stack? e.g. npm run synth -- dev");

  const stackFile = readStackFile(projectRoot, target);
  const outDir = resolve(outArg ?? resolve(projectRoot, "out", "synth", stackFile.stack));
  const evaluation = await evaluateProgram({
    projectRoot,
    stack: stackFile.stack,
    config: stackFile.config,
    secretKeys: stackFile.secretKeys,
    stackReferences: referencedStacks(stackFile),
  });
  if (referenceOutputs !== undefined) {
    writeFileSync(referenceOutputs, JSON.stringify(asReferencedStack(evaluation.outputs)));
    return;
  }
  const summary = writeSynth(evaluation, outDir);
  const budgets = (evaluation.outputs.failoverBudget ?? {}) as Record<string, FailureBudget[]>;
  if (json) {
    print(
      JSON.stringify({ stack: stackFile.stack, outDir, ...summary, placeholders: stackFile.placeholders }),
    );
  } else {
    for (const [database, budget] of Object.entries(budgets)) {
      // Measured node-side steps (failoverMeasured) are what happened, not a worst case.
      const measured = budget.some((b) => b.steps.some((s) => s.source.startsWith(MEASURED_SOURCE)));
      print(
        `failover budget of ${database} (${measured ? "node-side steps measured" : "worst case"}, seconds):`,
      );
      for (const line of formatBudget(budget)) print(`  ${line}`);
    }
    for (const line of protectionLines(redact(evaluation.outputs) as Record<string, unknown>)) print(line);
    print(
      `synth ${stackFile.stack}: ${summary.resources} resources, ${summary.kubernetesObjects} Kubernetes objects, ` +
        `${summary.helmReleases} Helm releases, evaluated in ${summary.evaluationMs} ms -> ${outDir}`,
    );
    for (const line of placeholderLines(stackFile)) print(line);
  }
}

main().catch((error: unknown) => {
  // The program's own validation error surfaces through the Pulumi runtime, sometimes wrapped.
  const configError = findConfigError(error);
  // User errors (a bad stack name, file or config) are one message; anything else is a bug: keep its stack.
  console.error(
    configError
      ? configError.message
      : error instanceof StackFileError
        ? error.message
        : error instanceof Error
          ? (error.stack ?? error.message)
          : String(error),
  );
  if (error instanceof EvaluationError)
    console.error(`resources registered before the error: ${error.registered}`);
  process.exit(1);
});

/** Values of a copied stack file that still stand in for the user's own (docs/stacks.md). */
function placeholderLines(stackFile: StackFile): string[] {
  if (stackFile.placeholders.length === 0) return [];
  return [
    `placeholders to replace in ${stackFile.path} before pulumi preview/up (docs/stacks.md):`,
    ...stackFile.placeholders.map(
      (placeholder) => `  ${placeholder.key} = ${placeholder.value}: ${placeholder.replaceWith}`,
    ),
  ];
}

/** What a reviewer wants at a glance: where backups go, on which schedules, and the DR pairing. */
export function protectionLines(outputs: Record<string, unknown>): string[] {
  const lines: string[] = [];
  const backups = outputs.backups as Record<string, unknown> | undefined;
  const store = outputs.backupStore as Record<string, unknown> | undefined;
  if (backups) {
    lines.push("backups:");
    if (store)
      lines.push(`  bucket: ${String(store.kind)} ${String(store.bucket)} (${String(store.region)})`);
    if (typeof backups.target === "string") lines.push(`  Longhorn target: ${backups.target}`);
    if (typeof backups.resticRepository === "string")
      lines.push(`  restic repository: ${backups.resticRepository}`);
    lines.push(
      `  off-cluster: "${String(backups.schedule)}" keep ${String(backups.retain)}; snapshots: "${String(backups.snapshotSchedule)}" keep ${String(backups.snapshotRetain)}; snapshot class ${String(backups.snapshotClassName)}`,
    );
    const copies = (backups.copies ?? {}) as Record<string, string>;
    const consistency = (backups.consistency ?? {}) as Record<string, string>;
    for (const [database, method] of Object.entries(copies))
      lines.push(`  ${database}: ${method}, ${consistency[database] ?? "?"}`);
  }
  const dr = outputs.disasterRecovery as Record<string, unknown> | undefined;
  if (dr?.role === "primary") {
    const site = (dr.portworx ?? dr.longhorn ?? {}) as Record<string, unknown>;
    lines.push(`disaster recovery: primary (${String(dr.storage)}) ${JSON.stringify(site)}`);
  } else if (dr?.role === "standby") {
    const { role: _role, primaryStack, mode, ...rest } = dr;
    lines.push(`disaster recovery: standby of ${String(primaryStack)} (${String(mode)})`);
    for (const [key, value] of Object.entries(rest)) lines.push(`  ${key}: ${JSON.stringify(value)}`);
  }
  return lines;
}

/** Outputs as another stack's StackReference sees them: values plus the names of the secret ones. */
function asReferencedStack(outputs: Record<string, unknown>): ReferencedStack {
  const secretOutputNames = Object.keys(outputs).filter((name) => outputs[name] instanceof SecretValue);
  const unwrap = (value: unknown): unknown =>
    value instanceof SecretValue
      ? unwrap(value.value)
      : Array.isArray(value)
        ? value.map(unwrap)
        : value !== null && typeof value === "object"
          ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrap(v)]))
          : value;
  return { outputs: unwrap(outputs) as Record<string, unknown>, secretOutputNames };
}

/** The primary of a DR standby, evaluated offline from its stack file (one runtime per process). */
function referencedStacks(stackFile: StackFile): Record<string, ReferencedStack> {
  const reference = primaryStackOf(stackFile.config);
  if (reference === undefined) return {};
  const peer = referencedStack(reference);
  const work = mkdtempSync(join(tmpdir(), "hadb-reference-"));
  try {
    const file = join(work, "outputs.json");
    const run = spawnSync(
      process.execPath,
      ["--import", "tsx", __filename, peer, "--reference-outputs", file],
      { cwd: projectRoot, encoding: "utf8" },
    );
    if (run.status !== 0)
      throw new StackFileError(
        `evaluating the DR primary ${reference} (stack ${peer}) for the StackReference failed:\n${run.stderr.trim()}`,
      );
    return { [reference]: JSON.parse(readFileSync(file, "utf8")) as ReferencedStack };
  } finally {
    // It holds the primary's mock secrets unredacted.
    rmSync(work, { recursive: true, force: true });
  }
}

function findConfigError(error: unknown): Error | undefined {
  const start = error instanceof EvaluationError ? error.error : error;
  for (let current: unknown = start; current instanceof Error; current = current.cause) {
    if (current instanceof ConfigError || current.name === "ConfigError") return current;
  }
  return undefined;
}
