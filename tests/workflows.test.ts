// The GitHub workflows parse, pin every action to an exact version, run the README's test command, and
// preview pull requests with the policy pack.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { PR_PREVIEW_COMMAND, PULUMI_CLI_VERSION } from "../test/engine/tier";
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

  it("preview runs the real-engine tier's command (pulumi preview --policy-pack policy) and comments the PR", () => {
    assert.ok("pull_request" in (workflows["preview.yml"]?.on ?? {}));
    const setup = steps("preview.yml").find((step) => step.uses?.startsWith("pulumi/actions@"));
    assert.ok(setup?.with, "the CLI is installed by pulumi/actions");
    // The CLI the tier builds from Go modules: the release of the @pulumi/pulumi npm package.
    assert.equal(setup.with["pulumi-version"], PULUMI_CLI_VERSION);
    assert.equal(setup.with.command, undefined, "pulumi/actions only installs the CLI");
    const check = steps("preview.yml").find((step) => step.run?.includes(PR_PREVIEW_COMMAND));
    assert.ok(check, `no step runs ${PR_PREVIEW_COMMAND}`);
    assert.match(check.run ?? "", /--stack "\$PULUMI_STACK"/);
    assert.ok(steps("preview.yml").some((step) => step.run?.includes("gh pr comment")));
    // Stack and backend come from repository settings, never from the file.
    for (const value of Object.values(check.env ?? {}))
      assert.match(value, /^\$\{\{ (vars|secrets)\.\w+ \}\}$/);
    assert.ok(readdirSync(join(PROJECT_ROOT, "policy")).includes("PulumiPolicy.yaml"));
    assert.ok(readFileSync(join(PROJECT_ROOT, "docs", "policy.md"), "utf8").includes(PR_PREVIEW_COMMAND));
  });
});
