// A real Kubernetes control plane on loopback for the e2e tier: etcd, kube-apiserver,
// kube-controller-manager and kube-scheduler built from the pinned Go modules (build.sh), plus one kwok
// controller per simulated node, so a node can be "lost" by killing just its kwok (its Lease stops
// being renewed, exactly what a dead kubelet looks like to the node lifecycle controller).
// Every process is started here, tracked by PID, and stopped by PID in stop() — or SIGKILLed when
// the test process exits any other way.
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import type { ControllerTimings } from "../../components/failover/timings";
import { TOOLS_BIN } from "../tools-bin";
import { kwokStagesYaml } from "./kwok-stages";
import { createSiteNetwork, type SiteNetwork } from "./netns";
import { generatePki, type Pki } from "./pki";
import { FatalError, launch, run, stopProc, tail, waitFor, type Proc, type RunResult } from "./procs";

export const PROJECT_ROOT = resolve(__dirname, "..", "..");
export { TOOLS_BIN };
const CONTROL_PLANE_BINARIES = [
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "kwok",
];

/** Label that selects a node for its own kwok controller. */
export const KWOK_NODE_LABEL = "hadb.test/kwok";
export const ZONE_LABEL = "topology.kubernetes.io/zone";

export interface SimulatedNode {
  name: string;
  zone: string;
  labels?: Record<string, string>;
}

export interface ControlPlaneOptions {
  /** Controller-manager grace period and the simulated kubelets' heartbeat (components/failover/timings.ts). */
  timings: ControllerTimings;
  /** Default: node-1..3 in zone-1..3. */
  nodes?: SimulatedNode[];
  /** kube-controller-manager --node-monitor-period; default the Kubernetes default, 5 s. */
  nodeMonitorPeriodSeconds?: number;
  /** Prefix of the temp dir, for telling runs apart in logs. */
  name?: string;
  /**
   * Real nodes (test/nodes): the API server also listens on this address of the test's own network
   * namespace, advertises it (the `kubernetes` Service) and dials kubelets at their InternalIP. Only
   * inside a namespace the test made: the host's own network never carries this traffic.
   */
  nodeNetwork?: { apiServerAddress: string };
  /**
   * Run every process in a network namespace of its own (netns.ts, needs root) with the API server on
   * the namespace's routable address, reached from the host through a veth pair, as one site of a
   * multi-cluster setup is. Default: everything on the host's loopback.
   */
  ownNetworkNamespace?: boolean;
}

export interface ControlPlane {
  kubeconfigPath: string;
  dir: string;
  pki: Pki;
  /**
   * https://<address>:<port> of the API server: loopback, the own network namespace's address, or the
   * node network's address when given.
   */
  serverUrl: string;
  nodes: SimulatedNode[];
  kubectlPath: string;
  /** Runs kubectl against this control plane; rejects with stderr when it exits non-zero. */
  kubectl(args: string[], input?: string): Promise<string>;
  /** Like kubectl() but resolves with the exit code instead of rejecting. */
  kubectlResult(args: string[], input?: string): Promise<RunResult>;
  /** The node's simulated kubelet dies (SIGKILL): no more Lease renewals or pod status updates. */
  killNode(name: string): Promise<void>;
  /** Restarts kube-controller-manager with other node-lifecycle timings (e.g. Kubernetes' defaults). */
  restartControllerManager(timings: ControllerTimings, nodeMonitorPeriodSeconds?: number): Promise<void>;
  stop(): Promise<void>;
}

export function defaultNodes(count = 3, zones = 3): SimulatedNode[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `node-${i + 1}`,
    zone: `zone-${(i % zones) + 1}`,
  }));
}

/** Binaries this tier needs that are not built yet (build.sh builds them). */
export function missingBinaries(): string[] {
  return CONTROL_PLANE_BINARIES.filter((b) => !existsSync(join(TOOLS_BIN, b)));
}

/**
 * The `skip` option of a tier-3 suite: the reason when the binaries are missing locally; never in CI,
 * where a missing tool is a failure (DEVELOPERS.md).
 */
