// The real-node lab: the control plane (test/controlplane/cluster.ts) and a private tgtd inside the
// run's network namespace, and 3 QEMU node VMs on the lab bridge that join it as real nodes (kubelet,
// containerd, kube-proxy, iSCSI initiator). Everything is stopped by PID; tests/nodes/run.sh kills what
// is left and deletes the namespace if the test process dies.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import type { ControllerTimings } from "../../components/failover/timings";
import { startControlPlane, type ControlPlane } from "../controlplane/cluster";
import { KubeApi } from "../controlplane/experiments";
import { issueClientCertificate } from "../controlplane/pki";
import { waitFor } from "../controlplane/procs";
import { createLabNetwork, GATEWAY, TARGET_ADDRESS, type LabNetwork } from "./network";
import { kubeletConfig, nodeFiles, nodeName, type NodeFilesInput } from "./node-files";
import { startTarget, type IscsiTarget } from "./tgt";
import { NodeVm, nodeImage } from "./vm";

export interface LabOptions {
  /** The cached image directory (test/nodes/image/build.sh prints it). */
  imageDir: string;
  timings: ControllerTimings;
  nodeCount?: number;
  memoryMiB?: number;
  /** The target as the program sets up the lab's target VM (StackRender.target). */
  target: { iqn: string; lunSizes: string[]; portal: string; initiatorCidrs: string[] };
  chap: { user: string; password: string };
  onProgress?: (message: string) => void;
}

export interface BootTimes {
  node: string;
  /** Seconds from QEMU start until the guest's command channel answers (systemd started its services). */
  bootSeconds: number;
  /** Seconds from QEMU start until the Node is Ready on the API server. */
  readySeconds: number;
}

export interface RealLab {
  dir: string;
  cp: ControlPlane;
  api: KubeApi;
  network: LabNetwork;
  target: IscsiTarget;
  vms: NodeVm[];
  bootTimes: BootTimes[];
  vm(node: string): NodeVm;
  /** Boots a (killed) node VM again and waits until it is Ready. */
  restartNode(node: string, timeoutSeconds?: number): Promise<BootTimes>;
  /** New heartbeat timings on every kubelet (config rewritten, kubelet restarted) and the controller. */
  setTimings(timings: ControllerTimings): Promise<void>;
  stop(): Promise<void>;
}

interface NodeStatus {
  metadata: { name: string };
  status?: { conditions?: { type: string; status: string }[] };
}

