// Tier 4 (real nodes): hadb's `vagrant-iscsi-mysql` stack on 3 QEMU (TCG) VMs with a real kubelet,
// containerd, kube-proxy and iSCSI initiator, a real tgtd provisioned by iscsi-target.sh, and the MariaDB
// stand-in for MySQL. The reduced round CI runs (HADB_NODES_EXPERIMENTS, default processDies,nodeLost):
// each fault for real, with the chaos tool's writer; asserts no acknowledged write is lost, the database
// is back (on another node after a node loss) and the target never served two live initiators at once.
// No timing assertion: `npm run bench:nodes` measures, README "Measured on real nodes" reports.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SELF_MANAGED_CONTROLLER_TIMINGS } from "../../components/failover/timings";
import { EXPERIMENTS, EXPERIMENT_TITLES, type ExperimentName } from "../../test/controlplane/experiments";
import { repairAfter, runRealExperiment, type RealExperimentResult } from "../../test/nodes/failover";
import { netnsProblem, nodeAddress } from "../../test/nodes/network";
import { mysqlConnect, runAppAccountChecks } from "../../tools/smoke/app-account";
import { ZONE_LABEL } from "../../test/nodes/node-files";
import { startDatabaseLab, type DatabaseLab } from "../../test/nodes/setup";

const imageDir = process.env.HADB_NODES_IMAGE;
// Outside tests/nodes/run.sh (no namespace, no image) this tier cannot run; in CI that is a failure.
const reason = netnsProblem() ?? (imageDir ? undefined : "HADB_NODES_IMAGE unset: run npm run test:nodes");
const skip = reason !== undefined && !process.env.CI ? reason : false;

// Node lost: how long Kubernetes gets on its own before the runbook's taint (the benchmark uses 600 s).
const unattendedSeconds = Number(process.env.HADB_NODES_UNATTENDED_SECONDS ?? 600);
const experiments = (process.env.HADB_NODES_EXPERIMENTS ?? "processDies,nodeLost")
  .split(",")
  .filter((name): name is ExperimentName => (EXPERIMENTS as readonly string[]).includes(name));