export function skipWithoutBinaries(): string | false {
  const missing = missingBinaries();
  return missing.length > 0 && !process.env.CI
    ? `missing ${missing.join(", ")}: run test/controlplane/build.sh`
    : false;
}

export function kubectlPath(): string {
  // The kubectl built with the API server avoids client/server version skew.
  return existsSync(join(TOOLS_BIN, "kubectl")) ? join(TOOLS_BIN, "kubectl") : "kubectl";
}

/**
 * `count` distinct free loopback ports: all held open until each is known, since a port closed before the
 * next bind(0) can be handed out again (seen in a fresh network namespace: etcd's two ports collided).
 */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolveServer, reject) => {
          const server = createServer();
          server.unref();
          server.on("error", reject);
          server.listen(0, "127.0.0.1", () => {
            resolveServer(server);
          });
        }),
    ),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    return typeof address === "object" && address ? address.port : 0;
  });
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  return ports;
}

// ---- control plane ---------------------------------------------------------------------------------

export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const missing = missingBinaries();
  if (missing.length > 0) {
    throw new Error(`missing control-plane binaries: ${missing.join(", ")} (run test/controlplane/build.sh)`);
  }
  const nodes = options.nodes ?? defaultNodes();
  const dir = mkdtempSync(join(tmpdir(), `hadb-cp-${options.name ?? "run"}-`));
  const logDir = join(dir, "logs");
  mkdirSync(logDir);
  // etcd on tmpfs when there is one: thrown away after the run.
  const etcdData = mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : dir, "hadb-etcd-"));
  const nodeNetwork = options.nodeNetwork;
  let network: SiteNetwork | undefined;
  try {
    network = options.ownNetworkNamespace ? createSiteNetwork() : undefined;
  } catch (error) {
    rmSync(etcdData, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const apiAddress = network?.siteAddress ?? "127.0.0.1";
  const pki = generatePki(dir, nodeNetwork ? [nodeNetwork.apiServerAddress] : network ? [apiAddress] : []);
  const procs: Proc[] = [];
  const nodeProcs = new Map<string, Proc>();
  const kubectlBin = kubectlPath();
  const kubeconfigPath = join(dir, "kubeconfig");
  let stopped = false;
  let apiPort: number;
  let controllerManager: Proc | undefined;
  // Every process of the control plane starts inside the site's namespace when it has one (ip netns
  // exec keeps the PID).
  const start = (name: string, bin: string, args: string[]): Proc =>
    network
      ? launch(name, "ip", ["netns", "exec", network.netns, bin, ...args], logDir)
      : launch(name, bin, args, logDir);

  const removeDirs = (): void => {
    rmSync(etcdData, { recursive: true, force: true });
    if (!process.env.HADB_E2E_KEEP) rmSync(dir, { recursive: true, force: true });
  };
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.off("exit", removeDirs);
    // Simulated kubelets first, then the controllers, the API server and etcd last.
    await Promise.all([...nodeProcs.values()].map((p) => stopProc(p)));
    for (const proc of [...procs].reverse()) await stopProc(proc);
    network?.remove();
    removeDirs();
  };

  let startControllerManager: (
    timings: ControllerTimings,
    monitorPeriodSeconds?: number,
  ) => Promise<void> = () => Promise.reject(new Error("control plane not started"));
  const kubectlResult = (args: string[], input?: string) =>
    run(kubectlBin, ["--kubeconfig", kubeconfigPath, ...args], input);
  const kubectl = async (args: string[], input?: string): Promise<string> => {
    const result = await kubectlResult(args, input);
    if (result.code !== 0)
      throw new Error(`kubectl ${args.join(" ")} failed (${result.code}): ${result.stderr}`);
    return result.stdout;
  };

  const ensureRunning = (proc: Proc): void => {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new FatalError(
        `${proc.name} exited (${proc.child.exitCode ?? proc.child.signalCode}):\n${tail(proc.log)}`,
      );
    }
  };

  try {
    const [etcdClient = 0, etcdPeer = 0, api = 0] = await freePorts(3);
    apiPort = api;
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const etcd = start("etcd", join(TOOLS_BIN, "etcd"), [
      "--name=hadb-e2e",
      `--data-dir=${etcdData}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=hadb-e2e=http://127.0.0.1:${etcdPeer}`,
      "--log-level=warn",
      // Thrown away after the run: durability only costs time here.
      "--unsafe-no-fsync",
    ]);
    procs.push(etcd);
    // After the processes' own exit hook (registered by the first launch) has killed them; and for
    // tests/e2e/run.sh in case this process is killed outright.
    process.on("exit", removeDirs);
    if (process.env.HADB_E2E_PIDFILE)
      appendFileSync(process.env.HADB_E2E_PIDFILE, `dir:${dir}\ndir:${etcdData}\n`);

    writeFileSync(
      kubeconfigPath,
      stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [
          {
            name: "hadb-e2e",
            cluster: { server: `https://${apiAddress}:${apiPort}`, "certificate-authority": pki.caCert },
          },
        ],
        users: [
          {
            name: "hadb-e2e-admin",
            user: { "client-certificate": pki.adminCert, "client-key": pki.adminKey },
          },
        ],
        contexts: [{ name: "hadb-e2e", context: { cluster: "hadb-e2e", user: "hadb-e2e-admin" } }],
        "current-context": "hadb-e2e",
      }),
    );

    const apiserver = start("kube-apiserver", join(TOOLS_BIN, "kube-apiserver"), [
      `--etcd-servers=${etcdUrl}`,
      ...(nodeNetwork
        ? [
            // Inside the test's own network namespace: loopback for the test, the bridge for kubelets.
            "--bind-address=0.0.0.0",
            `--advertise-address=${nodeNetwork.apiServerAddress}`,
            // Node names do not resolve here; logs, exec and port-forward dial the node's address.
            "--kubelet-preferred-address-types=InternalIP",
            `--kubelet-client-certificate=${pki.adminCert}`,
            `--kubelet-client-key=${pki.adminKey}`,
            "--enable-admission-plugins=NodeRestriction",
          ]
        : [
            `--bind-address=${apiAddress}`,
            `--advertise-address=${apiAddress}`,
            // The `kubernetes` Service endpoint would have to be a non-loopback address; nothing here needs it.
            "--endpoint-reconciler-type=none",
          ]),
      `--secure-port=${apiPort}`,
      `--cert-dir=${dir}`,
      `--tls-cert-file=${pki.serverCert}`,
      `--tls-private-key-file=${pki.serverKey}`,
      `--client-ca-file=${pki.caCert}`,
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      "--service-cluster-ip-range=10.96.0.0/16",
      "--authorization-mode=Node,RBAC",
      // Real clusters allow privileged pods (node prep needs host-level capabilities).
      "--allow-privileged=true",
      // Saves CPU on a 2-core machine; nothing here depends on request fairness.
      "--enable-priority-and-fairness=false",
      "--profiling=false",
      "--v=1",
    ]);
    procs.push(apiserver);
    await waitFor(
      "kube-apiserver /readyz",
      async () => {
        ensureRunning(etcd);
        ensureRunning(apiserver);
        const result = await kubectlResult(["get", "--raw", "/readyz"]);
        return result.code === 0 ? true : undefined;
      },
      90_000,
    );

    // What controller-manager and scheduler share: loopback only, one instance, no profiling.
    const controllerFlags = async () => [
      `--kubeconfig=${kubeconfigPath}`,
      "--bind-address=127.0.0.1",
      // Its own port per start (controller-manager and scheduler, and each restart).
      `--secure-port=${(await freePorts(1))[0]}`,
      `--authentication-kubeconfig=${kubeconfigPath}`,
      `--authorization-kubeconfig=${kubeconfigPath}`,
      "--leader-elect=false",
      "--profiling=false",
      "--v=1",
    ];
    startControllerManager = async (timings: ControllerTimings, monitorPeriodSeconds?: number) => {
      const monitorPeriod = monitorPeriodSeconds ?? timings.nodeMonitorPeriodSeconds;
      controllerManager = start("kube-controller-manager", join(TOOLS_BIN, "kube-controller-manager"), [
        ...(await controllerFlags()),
        `--service-account-private-key-file=${pki.serviceAccountKey}`,
        `--root-ca-file=${pki.caCert}`,
        "--use-service-account-credentials=false",
        `--node-monitor-grace-period=${timings.nodeMonitorGracePeriodSeconds}s`,
        `--node-monitor-period=${monitorPeriod}s`,
      ]);
      procs.push(controllerManager);
    };
    await startControllerManager(options.timings, options.nodeMonitorPeriodSeconds);
    procs.push(start("kube-scheduler", join(TOOLS_BIN, "kube-scheduler"), [...(await controllerFlags())]));

    // Each simulated kubelet renews its Lease every leaseDuration/4 (as the kubelet does), so a lease
    // of 4 × the heartbeat interval gives the configured heartbeat.
    const leaseSeconds = 4 * options.timings.nodeStatusUpdateFrequencySeconds;
    const stagesPath = join(dir, "kwok-stages.yaml");
    writeFileSync(stagesPath, kwokStagesYaml(60));
    nodes.forEach((node, i) => {
      nodeProcs.set(
        node.name,
        start(`kwok-${node.name}`, join(TOOLS_BIN, "kwok"), [
          `--kubeconfig=${kubeconfigPath}`,
          `--config=${stagesPath}`,
          `--manage-nodes-with-label-selector=${KWOK_NODE_LABEL}=${node.name}`,
          `--node-lease-duration-seconds=${leaseSeconds}`,
          `--node-ip=10.250.${Math.floor(i / 250)}.${(i % 250) + 1}`,
          `--cidr=10.${200 + Math.floor(i / 250)}.${i % 250}.0/24`,
        ]),
      );
    });

    const nodeObjects = nodes.map((node) => ({
      apiVersion: "v1",
      kind: "Node",
      metadata: {
        name: node.name,
        labels: {
          "kubernetes.io/hostname": node.name,
          "kubernetes.io/os": "linux",
          "kubernetes.io/arch": "amd64",
          "topology.kubernetes.io/region": "hadb-e2e",
          [ZONE_LABEL]: node.zone,
          [KWOK_NODE_LABEL]: node.name,
          ...node.labels,
        },
        annotations: { "kwok.x-k8s.io/node": "fake" },
      },
    }));
    if (nodeObjects.length > 0)
      await kubectl(
        ["apply", "--server-side", "--field-manager=hadb-e2e", "-f", "-"],
        nodeObjects.map((o) => stringify(o)).join("---\n"),
      );
    await waitFor(
      `${nodes.length} simulated nodes Ready`,
      async () => {
        for (const proc of [...procs, ...nodeProcs.values()]) ensureRunning(proc);
        const out = await kubectl([
          "get",
          "nodes",
          "-o",
          'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}',
        ]);
        const ready = out.split("\n").filter((s) => s === "True").length;
        return ready === nodes.length ? true : undefined;
      },
      90_000,
    );
    // Pods need the namespace's default ServiceAccount, which the controller manager creates.
    await waitFor(
      "default ServiceAccount",
      async () => ((await kubectlResult(["get", "serviceaccount", "default"])).code === 0 ? true : undefined),
      60_000,
    );
  } catch (error) {
    const logs = [...procs, ...nodeProcs.values()].map((p) => `--- ${p.name}\n${tail(p.log, 10)}`).join("\n");
    await stop();
    throw new Error(`control plane failed to start: ${(error as Error).message}\n${logs}`, { cause: error });
  }

  return {
    kubeconfigPath,
    dir,
    pki,
    serverUrl: `https://${nodeNetwork?.apiServerAddress ?? apiAddress}:${apiPort}`,
    nodes,
    kubectlPath: kubectlBin,
    kubectl,
    kubectlResult,
    killNode: async (name: string) => {
      const proc = nodeProcs.get(name);
      if (!proc) throw new Error(`no simulated node ${name}`);
      await stopProc(proc, "SIGKILL");
    },
    restartControllerManager: async (timings, nodeMonitorPeriodSeconds) => {
      if (controllerManager) {
        await stopProc(controllerManager);
        procs.splice(procs.indexOf(controllerManager), 1);
      }
      await startControllerManager(timings, nodeMonitorPeriodSeconds);
    },
    stop,
  };
}
