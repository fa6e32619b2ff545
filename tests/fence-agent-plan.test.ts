// The fence agent's decisions (components/storage/iscsi/fence-agent/plan.ts), pure: when a node is fenced,
// tainted, released, let back in; and when it is not, however long it has been silent.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  OUT_OF_SERVICE_TAINT,
  plan,
  type Action,
  type FenceRecord,
  type NodeView,
  type PlanSettings,
} from "../components/storage/iscsi/fence-agent/plan";

const settings: PlanSettings = {
  detectionSeconds: 10,
  minHealthyPercent: 51,
  initiators: ["192.168.56.11", "192.168.56.12", "192.168.56.13"],
};
const node = (index: number, extra: Partial<NodeView> = {}): NodeView => ({
  name: `hadb-k8s-${index}`,
  ready: "True",
  bootId: `boot-${index}`,
  address: `192.168.56.${10 + index}`,
  taints: [],
  ...extra,
});
const lost = (index: number, extra: Partial<NodeView> = {}) => node(index, { ready: "Unknown", ...extra });
const tainted = { taints: [{ ...OUT_OF_SERVICE_TAINT }] };
const fenceOf = (index: number, bootId = `boot-${index}`): FenceRecord => ({
  address: `192.168.56.${10 + index}`,
  node: `hadb-k8s-${index}`,
  bootId,
  fencedAt: "2026-11-29T12:00:00Z",
});
const kinds = (actions: Action[]) => actions.map((a) => `${a.kind} ${a.node}`);

