// Tier 3 (real control plane): the seed's four failover experiments on hadb's dev IRIS manifests, on a
// real API server, controller manager and scheduler with kwok-simulated nodes (self-managed timings,
// the fastest). Asserts that the database comes back Ready (on another node when the experiment takes
// its node away) and that no object was lost. No timing assertion: `npm run bench:failover` measures.
// Not proven here: anything the storage backend or the database process does (no container runs).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SELF_MANAGED_CONTROLLER_TIMINGS } from "../../components/failover/timings";
import { skipWithoutBinaries } from "../../test/controlplane/cluster";
import { EXPERIMENTS, EXPERIMENT_TITLES, type ExperimentResult } from "../../test/controlplane/experiments";
import { runSlots, startFailoverLab, type FailoverLab } from "../../test/controlplane/failover-lab";
import { synthStack } from "../helpers/synth";

// DEVELOPERS.md: in CI a missing tool is a failure, locally a skip.
const skip = skipWithoutBinaries();

/** What must survive a failover untouched: identity and content of the database's objects. */
async function snapshot(lab: FailoverLab, namespace: string): Promise<Record<string, unknown>> {
  const get = async (what: string) =>
    JSON.parse(await lab.cp.kubectl(["-n", namespace, "get", what, "-o", "json"])) as { items: any[] };
  const [secrets, configMaps, services, pvcs] = await Promise.all([
    get("secrets"),
    get("configmaps"),
    get("services"),
    get("persistentvolumeclaims"),
  ]);
  const pvs = await Promise.all(
    pvcs.items.map(async (pvc) =>
      JSON.parse(await lab.cp.kubectl(["get", "pv", pvc.spec.volumeName, "-o", "json"])),
    ),
  );
  return {
    secrets: secrets.items.map((s) => ({ name: s.metadata.name, uid: s.metadata.uid, data: s.data })),
    configMaps: configMaps.items.map((c) => ({ name: c.metadata.name, uid: c.metadata.uid, data: c.data })),
    services: services.items.map((s) => ({ name: s.metadata.name, uid: s.metadata.uid, spec: s.spec })),
    pvcs: pvcs.items.map((p) => ({
      name: p.metadata.name,
      uid: p.metadata.uid,
      phase: p.status.phase,
      volume: p.spec.volumeName,
    })),
    pvs: pvs.map((pv) => ({ name: pv.metadata.name, uid: pv.metadata.uid, claim: pv.spec.claimRef?.uid })),
  };
}

describe("e2e failover: hadb dev IRIS on simulated nodes (self-managed timings)", { skip }, () => {
  let lab: FailoverLab | undefined;
  const before_: Record<string, Record<string, unknown>> = {};
  const results = new Map<string, ExperimentResult>();

  before(async () => {
    const synth = synthStack("dev");
    lab = await startFailoverLab({
      name: "failover-e2e",
      timings: SELF_MANAGED_CONTROLLER_TIMINGS,
      hadbManifests: synth.manifests,
      hadbDeployment: "iris",
      manifestSets: ["hadb"],
    });
    for (const slot of lab.slots) before_[slot.experiment] = await snapshot(lab, slot.namespace);
    for (const result of await runSlots(lab, { timeoutSeconds: 300 })) results.set(result.experiment, result);
  });
  after(async () => {
    await lab?.stop();
  });

  for (const experiment of EXPERIMENTS) {
    it(`${EXPERIMENT_TITLES[experiment]}: the database is Ready again and no object is lost`, async (t) => {
      assert.ok(lab, "lab not started");
      const result = results.get(experiment);
      assert.ok(result, "experiment did not run");
      const { before: old, after: now } = result;
      assert.ok(now, `no Ready database pod after ${experiment}`);
      // Reported, never asserted: timings are the benchmark's business.
      t.diagnostic(
        `${old.name} on ${old.node} -> ${now.name} on ${now.node}, Ready after ${result.seconds} s`,
      );
      switch (experiment) {
        case "processDies":
          assert.equal(now.uid, old.uid, "the same pod, its container restarted");
          assert.equal(now.restarts, old.restarts + 1);
          break;
        case "podDeleted":
          assert.notEqual(now.uid, old.uid, "a new pod replaced the deleted one");
          break;
        case "nodeDrained":
        case "nodeLost":
          assert.notEqual(now.uid, old.uid);
          assert.notEqual(now.node, old.node, "the new pod runs on another node");
          break;
      }
      const slot = lab.slots.find((s) => s.experiment === experiment);
      assert.ok(slot);
      assert.deepEqual(await snapshot(lab, slot.namespace), before_[experiment], "objects unchanged");
      // One writer: exactly one Ready pod, and no second live pod on a healthy node.
      const pods = JSON.parse(await lab.cp.kubectl(["-n", slot.namespace, "get", "pods", "-o", "json"])) as {
        items: any[];
      };
      const live = pods.items.filter((p) => !p.metadata.deletionTimestamp);
      assert.equal(live.length, 1, "one live database pod");
    });
  }
});
