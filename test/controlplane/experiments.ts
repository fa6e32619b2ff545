// The four failover experiments of the seed article, as reusable actions on any cluster: a target is
// just a kubeconfig, a namespace and the database Deployment's name. Faults that need something
// beyond the Kubernetes API (stopping the database process, making a node vanish) come from a
// FaultInjector: simulated ones on the kwok control plane, real ones (exec, cloud API) on real clusters.
// The API is reached through `kubectl proxy`, so every kubeconfig kubectl understands works here,
// including exec-based cloud credentials.
import { spawn } from "node:child_process";
import { stopProc, track, type Proc } from "./procs";

export const EXPERIMENTS = ["processDies", "podDeleted", "nodeDrained", "nodeLost"] as const;
export type ExperimentName = (typeof EXPERIMENTS)[number];

export const EXPERIMENT_TITLES: Record<ExperimentName, string> = {
  processDies: "DB process dies",
  podDeleted: "pod deleted",
  nodeDrained: "node drained",
  nodeLost: "node lost",
};

export interface ExperimentTarget {
  kubeconfig: string;
  namespace: string;
  deployment: string;
}

export interface PodInfo {
  name: string;
  uid: string;
  node: string;
  ready: boolean;
  terminating: boolean;
  /** Restarts of the first (database) container. */
  restarts: number;
}

export interface FaultInjector {
  /** The database process inside the pod stops; the container itself keeps running. */
  stopProcess(api: KubeApi, namespace: string, pod: PodInfo): Promise<void>;
  /** The node stops heartbeating (power loss, dead kubelet, partition): nothing on it reports any more. */
  loseNode(api: KubeApi, node: string): Promise<void>;
}

export interface ExperimentResult {
  experiment: ExperimentName;
  namespace: string;
  deployment: string;
  /** Seconds from the fault until the database pod was Ready again; null: not within the timeout. */
  seconds: number | null;
  before: PodInfo;
  after: PodInfo | null;
}

export interface ExperimentOptions {
  /** Give up after this long (default 900 s: the seed's node loss alone takes over 5 minutes). */
  timeoutSeconds?: number;
  onProgress?: (message: string) => void;
}

// ---- API access ------------------------------------------------------------------------------------

interface KubeObjectMeta {
  name: string;
  namespace?: string;
  uid: string;
  deletionTimestamp?: string;
  annotations?: Record<string, string>;
  ownerReferences?: { kind: string; name: string }[];
}

interface Pod {
  metadata: KubeObjectMeta;
  spec: { nodeName?: string };
  status?: {
    conditions?: { type: string; status: string }[];
    containerStatuses?: { restartCount: number }[];
  };
}

interface Deployment {
  spec: { selector: { matchLabels?: Record<string, string> } };
}

export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A small Kubernetes API client over a private `kubectl proxy` on loopback. */
export class KubeApi {
  private constructor(
    readonly baseUrl: string,
    private readonly proxy: Proc,
  ) {}

