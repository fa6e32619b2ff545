// npm run bench [-- --runs N] [--skip-test]
// Median and max over N runs (default 5) of: offline evaluation of every stack (the program's own
// evaluation time, and the wall time of a whole `npm run synth` process) and `npm run typecheck`;
// plus one timed `npm test`. Compared with the budgets; written to out/bench/bench.json.
// A benchmark, not a test: it never fails on a slow machine, it reports.

import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseOptions } from "./cli";

const root = resolve(__dirname, "..");
const options = parseOptions(
  process.argv.slice(2),
  `usage: npm run bench [-- --runs N] [--skip-test]
Median and max over N runs (default 5) of offline evaluation per stack and of typecheck, plus one timed
npm test, against their budgets; writes out/bench/bench.json. Reports, never fails on a slow machine.`,
  { runs: { type: "string" }, "skip-test": { type: "boolean" } },
);
const runs = Number(options.runs ?? 5);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`--runs ${String(options.runs)}: expected a whole number of runs, at least 1`);
  process.exit(2);
}
const skipTest = options["skip-test"] === true;

// npm test: 120 s since the three cloud SDKs joined (their type definitions, ~1.5 M lines, are read by
// both tsc and type-aware ESLint); typecheck, lint and the suites run side by side on 2 cores.
const BUDGET_MS = { evaluation: 2_000, typecheck: 20_000, test: 120_000 };

interface Row {
  what: string;
  runs: number;
  medianMs: number;
  maxMs: number;
  budgetMs?: number;
}

function timed(command: string, commandArgs: string[]): { ms: number; stdout: string } {
  const started = performance.now();
  const result = spawnSync(command, commandArgs, {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, CI: "" },
  });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`${command} ${commandArgs.join(" ")} failed:\n${result.stderr}`);
  return { ms, stdout: result.stdout };
}

function stats(what: string, samples: number[], budgetMs?: number): Row {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  return {
    what,
    runs: samples.length,
    medianMs: Math.round(median),
    maxMs: Math.round(sorted.at(-1) ?? 0),
    budgetMs,
  };
}

const rows: Row[] = [];
const stacks = readdirSync(join(root, "stacks"))
  .filter((file) => file.endsWith(".yaml"))
  .map((file) => file.replace(/\.yaml$/, ""));
for (const stack of stacks) {
  const evaluation: number[] = [];
  const wall: number[] = [];
  for (let run = 0; run < runs; run++) {
    const out = mkdtempSync(join(tmpdir(), "hadb-bench-"));
    const { ms, stdout } = timed(process.execPath, [
      "--import",
      "tsx",
      "tools/synth.ts",
      stack,
      "--out",
      out,
      "--json",
    ]);
    evaluation.push((JSON.parse(stdout) as { evaluationMs: number }).evaluationMs);
    wall.push(ms);
  }
  rows.push(stats(`evaluate ${stack} (program)`, evaluation, BUDGET_MS.evaluation));
  rows.push(stats(`synth ${stack} (whole process)`, wall));
}
const typecheck: number[] = [];
for (let run = 0; run < runs; run++) typecheck.push(timed("npm", ["run", "--silent", "typecheck"]).ms);
rows.push(stats("typecheck", typecheck, BUDGET_MS.typecheck));
if (!skipTest) rows.push(stats("npm test", [timed("npm", ["test", "--silent"]).ms], BUDGET_MS.test));

const verdict = (row: Row) =>
  row.budgetMs === undefined ? "" : row.maxMs <= row.budgetMs ? "within" : "OVER";
console.log("what | runs | median ms | max ms | budget ms | max vs budget");
for (const row of rows) {
  console.log([row.what, row.runs, row.medianMs, row.maxMs, row.budgetMs ?? "-", verdict(row)].join(" | "));
}
mkdirSync(join(root, "out", "bench"), { recursive: true });
writeFileSync(
  join(root, "out", "bench", "bench.json"),
  `${JSON.stringify({ date: new Date().toISOString(), rows }, null, 2)}\n`,
);
