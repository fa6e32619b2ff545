// Tier 3 (real control plane): hadb's fence agent, installed by its own installer and running with the
// vagrant-iscsi-mysql stack's ServiceAccount (least-privilege RBAC), against a real API server with kwok
// nodes (attach/detach handed to the controller, as kubelets do) and a real tgtd. A node's kubelet dies:
// the agent fences it at the target, then taints it out-of-service, and the attach/detach controller
// moves the database's iSCSI volume to another node. The node comes back without a reboot: it stays
// fenced. It reboots: it is let in again and untainted. Two of three nodes lost: nothing is fenced. No
// timing assertion (`npm run bench:fencing` measures); not proven here: the kubelet's login and mount
// and the database's start (the real-node tier).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SELF_MANAGED_CONTROLLER_TIMINGS } from "../../components/failover/timings";
import { FENCE_ANNOTATION } from "../../components/storage/iscsi/fence-agent/kube";
import { OUT_OF_SERVICE_TAINT } from "../../components/storage/iscsi/fence-agent/plan";
import { skipWithoutBinaries } from "../../test/controlplane/cluster";
import {
  loseDatabaseNode,
  nodeAddress,
  nodeName,
  startFenceAgentLab,
  type FenceAgentLab,
  type NodeLossTimeline,
} from "../../test/controlplane/fence-agent";
import { waitFor } from "../../test/controlplane/procs";
import { synthStack } from "../helpers/synth";
import { unavailable } from "../helpers/tgtd";

const skip = skipWithoutBinaries() || (!process.env.CI && unavailable(["tgtd", "tgtadm"], true)) || false;
const DETECTION_SECONDS = 10;
const target = { namespace: "hadb", deployment: "mysql", kubeconfig: "" };

interface NodeState {
  ready: string | undefined;
  taints: { key: string; value?: string; effect: string }[];
  annotations: Record<string, string>;
}