async function readyNodes(api: KubeApi): Promise<Set<string>> {
  const nodes = await api.get<{ items: NodeStatus[] }>("/api/v1/nodes");
  return new Set(
    nodes.items
      .filter((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"))
      .map((n) => n.metadata.name),
  );
}

async function waitBooted(vm: NodeVm, timeoutSeconds: number): Promise<number> {
  await waitFor(
    `${vm.name} command channel`,
    async () => {
      if (!vm.running) throw new Error(`${vm.name} exited (see ${vm.console})`);
      const result = await vm.agent?.run("true", 5_000).catch(() => undefined);
      return result?.code === 0 ? true : undefined;
    },
    timeoutSeconds * 1000,
    1000,
  );
  return Math.round((performance.now() - vm.startedAt) / 100) / 10;
}

export async function startRealLab(options: LabOptions): Promise<RealLab> {
  const progress = options.onProgress ?? (() => undefined);
  // Named after the run's namespace, so tests/nodes/run.sh finds (and removes) what a dead run left.
  const netns = process.env.HADB_NODES_NETNS ?? `hadb-nodes-${randomBytes(4).toString("hex")}`;
  const suffix = netns.slice(-4);
  const dir = mkdtempSync(join("/tmp", `${netns}-`));
  const nodeCount = options.nodeCount ?? 3;
  const network = createLabNetwork(suffix);
  const cp = await startControlPlane({
    timings: options.timings,
    nodes: [],
    name: `nodes-${suffix}`,
    nodeNetwork: { apiServerAddress: GATEWAY },
  });
  const cleanups: (() => Promise<void>)[] = [() => cp.stop()];
  const vms: NodeVm[] = [];
  try {
    const api = await KubeApi.start(cp.kubeconfigPath, cp.kubectlPath);
    cleanups.unshift(() => api.close());
    // The portal the program gives the target VM is the lab address this namespace's bridge carries.
    if (!options.target.portal.startsWith(`${TARGET_ADDRESS}:`))
      throw new Error(
        `target portal ${options.target.portal} is not the lab target address ${TARGET_ADDRESS}`,
      );
    const target = await startTarget({
      dir: join(dir, "target"),
      portal: options.target.portal,
      iqn: options.target.iqn,
      lunSizes: options.target.lunSizes,
      chapUser: options.chap.user,
      chapPassword: options.chap.password,
      initiatorCidrs: options.target.initiatorCidrs,
    });
    cleanups.unshift(() => target.stop());
    progress(`control plane on ${cp.serverUrl}, iSCSI target on ${target.portal}`);

    const image = nodeImage(options.imageDir);
    const inputs = new Map<string, NodeFilesInput>();
    const filesOf = (input: NodeFilesInput) => nodeFiles(input, (path) => readFileSync(path, "utf8"));
    for (let index = 1; index <= nodeCount; index++) {
      const name = nodeName(index);
      const input: NodeFilesInput = {
        index,
        nodeCount,
        serverUrl: cp.serverUrl,
        caCert: cp.pki.caCert,
        kubelet: issueClientCertificate(
          cp.pki,
          cp.dir,
          `kubelet-${name}`,
          `/O=system:nodes/CN=system:node:${name}`,
        ),
        kubeProxy: issueClientCertificate(cp.pki, cp.dir, `kube-proxy-${name}`, "/CN=system:kube-proxy"),
        timings: options.timings,
      };
      inputs.set(name, input);
      const vm = new NodeVm({
        name,
        index,
        image,
        tap: network.addTap(index),
        files: filesOf(input),
        dir: join(dir, name),
        memoryMiB: options.memoryMiB,
      });
      vms.push(vm);
    }
    cleanups.unshift(async () => {
      await Promise.all(vms.map((vm) => vm.stop()));
    });

    const boot = async (vm: NodeVm, timeoutSeconds: number): Promise<BootTimes> => {
      if (!vm.running) vm.start();
      const bootSeconds = await waitBooted(vm, timeoutSeconds);
      progress(`${vm.name} booted in ${bootSeconds} s`);
      await waitFor(
        `${vm.name} Ready`,
        async () => {
          if (!vm.running) throw new Error(`${vm.name} exited (see ${vm.console})`);
          return (await readyNodes(api)).has(vm.name) ? true : undefined;
        },
        timeoutSeconds * 1000,
        1000,
      );
      const readySeconds = Math.round((performance.now() - vm.startedAt) / 100) / 10;
      progress(`${vm.name} Ready ${readySeconds} s after QEMU started`);
      return { node: vm.name, bootSeconds, readySeconds };
    };
    const bootTimes = await Promise.all(vms.map((vm) => boot(vm, 900)));

    const lab: RealLab = {
      dir,
      cp,
      api,
      network,
      target,
      vms,
      bootTimes,
      vm(node) {
        const vm = vms.find((v) => v.name === node);
        if (!vm) throw new Error(`no node VM ${node}`);
        return vm;
      },
      restartNode: (node, timeoutSeconds = 900) => boot(lab.vm(node), timeoutSeconds),
      async setTimings(timings) {
        await cp.restartControllerManager(timings);
        // A VM booted later (after a kill) reads its files again: give it the same timings.
        for (const vm of vms) {
          const input = inputs.get(vm.name);
          if (input) vm.setFiles(filesOf({ ...input, timings }));
        }
        const config = stringify(kubeletConfig(timings));
        await Promise.all(
          vms
            .filter((vm) => vm.running)
            .map(async (vm) =>
              vm.agent?.check(
                `cat >/etc/kubernetes/kubelet-config.yaml <<'EOF'\n${config}EOF\nsystemctl restart kubelet`,
              ),
            ),
        );
        progress(
          `timings: node-monitor-grace-period ${timings.nodeMonitorGracePeriodSeconds} s, kubelet status every ${timings.nodeStatusUpdateFrequencySeconds} s`,
        );
      },
      async stop() {
        for (const cleanup of cleanups) await cleanup().catch(() => undefined);
        if (!process.env.HADB_NODES_KEEP) rmSync(dir, { recursive: true, force: true });
      },
    };
    return lab;
  } catch (error) {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    throw error;
  }
}
