// hadb's fence agent on the simulated control plane (tier 3): the vagrant-iscsi-mysql stack's agent RBAC
// and MySQL objects applied to a real API server whose kwok nodes carry the lab's node names, a private
// tgtd provisioned by iscsi-target.sh with the nodes' addresses as its ACL, the agent's files laid out by
// its own installer (install.sh, HADB_FENCE_ROOT) and the agent run from them with its ServiceAccount
// token, exactly as on the lab's target VM. Shared by tests/e2e/fencing.test.ts and
// tools/bench-fencing.ts. What it cannot show: a volume's release (kwok mounts nothing) and the database's
// start; the real-node tier measures those.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { ControllerTimings } from "../../components/failover/timings";
import { VAGRANT_TARGET_IQN } from "../../components/config/iscsi";
import type { FenceRecord } from "../../components/storage/iscsi/fence-agent/plan";
import { ISCSI_NAMESPACE } from "../../components/storage/iscsi/manifests";
import type { KubeObject } from "../../tools/synth/write";
import { PrivateTgtd, secret } from "../../tests/helpers/tgtd";
import { startControlPlane, TOOLS_BIN, KWOK_NODE_LABEL, type ControlPlane } from "./cluster";
import { deploymentPods, KubeApi, waitForReadyPod, type ExperimentTarget } from "./experiments";
import { APPLY_ARGS, deployDatabase, hadbDatabase, toYaml } from "./lab";
import { listFences, startFenceAgentProcess, type FenceAgentProcess } from "./fence-agent-process";
import { launch, stopProc, type Proc } from "./procs";

const ISCSI_DIR = join(__dirname, "..", "..", "components", "storage", "iscsi");
/** Annotation the kwok node stage reports as the node's boot ID (kwok-stages.ts). */
export const BOOT_ID_ANNOTATION = "hadb.test/boot-id";
/** The lab's node names: the agent's RBAC may taint exactly these. */
export const nodeName = (index: number): string => `hadb-k8s-${index}`;
/** The address cluster.ts gives the kwok node of that index (1-based). */
export const nodeAddress = (index: number): string => `10.250.0.${index}`;

export interface FenceAgentLab {
  cp: ControlPlane;
  api: KubeApi;
  tgtd: PrivateTgtd;
  /** The agent's log so far. */
  agentLog: () => string;
  /** What the target holds fenced (iscsi-fence.sh list, run as the agent runs it). */
  fences: () => FenceRecord[];
  /**
   * The node's simulated kubelet comes back (a new one, after the previous one brought back, if any,
   * went away), reporting this boot ID: the same boot ID is a node that was only cut off, a new one a
   * node that rebooted.
   */
  bringBack(node: string, bootId: string): Promise<void>;
  stop(): Promise<void>;
}

export interface FenceAgentLabOptions {
  name: string;
  timings: ControllerTimings;
  /** The vagrant-iscsi-mysql synth output (agent RBAC and the MySQL Deployment). */
  manifests: KubeObject[];
  detectionSeconds: number;
  nodeCount?: number;
  /** false: everything but the agent (what a lost node's database does without fencing). */
  agent?: boolean;
}

/**
 * The kubelet's annotation handing a node's attach/detach to the controller manager: with it the
 * attach/detach controller tracks the iSCSI volume per node (status.volumesAttached) and refuses a
 * second node while the first one holds it, as on real nodes. kwok does not set it.
 */
const CONTROLLER_MANAGED_ATTACH = "volumes.kubernetes.io/controller-managed-attach-detach=true";

