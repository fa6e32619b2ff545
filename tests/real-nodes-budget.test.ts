// The failover budget against the real-node tier: a database entry's `failoverMeasured` replaces the
// budget's node-side estimates, the lab stack carries what the recorded run (docs/real-nodes.json)
// measured, and with them the budget predicts that run's node loss.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resolve } from "node:path";
import { readFileSync } from "node:fs";
import { configFromMap } from "../components/config/load";
import { stackFailoverBudget } from "../components/databases/budget";
import { MEASURED_SOURCE } from "../components/failover/budget";
import { readStackFile } from "../tools/synth/stackfile";
import { readRecordedRun, recordedRunConfig } from "../tools/docs/real-nodes";
import { measuredNodeSide } from "../tools/docs/real-nodes-measured";
import type { FailoverMeasured } from "../components/config/types";

const ROOT = resolve(__dirname, "..");
const MEASURED: FailoverMeasured = {
  attachSeconds: 3.1,
  containerStartSeconds: 19.4,
  readySeconds: 10.7,
  source: "a test run",
};
const labConfig = (measured?: unknown) =>
  configFromMap({
    "hadb:cloud": "vagrant",
    "hadb:storage": "iscsi",
    "hadb:evictionTolerationSeconds": "10",
    // Released by the runbook's taint at eviction (what bench:nodes does): no agent steps in between.
    "hadb:fencing": JSON.stringify({ mode: "off" }),
    "hadb:iscsi": JSON.stringify({ target: "vagrant" }),
    "hadb:databases": JSON.stringify([
      { engine: "mysql", name: "mysql", ...(measured === undefined ? {} : { failoverMeasured: measured }) },
    ]),
  });
describe("failover budget with measured node-side steps", () => {
  const estimated = stackFailoverBudget(labConfig()).mysql ?? [];
  const measured = stackFailoverBudget(labConfig(MEASURED)).mysql ?? [];

  it("replaces the storage and engine estimates and keeps the control-plane steps", () => {
    const lost = measured.find((b) => b.failure === "nodeLost");
    const estimatedLost = estimated.find((b) => b.failure === "nodeLost");
    assert.ok(lost && estimatedLost);
    const fromMeasurement = lost.steps.filter((s) => s.source === "measured: a test run");
    assert.deepEqual(
      fromMeasurement.map((s) => s.seconds),
      [3.1, 19.4, 10.7],
    );
    // Detection, eviction and release are what the stack's settings decide: unchanged.
    assert.deepEqual(
      lost.steps.filter((s) => !s.source.startsWith(MEASURED_SOURCE)),
      estimatedLost.steps.slice(0, 3),
    );
    assert.equal(lost.totalSeconds, 17 + 10 + 0 + 3.1 + 19.4 + 10.7);
    const dies = measured.find((b) => b.failure === "processDies");
    assert.deepEqual(
      dies?.steps.map((s) => s.seconds),
      [30, 0, 10.7],
    );
  });
});

describe("the lab stack against its recorded real-node run", () => {
  const run = readRecordedRun(ROOT);
  const stack = readStackFile(ROOT, run.stack);
  const entry = (
    JSON.parse(stack.config["hadb:databases"] ?? "[]") as {
      name: string;
      failoverMeasured?: FailoverMeasured;
    }[]
  ).find((d) => d.name === run.database);

  it("carries the node-side spans the run measured (re-record, then update the stack)", () => {
    const { source: _source, ...spans } = entry?.failoverMeasured ?? ({} as FailoverMeasured);
    assert.deepEqual(spans, measuredNodeSide(run));
  });

  it("predicts the run's node loss within 20 %", () => {
    const budget = stackFailoverBudget(recordedRunConfig(ROOT, run))[run.database]?.find(
      (b) => b.failure === "nodeLost",
    );
    const lost = run.results.find((r) => r.settings === "hadb" && r.experiment === "nodeLost");
    assert.ok(budget && lost?.rtoSeconds);
    assert.ok(
      Math.abs(budget.totalSeconds - lost.rtoSeconds) <= 0.2 * lost.rtoSeconds,
      `budget ${budget.totalSeconds} s against ${lost.rtoSeconds} s measured`,
    );
  });

  it("predicts the fenced node loss of the recorded fencing run within 20 % (hadb's own settings)", () => {
    const fencingRun = JSON.parse(readFileSync(resolve(ROOT, "docs/fencing-run.json"), "utf8")) as {
      stack: string;
      fenced: { result: { rtoSeconds: number | null } };
    };
    assert.equal(fencingRun.stack, run.stack);
    const measured = fencingRun.fenced.result.rtoSeconds;
    const budget = stackFailoverBudget(configFromMap(stack.config))[run.database]?.find(
      (b) => b.failure === "nodeLost",
    );
    assert.ok(budget && measured);
    assert.ok(budget.totalSeconds <= 90, `budget ${budget.totalSeconds} s`);
    assert.ok(
      Math.abs(budget.totalSeconds - measured) <= 0.2 * measured,
      `budget ${budget.totalSeconds} s against ${measured} s measured`,
    );
  });
});