  static async start(kubeconfig: string, kubectl = "kubectl"): Promise<KubeApi> {
    const child = spawn(kubectl, ["--kubeconfig", kubeconfig, "proxy", "--port=0", "--address=127.0.0.1"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const proxy = track("kubectl-proxy", child);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const port = await new Promise<number>((resolvePort, reject) => {
      let stdout = "";
      const timer = setTimeout(() => {
        reject(new Error(`kubectl proxy did not start: ${stderr}`));
      }, 30_000);
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /Starting to serve on 127\.0\.0\.1:(\d+)/.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolvePort(Number(match[1]));
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`kubectl proxy exited (${code}): ${stderr}`));
      });
    }).catch(async (error: unknown) => {
      await stopProc(proxy);
      throw error;
    });
    return new KubeApi(`http://127.0.0.1:${port}`, proxy);
  }

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    contentType = "application/json",
  ): Promise<T> {
    const response = await fetch(this.baseUrl + path, {
      method,
      headers: body === undefined ? {} : { "content-type": contentType },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok)
      throw new KubeApiError(response.status, `${method} ${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>("GET", path);
  }

  patch<T>(path: string, body: unknown, type: "merge" | "strategic-merge" = "merge"): Promise<T> {
    return this.request<T>("PATCH", path, body, `application/${type}-patch+json`);
  }

  /**
   * Streams a watch, calling onEvent for every ADDED/MODIFIED/DELETED object until it returns a value
   * (returned here) or the watch ends (undefined).
   */
  async watch<R>(
    path: string,
    onEvent: (type: string, object: unknown) => R | undefined,
  ): Promise<R | undefined> {
    const abort = new AbortController();
    const response = await fetch(this.baseUrl + path, { signal: abort.signal });
    if (!response.ok || !response.body) {
      throw new KubeApiError(response.status, `WATCH ${path}: ${response.status} ${await response.text()}`);
    }
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let newline: number;
        while ((newline = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          if (!line) continue;
          const event = JSON.parse(line) as { type: string; object: unknown };
          if (event.type === "ERROR") return undefined;
          if (event.type === "BOOKMARK") continue;
          const result = onEvent(event.type, event.object);
          if (result !== undefined) return result;
        }
      }
    } catch (error) {
      if (!abort.signal.aborted) return undefined;
      throw error;
    } finally {
      abort.abort();
    }
    return undefined;
  }

  close(): Promise<void> {
    return stopProc(this.proxy);
  }
}

// ---- pods of a Deployment --------------------------------------------------------------------------

function podInfo(pod: Pod): PodInfo {
  const ready = pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
  return {
    name: pod.metadata.name,
    uid: pod.metadata.uid,
    node: pod.spec.nodeName ?? "",
    ready,
    terminating: pod.metadata.deletionTimestamp !== undefined,
    restarts: pod.status?.containerStatuses?.[0]?.restartCount ?? 0,
  };
}

async function podSelector(api: KubeApi, target: ExperimentTarget): Promise<string> {
  const deployment = await api.get<Deployment>(
    `/apis/apps/v1/namespaces/${target.namespace}/deployments/${target.deployment}`,
  );
  return Object.entries(deployment.spec.selector.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}

export async function deploymentPods(api: KubeApi, target: ExperimentTarget): Promise<PodInfo[]> {
  const selector = encodeURIComponent(await podSelector(api, target));
  const list = await api.get<{ items: Pod[] }>(
    `/api/v1/namespaces/${target.namespace}/pods?labelSelector=${selector}`,
  );
  return list.items.map(podInfo);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The first Ready, not terminating pod of the Deployment that `accept` takes, or null after the timeout.
 * Watches the pods (list, then watch from that list's resourceVersion), so the time it returns at is
 * when the API server reported the change, without polling load.
 */
export async function waitForReadyPod(
  api: KubeApi,
  target: ExperimentTarget,
  timeoutSeconds: number,
  accept: (pod: PodInfo) => boolean = () => true,
): Promise<PodInfo | null> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  const path = `/api/v1/namespaces/${target.namespace}/pods?labelSelector=${encodeURIComponent(await podSelector(api, target))}`;
  const pick = (pods: Map<string, PodInfo>) =>
    [...pods.values()].find((p) => p.ready && !p.terminating && accept(p));
  while (Date.now() < deadline) {
    const list = await api.get<{ items: Pod[]; metadata: { resourceVersion: string } }>(path);
    const pods = new Map(list.items.map((pod) => [pod.metadata.uid, podInfo(pod)]));
    const listed = pick(pods);
    if (listed) return listed;
    const seconds = Math.min(300, Math.ceil((deadline - Date.now()) / 1000));
    if (seconds <= 0) break;
    const watched = await api.watch<PodInfo>(
      `${path}&watch=1&resourceVersion=${list.metadata.resourceVersion}&timeoutSeconds=${seconds}`,
      (type, object) => {
        const pod = object as Pod;
        if (type === "DELETED") pods.delete(pod.metadata.uid);
        else pods.set(pod.metadata.uid, podInfo(pod));
        return pick(pods);
      },
    );
    if (watched) return watched;
    // The watch ended (timeout, expired resourceVersion, dropped connection): list again.
    await sleep(200);
  }
  return null;
}

// ---- faults ----------------------------------------------------------------------------------------

/** kubectl cordon: no new pods on the node. */
export async function cordon(api: KubeApi, node: string, unschedulable = true): Promise<void> {
  await api.patch(`/api/v1/nodes/${node}`, { spec: { unschedulable } });
}

/** kubectl drain --ignore-daemonsets: cordon, then evict every other pod through the Eviction API. */
export async function drain(api: KubeApi, node: string, timeoutSeconds: number): Promise<void> {
  await cordon(api, node);
  const pods = await api.get<{ items: Pod[] }>(
    `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${node}`)}`,
  );
  const evictable = pods.items.filter(
    (pod) =>
      pod.metadata.deletionTimestamp === undefined &&
      !(pod.metadata.ownerReferences ?? []).some((o) => o.kind === "DaemonSet") &&
      pod.metadata.annotations?.["kubernetes.io/config.mirror"] === undefined,
  );
  const deadline = Date.now() + timeoutSeconds * 1000;
  await Promise.all(
    evictable.map(async (pod) => {
      const { name, namespace = "default" } = pod.metadata;
      for (;;) {
        try {
          await api.request("POST", `/api/v1/namespaces/${namespace}/pods/${name}/eviction`, {
            apiVersion: "policy/v1",
            kind: "Eviction",
            metadata: { name, namespace },
          });
          return;
        } catch (error) {
          // 429: a PodDisruptionBudget forbids it right now; kubectl drain retries the same way.
          if (!(error instanceof KubeApiError) || error.status !== 429 || Date.now() > deadline) throw error;
          await sleep(1000);
        }
      }
    }),
  );
}

// ---- experiments -----------------------------------------------------------------------------------

/**
 * Runs one experiment and measures the seconds from the fault until the database pod is Ready again:
 * the same pod after a container restart (processDies), a new pod (podDeleted), a new pod on another
 * node (nodeDrained, nodeLost). A drained node is uncordoned afterwards; a lost node stays lost.
 */
export async function runExperiment(
  api: KubeApi,
  target: ExperimentTarget,
  experiment: ExperimentName,
  faults: FaultInjector,
  options: ExperimentOptions = {},
): Promise<ExperimentResult> {
  const timeoutSeconds = options.timeoutSeconds ?? 900;
  const progress = options.onProgress ?? (() => undefined);
  const before = await waitForReadyPod(api, target, 120);
  if (!before) throw new Error(`${target.namespace}/${target.deployment}: no Ready pod before ${experiment}`);

  const recovered: Record<ExperimentName, (pod: PodInfo) => boolean> = {
    processDies: (pod) => pod.uid === before.uid && pod.restarts > before.restarts,
    podDeleted: (pod) => pod.uid !== before.uid,
    nodeDrained: (pod) => pod.uid !== before.uid && pod.node !== before.node,
    nodeLost: (pod) => pod.uid !== before.uid && pod.node !== before.node,
  };

  progress(`${target.namespace}: ${EXPERIMENT_TITLES[experiment]} (pod ${before.name} on ${before.node})`);
  const started = performance.now();
  switch (experiment) {
    case "processDies":
      await faults.stopProcess(api, target.namespace, before);
      break;
    case "podDeleted":
      await api.request("DELETE", `/api/v1/namespaces/${target.namespace}/pods/${before.name}`);
      break;
    case "nodeDrained":
      await drain(api, before.node, timeoutSeconds);
      break;
    case "nodeLost":
      await faults.loseNode(api, before.node);
      break;
  }
  const after = await waitForReadyPod(api, target, timeoutSeconds, recovered[experiment]);
  const seconds = after ? Math.round((performance.now() - started) / 100) / 10 : null;
  if (experiment === "nodeDrained") await cordon(api, before.node, false);
  progress(
    `${target.namespace}: ${EXPERIMENT_TITLES[experiment]} -> ` +
      (after
        ? `${after.name} Ready on ${after.node} after ${seconds} s`
        : `no Ready pod within ${timeoutSeconds} s`),
  );
  return { experiment, namespace: target.namespace, deployment: target.deployment, seconds, before, after };
}