export async function startFenceAgentLab(options: FenceAgentLabOptions): Promise<FenceAgentLab> {
  const count = options.nodeCount ?? 3;
  const nodes = Array.from({ length: count }, (_, i) => ({ name: nodeName(i + 1), zone: `zone-${i + 1}` }));
  const cp = await startControlPlane({ timings: options.timings, nodes, name: options.name });
  const work = mkdtempSync(join(cp.dir, "fence-agent-"));
  const cleanups: (() => Promise<void>)[] = [() => cp.stop()];
  const stop = async () => {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  };
  try {
    const api = await KubeApi.start(cp.kubeconfigPath, cp.kubectlPath);
    cleanups.unshift(() => api.close());
    const tgtd = await PrivateTgtd.create();
    await tgtd.start();
    cleanups.unshift(() => tgtd.remove());
    const initiators = nodes.map((_, i) => nodeAddress(i + 1));
    const targetEnv = {
      PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin",
      HADB_TARGET_IQN: VAGRANT_TARGET_IQN,
      HADB_INITIATOR_CIDRS: initiators.join(" "),
      HADB_TGT_CONTROL_PORT: String(tgtd.controlPort),
      HADB_TGT_CONF: join(work, "tgt", "hadb.conf"),
      HADB_FENCE_DIR: join(work, "fence"),
    };
    const provisioned = spawnSync("bash", [join(ISCSI_DIR, "iscsi-target.sh")], {
      encoding: "utf8",
      env: {
        ...targetEnv,
        HADB_LUN_SIZES: "16M",
        HADB_PORTAL: tgtd.portal,
        HADB_BACKING_DIR: join(work, "luns"),
        HADB_CHAP_USER: "hadb-lab",
        HADB_CHAP_PASSWORD: secret(),
        HADB_TGT_START: "0",
      },
    });
    if (provisioned.status !== 0) throw new Error(`iscsi-target.sh failed: ${provisioned.stderr}`);

    // The agent's identity and the database's iSCSI PersistentVolume (the stack's own objects), then the
    // database (the in-tree iSCSI plugin's attach is a no-op in the controller; kwok mounts nothing).
    const agentObjects = options.manifests.filter(
      (o) =>
        (o.kind === "Namespace" && o.metadata.name === ISCSI_NAMESPACE) ||
        o.metadata.name.startsWith("hadb-fence-agent") ||
        (o.kind === "PersistentVolume" && o.metadata.name === "hadb-iscsi-hadb-mysql"),
    );
    await cp.kubectl([...APPLY_ARGS, "-f", "-"], toYaml(agentObjects.filter((o) => o.kind === "Namespace")));
    await cp.kubectl(
      [...APPLY_ARGS, "-f", "-"],
      toYaml(agentObjects.filter((o) => o.kind !== "Namespace" && o.metadata.namespace !== "hadb")),
    );
    await cp.kubectl(["annotate", "nodes", "--all", "--overwrite", CONTROLLER_MANAGED_ATTACH]);
    // The MySQL entry's objects: the stack's PostgreSQL entry needs PGO's CRDs, not served here.
    const mysqlObjects = options.manifests.filter((o) => o.kind !== "PostgresCluster");
    await deployDatabase(cp, hadbDatabase(mysqlObjects, "mysql", "hadb"));
    let agent: FenceAgentProcess | undefined;
    if (options.agent !== false) {
      agent = await startFenceAgentProcess({
        cp,
        dir: work,
        iqn: VAGRANT_TARGET_IQN,
        initiators,
        detectionSeconds: options.detectionSeconds,
        podNamespaces: ["hadb"],
        targetEnv,
      });
      const running = agent;
      cleanups.unshift(() => running.stop());
    }

    const kwoks = new Map<string, Proc>();
    cleanups.unshift(async () => {
      await Promise.all([...kwoks.values()].map((k) => stopProc(k)));
    });
    return {
      cp,
      api,
      tgtd,
      agentLog: () => agent?.log() ?? "",
      fences: () => listFences(targetEnv),
      async bringBack(node, bootId) {
        const previous = kwoks.get(node);
        if (previous) await stopProc(previous, "SIGKILL");
        await cp.kubectl(["annotate", "node", node, "--overwrite", `${BOOT_ID_ANNOTATION}=${bootId}`]);
        const index = nodes.findIndex((n) => n.name === node);
        // The same flags as cluster.ts gives the node's kwok.
        kwoks.set(
          node,
          launch(
            `kwok-${node}-${bootId}`,
            join(TOOLS_BIN, "kwok"),
            [
              `--kubeconfig=${cp.kubeconfigPath}`,
              `--config=${join(cp.dir, "kwok-stages.yaml")}`,
              `--manage-nodes-with-label-selector=${KWOK_NODE_LABEL}=${node}`,
              `--node-lease-duration-seconds=${4 * options.timings.nodeStatusUpdateFrequencySeconds}`,
              `--node-ip=${nodeAddress(index + 1)}`,
              `--cidr=10.200.${index}.0/24`,
            ],
            join(cp.dir, "logs"),
          ),
        );
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface NodeLossTimeline {
  node: string;
  /** Seconds after the node's kubelet died (host clock), or null when it did not happen in time. */
  notReady: number | null;
  fenceStarted: number | null;
  fenced: number | null;
  oldPodGone: number | null;
  newPodReady: number | null;
  /**
   * When the attach/detach controller attached the database's volume to another node (what lets the
   * database start there; kwok marks pods Ready without waiting for it).
   */
  volumeAttached: number | null;
  newNode: string | null;
  /** The agent's lines about this node. */
  agentLines: string[];
}

const secondsSince = (start: number, at: number | null): number | null =>
  at === null ? null : Math.round((at - start) / 100) / 10;

/** When the agent logged a line matching `pattern` (its ISO timestamp), or null. */
function loggedAt(log: string, pattern: RegExp): number | null {
  const line = log.split("\n").find((l) => pattern.test(l));
  const stamp = line?.split(" ")[0];
  return stamp ? Date.parse(stamp) : null;
}

interface NodeStatus {
  metadata: { name: string };
  status?: { conditions?: { type: string; status: string }[]; volumesAttached?: { name: string }[] };
}

/**
 * Kills the database pod's node and follows it until the database's volume is attached to another node
 * (or `timeoutSeconds` pass: without fencing it never is).
 */
export async function loseDatabaseNode(
  lab: FenceAgentLab,
  target: ExperimentTarget,
  timeoutSeconds: number,
): Promise<NodeLossTimeline> {
  const before = await waitForReadyPod(lab.api, target, 120);
  if (!before) throw new Error("no Ready database pod before the fault");
  const node = before.node;
  const start = Date.now();
  await lab.cp.killNode(node);
  const seen: { notReady: number | null; oldPodGone: number | null; volumeAttached: number | null } = {
    notReady: null,
    oldPodGone: null,
    volumeAttached: null,
  };
  const watch = { on: true };
  // Separate loops, so that a slow pod listing never delays seeing the node go NotReady.
  const watchers = Promise.all([
    (async () => {
      while (watch.on && (seen.notReady === null || seen.volumeAttached === null)) {
        const nodes = await lab.api.get<{ items: NodeStatus[] }>("/api/v1/nodes");
        const lost = nodes.items.find((n) => n.metadata.name === node);
        if (
          seen.notReady === null &&
          lost?.status?.conditions?.find((c) => c.type === "Ready")?.status !== "True"
        )
          seen.notReady = Date.now();
        const attached = nodes.items.some(
          (n) =>
            n.metadata.name !== node &&
            (n.status?.volumesAttached ?? []).some((v) => v.name.startsWith("kubernetes.io/iscsi/")),
        );
        if (seen.volumeAttached === null && attached) seen.volumeAttached = Date.now();
        await new Promise((done) => setTimeout(done, 200));
      }
    })(),
    (async () => {
      while (watch.on && seen.oldPodGone === null) {
        if (!(await deploymentPods(lab.api, target)).some((p) => p.uid === before.uid))
          seen.oldPodGone = Date.now();
        await new Promise((done) => setTimeout(done, 200));
      }
    })(),
  ]);
  const after = await waitForReadyPod(lab.api, target, timeoutSeconds, (p) => p.node !== node);
  const newPodReady = after ? Date.now() : null;
  const deadline = start + timeoutSeconds * 1000;
  while (seen.volumeAttached === null && Date.now() < deadline)
    await new Promise((done) => setTimeout(done, 500));
  await new Promise((done) => setTimeout(done, 500));
  watch.on = false;
  await watchers.catch(() => undefined);
  const log = lab.agentLog();
  const mine = new RegExp(`\\b${node}\\b`);
  return {
    node,
    notReady: secondsSince(start, seen.notReady),
    fenceStarted: secondsSince(start, loggedAt(log, new RegExp(`fencing ${node} `))),
    fenced: secondsSince(start, loggedAt(log, new RegExp(`fenced ${node}: `))),
    oldPodGone: secondsSince(start, seen.oldPodGone),
    newPodReady: secondsSince(start, newPodReady),
    volumeAttached: secondsSince(start, seen.volumeAttached),
    newNode: after?.node ?? null,
    agentLines: log.split("\n").filter((line) => mine.test(line)),
  };
}
