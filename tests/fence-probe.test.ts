// The partition test's evidence (test/nodes/fence-probe.ts, fence-probe.sh) and its verdicts
// (test/nodes/fencing-verdicts.ts), without VMs: the probe's own script writes marker blocks into a
// file standing in for the LUN, and the scan, the classification against the fence and the verdicts
// must tell a write that got through the fence from one that did not.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { classifyProbe, markersOnLun, parseProbeLog, PROBE_SCRIPT } from "../test/nodes/fence-probe";
import { fencingVerdicts, type FencingRun } from "../test/nodes/fencing-verdicts";
import type { RealExperimentResult } from "../test/nodes/failover";
import type { PartitionOutcome } from "../test/nodes/fencing";

/** A marker block exactly as fence-probe.sh writes it (yes | tr | dd, 4 KiB at block n). */
function writeMarker(file: string, run: string, n: number): void {
  const dd = spawnSync(
    "bash",
    [
      "-c",
      `yes "HADBPROBE:${run}:${n}:" | tr -d '\\n' | dd of="${file}" bs=4096 count=1 seek=${n} iflag=fullblock conv=notrunc status=none`,
    ],
    { encoding: "utf8" },
  );
  assert.equal(dd.status, 0, dd.stderr);
}

describe("partition test evidence", () => {
  it("finds exactly the marker blocks of its own run in a LUN image", () => {
    const dir = mkdtempSync(join(tmpdir(), "hadb-probe-"));
    try {
      const lun = join(dir, "lun-1.img");
      writeFileSync(lun, Buffer.alloc(0));
      for (const n of [1, 2, 7, 1500]) writeMarker(lun, "0a1b2c3d", n);
      writeMarker(lun, "ffffffff", 3); // another run's marker
      assert.deepEqual(
        [...markersOnLun(lun, "0a1b2c3d")].sort((a, b) => a - b),
        [1, 2, 7, 1500],
      );
      assert.deepEqual([...markersOnLun(lun, "ffffffff")], [3]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the probe script refuses a run id that is not 8 hex digits", () => {
    const result = spawnSync("bash", [PROBE_SCRIPT, "x; rm -rf /"], { encoding: "utf8" });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /usage/);
  });

  it("maps the guest clock and classifies each write against the fence", () => {
    // Guest clock 5 s ahead of the host's.
    const log = [
      "1 15000000000 15100000000 ok",
      "2 16000000000 16200000000 ok",
      "3 19000000000 25000000000 fail",
      "4 26000000000 26100000000 fail",
      "5 27000000000 27100000000 ok",
      "garbage",
    ].join("\n");
    const writes = parseProbeLog(log, 5000);
    assert.deepEqual(writes[0], { n: 1, startMs: 10_000, endMs: 10_100, acknowledged: true });
    const fence = { fenceStartMs: 12_000, fenceDoneMs: 14_000, uncertaintyMs: 500 };
    const verdict = classifyProbe(writes, new Set([1, 2, 5]), fence);
    assert.deepEqual(verdict.before, { attempted: 2, acknowledged: 2, acknowledgedOnLun: 2 });
    // Write 3 started before the fence and ended after it: in flight, either outcome is safe.
    assert.equal(verdict.during, 1);
    assert.deepEqual(verdict.after, { attempted: 2, acknowledged: 1, acknowledgedUnmounted: 0, onLun: [5] });
  });
});

describe("fence-probe.sh's log", () => {
  it("keeps dd's error and marks writes made after the volume was unmounted", () => {
    const log = [
      "1 15000000000 15100000000 fail Input/output error",
      "2 unmounted",
      "2 16000000000 16200000000 ok",
      "3 17000000000 17100000000 ok",
    ].join("\n");
    const writes = parseProbeLog(log, 0);
    assert.deepEqual(writes, [
      { n: 1, startMs: 15_000, endMs: 15_100, acknowledged: false, error: "Input/output error" },
      { n: 2, startMs: 16_000, endMs: 16_200, acknowledged: true, unmounted: true },
      { n: 3, startMs: 17_000, endMs: 17_100, acknowledged: true },
    ]);
    // All after the fence: one of the acknowledged went to the node's own disk, not the volume.
    const fence = { fenceStartMs: 14_000, fenceDoneMs: 14_500, uncertaintyMs: 100 };
    assert.deepEqual(classifyProbe(writes, new Set(), fence).after, {
      attempted: 3,
      acknowledged: 2,
      acknowledgedUnmounted: 1,
      onLun: [],
    });
  });
});

const result = (over: Partial<RealExperimentResult>): RealExperimentResult => ({
  settings: "hadb",
  experiment: "nodeLost",
  rtoSeconds: 60,
  podReadySeconds: 55,
  acknowledged: 100,
  missing: [],
  unacknowledgedPresent: 0,
  maxInitiators: 2,
  maxLiveInitiators: 1,
  from: { pod: "a", node: "hadb-k8s-1" },
  to: { pod: "b", node: "hadb-k8s-2" },
  intervention: null,
  timeline: [],
  load: { before: "", after: "" },
  startedAt: "",
  fault: "node lost",
  faultEpochMs: 0,
  ...over,
});

const partition = (over: Partial<PartitionOutcome> = {}): PartitionOutcome => ({
  node: "hadb-k8s-1",
  result: result({}),
  fenceStarted: 27,
  fenced: 28,
  letBackInSeconds: 2,
  rebooted: true,
  probe: {
    run: "0a1b2c3d",
    clockUncertaintyMs: 200,
    before: { attempted: 40, acknowledged: 40, acknowledgedOnLun: 40 },
    after: { attempted: 3, acknowledged: 0, acknowledgedUnmounted: 0, onLun: [] },
    during: 1,
    writes: [],
  },
  guestKernel: [],
  sessionsAfterFence: 0,
  postFenceWaitSeconds: 30,
  healed: { readyAfterSeconds: 5, stillFenced: true, held: true, sessions: 0 },
  ...over,
});

describe("fencing acceptance verdicts", () => {
  const run = (over: Partial<FencingRun> = {}): FencingRun => ({
    fenced: { result: result({ rtoSeconds: 70 }), fenceStarted: 27, fenced: 28, letBackInSeconds: 2 },
    partition: partition(),
    unfenced: result({
      rtoSeconds: 700,
      intervention: { atSeconds: 600, what: "runbook", rtoAfterSeconds: 80 },
    }),
    seed: result({
      settings: "seed",
      rtoSeconds: 720,
      intervention: { atSeconds: 600, what: "runbook", rtoAfterSeconds: 100 },
    }),
    unattendedSeconds: 600,
    budget: { failure: "nodeLost", steps: [], totalSeconds: 68 },
    ...over,
  });
  const failing = (r: FencingRun) =>
    fencingVerdicts(r)
      .filter((v) => !v.ok)
      .map((v) => v.item);

  it("a run that meets the acceptance passes every item", () => {
    assert.deepEqual(failing(run()), []);
  });

  it("fails the partition item when a marker written after the fence is on the LUN", () => {
    const leaked = partition({
      probe: {
        ...partition().probe,
        after: { attempted: 3, acknowledged: 0, acknowledgedUnmounted: 0, onLun: [41] },
      },
    });
    assert.deepEqual(failing(run({ partition: leaked })), [
      "partition: fenced, database back elsewhere, 0 writes from the fenced node on the LUN",
    ]);
  });

  it("fails when the scan could not see the node's acknowledged writes (a blind check proves nothing)", () => {
    const blind = partition({
      probe: { ...partition().probe, before: { attempted: 40, acknowledged: 40, acknowledgedOnLun: 0 } },
    });
    assert.equal(failing(run({ partition: blind })).length, 1);
  });

  it("fails the ratio beyond 0.2 x the unattended wait, and the budget beyond 20 % of the measurement", () => {
    const slow = run({
      fenced: { result: result({ rtoSeconds: 130 }), fenceStarted: 27, fenced: 28, letBackInSeconds: 2 },
    });
    assert.deepEqual(failing(slow), [
      "RTO with fencing <= 0.2 x without fencing, same run",
      "RTO with fencing <= 0.2 x with the seed's settings, same run",
      "failoverBudget node lost <= 90 s and within 20 % of the measured fenced RTO",
    ]);
  });

  it("leaves out the items of experiments not asked for, but fails one that errored", () => {
    const partial = fencingVerdicts(run({ unfenced: undefined }));
    assert.deepEqual(
      partial.map((v) => v.item),
      [
        "node lost with fencing: back, 0 acknowledged writes lost",
        "node lost with the seed's settings: not back by itself",
        "RTO with fencing <= 0.2 x with the seed's settings, same run",
        "failoverBudget node lost <= 90 s and within 20 % of the measured fenced RTO",
        "partition: fenced, database back elsewhere, 0 writes from the fenced node on the LUN",
      ],
    );
    assert.deepEqual(failing(run({ partition: { error: "VM did not boot" } })), [
      "partition: fenced, database back elsewhere, 0 writes from the fenced node on the LUN",
    ]);
  });

  it("fails when the database came back without fencing (the comparison would be wrong) or lost a write", () => {
    assert.ok(
      failing(run({ unfenced: result({ rtoSeconds: 90 }) })).includes(
        "node lost without fencing: not back by itself",
      ),
    );
    assert.deepEqual(failing(run({ seed: result({ settings: "seed", rtoSeconds: 400, missing: [3] }) })), [
      "node lost with the seed's settings: not back by itself",
      "RTO with fencing <= 0.2 x with the seed's settings, same run",
    ]);
    const lost = run({
      fenced: { result: result({ missing: [12] }), fenceStarted: 1, fenced: 2, letBackInSeconds: 2 },
    });
    assert.ok(failing(lost).includes("node lost with fencing: back, 0 acknowledged writes lost"));
  });
});