describe(
  "e2e fencing: hadb's fence agent on simulated nodes with a real tgtd (lab timings)",
  { skip },
  () => {
    let lab: FenceAgentLab | undefined;
    let lost: NodeLossTimeline | undefined;

    const nodeState = async (name: string): Promise<NodeState> => {
      const node = await (lab as FenceAgentLab).api.get<{
        metadata: { annotations?: Record<string, string> };
        spec?: { taints?: NodeState["taints"] };
        status?: { conditions?: { type: string; status: string }[] };
      }>(`/api/v1/nodes/${name}`);
      return {
        ready: node.status?.conditions?.find((c) => c.type === "Ready")?.status,
        taints: node.spec?.taints ?? [],
        annotations: node.metadata.annotations ?? {},
      };
    };
    const fencedTaint = (state: NodeState) =>
      state.taints.some((t) => t.key === OUT_OF_SERVICE_TAINT.key && t.value === OUT_OF_SERVICE_TAINT.value);
    const acl = () =>
      (lab as FenceAgentLab).tgtd
        .tgtadm("--lld", "iscsi", "--op", "show", "--mode", "target")
        .stdout.split("ACL information:")[1]
        ?.trim()
        .split(/\s+/) ?? [];

    before(async () => {
      lab = await startFenceAgentLab({
        name: "fencing-e2e",
        timings: SELF_MANAGED_CONTROLLER_TIMINGS,
        manifests: synthStack("vagrant-iscsi-mysql").manifests,
        detectionSeconds: DETECTION_SECONDS,
      });
      target.kubeconfig = lab.cp.kubeconfigPath;
    });
    after(async () => {
      await lab?.stop();
    });

    it("a lost node is fenced at the target, then tainted, and the database comes back elsewhere", async (t) => {
      assert.ok(lab);
      lost = await loseDatabaseNode(lab, target, 240);
      t.diagnostic(JSON.stringify({ ...lost, agentLines: undefined }));
      assert.ok(
        lost.newPodReady !== null && lost.newNode,
        `the database did not come back:\n${lab.agentLog()}`,
      );
      assert.notEqual(lost.newNode, lost.node);
      // The attach/detach controller gives the volume to another node, and only after the fence began.
      const { volumeAttached, fenceStarted } = lost;
      assert.ok(
        volumeAttached !== null && fenceStarted !== null,
        `the volume never moved:\n${lab.agentLog()}`,
      );
      assert.ok(volumeAttached >= fenceStarted, JSON.stringify(lost));
      // Fenced only after the node was NotReady for the detection time (the agent's own count).
      assert.ok(lost.notReady !== null && lost.fenceStarted !== null, lab.agentLog());
      const waited = /not Ready for ([\d.]+) s/.exec(lost.agentLines.join("\n"))?.[1];
      assert.ok(Number(waited) >= DETECTION_SECONDS, `fenced after ${waited} s not Ready`);
      const index = Number(lost.node.split("-").pop());
      assert.deepEqual(
        lab.fences().map((f) => ({ address: f.address, node: f.node, bootId: f.bootId })),
        [{ address: nodeAddress(index), node: lost.node, bootId: "kwok-boot-1" }],
      );
      assert.ok(!acl().includes(nodeAddress(index)), `the target still admits ${nodeAddress(index)}`);
      const state = await nodeState(lost.node);
      assert.ok(fencedTaint(state), JSON.stringify(state.taints));
      assert.match(
        state.annotations[FENCE_ANNOTATION] ?? "",
        /fenced at the iSCSI target \(10\.250\.0\.\d refused\)/,
      );
      // The target refused the node before the taint went on: the agent's own account, in order.
      assert.match(
        lab.agentLog(),
        new RegExp(`fenced ${lost.node}: target refused it in [\\d.]+ s, tainted`),
      );
    });

    it("the node back without a reboot stays fenced and tainted", async () => {
      assert.ok(lab && lost);
      const { node } = lost;
      const { agentLog } = lab;
      await lab.bringBack(lost.node, "kwok-boot-1");
      await waitFor(
        "the node Ready again",
        async () => ((await nodeState(node)).ready === "True" ? true : undefined),
        60_000,
      );
      await waitFor(
        "the agent's word on it",
        async () =>
          Promise.resolve(
            agentLog().includes(`not fencing ${node}: Ready again without a reboot`) || undefined,
          ),
        30_000,
      );
      assert.equal(lab.fences().length, 1);
      assert.ok(fencedTaint(await nodeState(lost.node)));
    });

    it("the node rebooted: let in again at the target, taint and annotation removed", async () => {
      assert.ok(lab && lost);
      const { node } = lost;
      const { fences } = lab;
      await lab.bringBack(lost.node, "kwok-boot-2");
      await waitFor(
        "the unfence",
        async () => (fences().length === 0 && !fencedTaint(await nodeState(node)) ? true : undefined),
        60_000,
      );
      const index = Number(lost.node.split("-").pop());
      assert.ok(acl().includes(nodeAddress(index)), JSON.stringify(acl()));
      assert.equal((await nodeState(lost.node)).annotations[FENCE_ANNOTATION], undefined);
      assert.match(lab.agentLog(), new RegExp(`unfenced ${lost.node}: it rebooted`));
    });

    it("two of three nodes lost: neither is fenced (most of the cluster looks lost)", async () => {
      assert.ok(lab && lost);
      const { node } = lost;
      const { cp, agentLog } = lab;
      const others = [1, 2, 3].map(nodeName).filter((name) => name !== node);
      await Promise.all(others.map((name) => cp.killNode(name)));
      await waitFor(
        "the agent holding off",
        async () =>
          Promise.resolve(
            /not fencing hadb-k8s-\d: only 1 of 3 nodes are Ready/.test(agentLog()) || undefined,
          ),
        120_000,
      );
      assert.deepEqual(lab.fences(), []);
    });
  },
);
