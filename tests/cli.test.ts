// Every npm run tool: `--help` prints its usage and exits 0, a wrong argument says what is wrong and exits
// 2 without a stack trace. Synth finds the stack names and files the README teaches.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { closest, editDistance } from "../components/shared/closest";
import { resolveStackFile, StackFileError } from "../tools/synth/stackfile";
import { CHILD_PROCESS_DEADLINE_MS, PROJECT_ROOT } from "./helpers/synth";

/** The package.json scripts that are tools: `tsx tools/<x>.ts` or a bash entry point. */
const TOOLS = Object.entries(
  (
    JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    }
  ).scripts,
)
  .map(([script, command]) => ({ script, command: /^(tsx|bash) (\S+)$/.exec(command) }))
  .filter((tool): tool is { script: string; command: RegExpExecArray } => tool.command !== null);

function run(command: RegExpExecArray, args: string[]) {
  const [, runner, file = ""] = command;
  const argv = runner === "tsx" ? ["--import", "tsx", file, ...args] : [file, ...args];
  return spawnSync(runner === "tsx" ? process.execPath : "bash", argv, {
    cwd: PROJECT_ROOT,
    encoding: "utf8",
    timeout: CHILD_PROCESS_DEADLINE_MS,
  });
}

describe("npm run <tool> -- --help", () => {
  it("covers synth, dr, chaos, docs, bench, bench:failover, bench:fencing, test:e2e and test:engine", () => {
    assert.deepEqual(TOOLS.map((tool) => tool.script).sort(), [
      "bench",
      "bench:failover",
      "bench:fencing",
      "chaos",
      "docs",
      "dr",
      "synth",
      "test:e2e",
      "test:engine",
    ]);
  });

  for (const { script, command } of TOOLS) {
    it(`${script}: --help exits 0 with its usage; an unknown argument exits 2 without a stack trace`, () => {
      const help = run(command, ["--help"]);
      assert.equal(help.status, 0, help.stderr);
      assert.match(help.stdout, /^usage: npm run /);
      const wrong = run(command, ["--no-such-option"]);
      assert.equal(wrong.status, 2, wrong.stdout + wrong.stderr);
      assert.match(wrong.stderr, /no-such-option/);
      assert.doesNotMatch(wrong.stderr, /\n\s+at /);
    });
  }

  it("dr: an unknown command is named as one", () => {
    const dr = TOOLS.find((tool) => tool.script === "dr");
    assert.ok(dr);
    const result = run(dr.command, ["activate"]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /unknown command "activate": the commands are failover and failback/);
  });
});

describe("synth: which stack file a name means", () => {
  const project = mkdtempSync(join(tmpdir(), "hadb-project-"));
  mkdirSync(join(project, "stacks"));
  writeFileSync(join(project, "stacks", "dev.yaml"), "config: {}\n");
  writeFileSync(join(project, "Pulumi.prod-orders.yaml"), "config: {}\n");

  it("a ready stack in stacks/, then the user's Pulumi.<stack>.yaml, then a path", () => {
    assert.deepEqual(resolveStackFile(project, "dev", project), {
      stack: "dev",
      path: join(project, "stacks", "dev.yaml"),
    });
    assert.deepEqual(resolveStackFile(project, "prod-orders", project), {
      stack: "prod-orders",
      path: join(project, "Pulumi.prod-orders.yaml"),
    });
    assert.deepEqual(resolveStackFile(project, "Pulumi.prod-orders.yaml", project), {
      stack: "prod-orders",
      path: join(project, "Pulumi.prod-orders.yaml"),
    });
    // A path is taken from where npm was run, else from the project.
    const elsewhere = mkdtempSync(join(tmpdir(), "hadb-cwd-"));
    assert.equal(
      resolveStackFile(project, "stacks/dev.yaml", elsewhere).path,
      join(project, "stacks", "dev.yaml"),
    );
  });

  it("an unknown name lists both kinds of stacks and the nearest name", () => {
    assert.throws(
      () => resolveStackFile(project, "prod-order", project),
      (error: unknown) =>
        error instanceof StackFileError &&
        /did you mean prod-orders\?/.test(error.message) &&
        /ready stacks \(stacks\/\): dev/.test(error.message) &&
        /your stacks \(Pulumi\.<stack>\.yaml\): prod-orders/.test(error.message),
    );
  });

  it("near names: one slip in a short word, two in a long one, swaps count once", () => {
    assert.equal(editDistance("dve", "dev"), 1);
    assert.equal(editDistance("HADB", "hadb"), 0);
    assert.equal(closest("hdb", ["hadb"]), "hadb");
    assert.equal(closest("storag", ["storage", "zones"]), "storage");
    assert.equal(closest("nodeCout", ["nodeCount", "nodeOs"]), "nodeCount");
    assert.equal(closest("aws", ["hadb"]), undefined);
    assert.equal(closest("db", ["hadb"]), undefined);
  });
});