describe("real nodes: vagrant-iscsi-mysql on 3 QEMU VMs (MariaDB stand-in)", { skip }, () => {
  let setup: DatabaseLab | undefined;
  const progress = (message: string) => {
    console.log(`# ${message}`);
  };

  before(async () => {
    assert.equal(reason, undefined, reason);
    setup = await startDatabaseLab({
      imageDir: imageDir ?? "",
      timings: SELF_MANAGED_CONTROLLER_TIMINGS,
      onProgress: progress,
    });
    progress(`lab up in ${setup.times.lab} s, database rolled out in ${setup.times.deploy} s`);
  });
  after(async () => {
    await setup?.lab.stop();
  });

  it("3 VMs joined as Ready nodes with their zone labels", async () => {
    assert.ok(setup);
    const { lab } = setup;
    const nodes = JSON.parse(await lab.cp.kubectl(["get", "nodes", "-o", "json"])) as {
      items: {
        metadata: { name: string; labels: Record<string, string> };
        status: { nodeInfo: { kubeletVersion: string; containerRuntimeVersion: string } };
      }[];
    };
    assert.deepEqual(nodes.items.map((n) => `${n.metadata.name} ${n.metadata.labels[ZONE_LABEL]}`).sort(), [
      "hadb-k8s-1 zone-1",
      "hadb-k8s-2 zone-2",
      "hadb-k8s-3 zone-3",
    ]);
    for (const node of nodes.items) {
      assert.match(node.status.nodeInfo.kubeletVersion, /^v1\.37\./);
      assert.match(node.status.nodeInfo.containerRuntimeVersion, /^containerd:\/\/2\./);
    }
  });

  it("the database runs from the stand-in image on the LUN, logged in from its node only", async () => {
    assert.ok(setup);
    const { lab, database } = setup;
    const pod = JSON.parse(
      await lab.cp.kubectl(["-n", database.namespace, "get", "pods", "-l", database.selector, "-o", "json"]),
    ) as { items: { spec: { nodeName: string; containers: { image: string }[] } }[] };
    assert.equal(pod.items.length, 1);
    assert.match(pod.items[0]?.spec.containers[0]?.image ?? "", /hadb-stand-in\/mariadb/);
    const node = pod.items[0]?.spec.nodeName ?? "";
    assert.deepEqual(lab.target.initiators(), [`iqn.2026-11.io.hadb.lab:${node}`]);
    // The volume is the LUN, mounted on the node through iscsi_tcp (not a local directory).
    const mounts = await lab
      .vm(node)
      .agent?.check("grep ' /var/lib/kubelet/pods/.*/volumes/kubernetes.io~iscsi/' /proc/mounts");
    assert.match(mounts ?? "", /^\/dev\/sd[a-z]+ /m);
  });

  it("the application account passes the app-user smoke checks through the NodePort", async (t) => {
    assert.ok(setup);
    const { database } = setup;
    const connect = mysqlConnect(nodeAddress(1), database.nodePort);
    const app = { user: database.user, password: database.password, database: database.database };
    // As any client would: wait (bounded) until the NodePort answers. A Ready pod does not mean every
    // node's kube-proxy has programmed the Service yet (seen: ECONNREFUSED on the pod's own node).
    const deadline = Date.now() + 180_000;
    for (let answered = false; !answered;) {
      try {
        const session = await connect(app);
        await session.close();
        answered = true;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
    }
    const checks = await runAppAccountChecks("mysql", connect, app, {
      otherDatabase: "mysql",
      otherTable: "user",
    });
    for (const check of checks)
      t.diagnostic(`${check.ok ? "ok" : "FAILED"}: ${check.check} (${check.detail})`);
    assert.deepEqual(
      checks.filter((c) => !c.ok).map((c) => `${c.check}: ${c.detail}`),
      [],
    );
  });

  const results = new Map<ExperimentName, RealExperimentResult>();
  for (const experiment of experiments) {
    it(`${EXPERIMENT_TITLES[experiment]}: back with 0 acknowledged writes lost, one live initiator at a time`, async (t) => {
      assert.ok(setup);
      const { lab, database } = setup;
      const result = await runRealExperiment(lab, database, "hadb", experiment, {
        onProgress: progress,
        unattendedSeconds,
      });
      results.set(experiment, result);
      for (const entry of result.timeline) t.diagnostic(`${entry.t.toFixed(1).padStart(7)} s  ${entry.what}`);
      t.diagnostic(`load before ${result.load.before}, after ${result.load.after}`);
      if (result.intervention)
        t.diagnostic(
          `not back after ${result.intervention.atSeconds} s by itself; ${result.intervention.what}; ` +
            `writes back ${result.intervention.rtoAfterSeconds} s later`,
        );
      assert.ok(result.to, "the database came back");
      assert.notEqual(result.rtoSeconds, null, "writes were acknowledged again");
      assert.ok(result.acknowledged > 20);
      assert.deepEqual(result.missing, [], "acknowledged writes lost");
      assert.ok(result.maxLiveInitiators <= 1, `${result.maxLiveInitiators} live initiators at once`);
      if (experiment === "nodeLost" || experiment === "nodeDrained")
        assert.notEqual(result.to.node, result.from.node);
      // The failover budget counts the runbook's out-of-service taint for iSCSI because Kubernetes alone
      // keeps the LUN on the lost node (components/storage/catalog.ts, OUT_OF_SERVICE_RELEASE): if it ever
      // releases it by itself, that step and its source are out of date.
      if (experiment === "nodeLost")
        assert.ok(
          result.intervention,
          "back without the runbook's taint: update OUT_OF_SERVICE_RELEASE in the storage catalog",
        );
      // The next experiment needs the lost node back; after the last one the lab is torn down anyway.
      if (experiment !== experiments.at(-1)) await repairAfter(lab, result);
    });
  }
});