describe("fence agent plan", () => {
  it("a healthy cluster: nothing to do, nothing remembered", () => {
    const pass = plan([node(1), node(2), node(3)], [], {}, 1_000, settings);
    assert.deepEqual(pass.actions, []);
    assert.deepEqual(pass.notReadySince, {});
  });

  it("a lost node is fenced once it has been not Ready for detectionSeconds, not before", () => {
    const nodes = [node(1), lost(2), node(3)];
    const first = plan(nodes, [], {}, 5_000, settings);
    assert.deepEqual(first.actions, []);
    assert.deepEqual(first.notReadySince, { "hadb-k8s-2": 5_000 });
    assert.deepEqual(plan(nodes, [], first.notReadySince, 14_999, settings).actions, []);
    assert.deepEqual(plan(nodes, [], first.notReadySince, 15_000, settings).actions, [
      { kind: "fence", node: "hadb-k8s-2", address: "192.168.56.12", bootId: "boot-2", notReadySeconds: 10 },
    ]);
  });

  it("Ready=False counts like Unknown; a node Ready again starts from zero", () => {
    const memory = plan([node(1), lost(2, { ready: "False" })], [], {}, 0, settings).notReadySince;
    assert.deepEqual(memory, { "hadb-k8s-2": 0 });
    const back = plan([node(1), node(2)], [], memory, 3_000, settings);
    assert.deepEqual(back.notReadySince, {});
    const again = plan([node(1), lost(2), node(3)], [], back.notReadySince, 12_000, settings);
    assert.deepEqual(again.actions, []);
  });

  it("detectionSeconds 0 fences on the first pass that sees the node lost", () => {
    const pass = plan([node(1), lost(2), node(3)], [], {}, 0, { ...settings, detectionSeconds: 0 });
    assert.deepEqual(kinds(pass.actions), ["fence hadb-k8s-2"]);
  });

  it("never fences while fewer than minHealthyPercent of the nodes are Ready", () => {
    const memory = { "hadb-k8s-2": 0, "hadb-k8s-3": 0 };
    const pass = plan([node(1), lost(2), lost(3)], [], memory, 60_000, settings);
    assert.deepEqual(kinds(pass.actions), ["hold hadb-k8s-2", "hold hadb-k8s-3"]);
    assert.match((pass.actions[0] as { reason: string }).reason, /only 1 of 3 nodes are Ready \(33% < 51%\)/);
    // A fenced node is not healthy: a second lost node waits too.
    const second = plan(
      [node(1), lost(2, tainted), lost(3)],
      [fenceOf(2)],
      { "hadb-k8s-3": 0 },
      60_000,
      settings,
    );
    assert.deepEqual(kinds(second.actions), ["release hadb-k8s-2", "hold hadb-k8s-3"]);
  });

  it("one fence per pass, the longest-lost node first", () => {
    const nodes = [
      node(1),
      node(2),
      node(3),
      lost(4, { address: "192.168.56.14" }),
      lost(5, { address: "192.168.56.15" }),
    ];
    const wide = { ...settings, initiators: [...settings.initiators, "192.168.56.14", "192.168.56.15"] };
    const pass = plan(nodes, [], { "hadb-k8s-4": 5_000, "hadb-k8s-5": 1_000 }, 30_000, wide);
    assert.deepEqual(kinds(pass.actions), ["fence hadb-k8s-5"]);
  });

  it("a node whose address is not one of the target's initiators is held, never fenced", () => {
    const pass = plan(
      [node(1), lost(2, { address: "10.0.0.9" }), node(3)],
      [],
      { "hadb-k8s-2": 0 },
      30_000,
      settings,
    );
    assert.deepEqual(kinds(pass.actions), ["hold hadb-k8s-2"]);
    assert.match(
      (pass.actions[0] as { reason: string }).reason,
      /10\.0\.0\.9 is not one of the target's initiators/,
    );
    const none = plan(
      [node(1), lost(2, { address: undefined }), node(3)],
      [],
      { "hadb-k8s-2": 0 },
      30_000,
      settings,
    );
    assert.deepEqual(kinds(none.actions), ["hold hadb-k8s-2"]);
  });

  it("a fenced node: tainted if the taint is missing, released while it stays lost", () => {
    assert.deepEqual(plan([node(1), lost(2), node(3)], [fenceOf(2)], {}, 0, settings).actions, [
      { kind: "taint", node: "hadb-k8s-2", fence: fenceOf(2) },
    ]);
    assert.deepEqual(
      kinds(plan([node(1), lost(2, tainted), node(3)], [fenceOf(2)], {}, 0, settings).actions),
      ["release hadb-k8s-2"],
    );
  });

  it("a fenced node Ready again without a reboot stays fenced and tainted", () => {
    const pass = plan([node(1), node(2, tainted), node(3)], [fenceOf(2)], {}, 0, settings);
    assert.deepEqual(kinds(pass.actions), ["hold hadb-k8s-2"]);
    assert.match((pass.actions[0] as { reason: string }).reason, /without a reboot \(boot boot-2\)/);
    // Not Ready with a new boot ID (booting, kubelet not up yet): still fenced.
    const booting = plan(
      [node(1), lost(2, { ...tainted, bootId: "boot-9" }), node(3)],
      [fenceOf(2)],
      {},
      0,
      settings,
    );
    assert.deepEqual(kinds(booting.actions), ["release hadb-k8s-2"]);
  });

  it("a fenced node that rebooted and is Ready is unfenced; a leftover taint is then removed", () => {
    const rebooted = node(2, { ...tainted, bootId: "boot-9" });
    assert.deepEqual(plan([node(1), rebooted, node(3)], [fenceOf(2)], {}, 0, settings).actions, [
      { kind: "unfence", node: "hadb-k8s-2", address: "192.168.56.12" },
    ]);
    assert.deepEqual(kinds(plan([node(1), rebooted, node(3)], [], {}, 0, settings).actions), [
      "untaint hadb-k8s-2",
    ]);
  });

  it("an out-of-service taint someone else applied is never touched", () => {
    const theirs = node(2, {
      taints: [{ key: OUT_OF_SERVICE_TAINT.key, value: "nodeshutdown", effect: "NoExecute" }],
    });
    assert.deepEqual(plan([node(1), theirs, node(3)], [], {}, 0, settings).actions, []);
  });
});
