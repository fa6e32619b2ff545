// The GitHub workflows parse, pin every action to an exact version, run the README's test command, and
// preview pull requests with the policy pack.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { PROJECT_ROOT } from "./helpers/synth";

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, { steps: Step[] }>;
}

const directory = join(PROJECT_ROOT, ".github", "workflows");
const workflows = Object.fromEntries(
  readdirSync(directory)
    .filter((file) => file.endsWith(".yml"))
    .map((file) => [file, parse(readFileSync(join(directory, file), "utf8")) as Workflow]),
);
const steps = (file: string) => Object.values(workflows[file]?.jobs ?? {}).flatMap((job) => job.steps);

describe("GitHub workflows", () => {
  it("parse, and every action is pinned to an exact version or commit", () => {
    assert.deepEqual(Object.keys(workflows).sort(), ["ci.yml", "preview.yml"]);
    for (const file of Object.keys(workflows)) {
      for (const step of steps(file)) {
        if (step.uses === undefined) continue;
        assert.match(step.uses, /^[\w.-]+\/[\w.-]+@(v\d+\.\d+\.\d+|[0-9a-f]{40})$/, `${file}: ${step.uses}`);
      }
    }
  });

  it("ci runs npm ci then npm test on pushes and pull requests", () => {
    const runs = steps("ci.yml").map((step) => step.run);
    assert.ok(runs.indexOf("npm ci") >= 0 && runs.indexOf("npm ci") < runs.indexOf("npm test"));
    assert.ok("pull_request" in (workflows["ci.yml"]?.on ?? {}));
  });

  it("preview runs pulumi preview with the policy pack on pull requests, commenting on the PR", () => {
    assert.ok("pull_request" in (workflows["preview.yml"]?.on ?? {}));
    const pulumi = steps("preview.yml").find((step) => step.uses?.startsWith("pulumi/actions@"));
    assert.ok(pulumi?.with);
    assert.equal(pulumi.with.command, "preview");
    assert.equal(pulumi.with.policyPacks, "policy");
    assert.equal(pulumi.with["comment-on-pr"], true);
    // Stack and backend come from repository settings, never from the file.
    assert.match(String(pulumi.with["stack-name"]), /^\$\{\{ (vars|secrets)\.\w+ \}\}$/);
    for (const value of Object.values(pulumi.env ?? {})) assert.match(value, /^\$\{\{ secrets\.\w+ \}\}$/);
    assert.ok(readdirSync(join(PROJECT_ROOT, "policy")).includes("PulumiPolicy.yaml"));
  });
});
