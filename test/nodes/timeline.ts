// A failover's timeline on the host clock: what the API server and the iSCSI target said, polled once a
// second, kept as transitions only ("hadb-k8s-2 Ready=Unknown", "pod mysql-x Ready", "target sessions:
// hadb-k8s-3"). Also the single-writer evidence: the most initiators the target ever served at once.
import type { KubeApi } from "../controlplane/experiments";
import type { IscsiTarget } from "./tgt";

export interface TimelineEntry {
  /** Seconds since the recorder's zero (the fault), host clock. */
  t: number;
  what: string;
}

interface NodeObject {
  metadata: { name: string };
  spec?: { taints?: { key: string; effect: string }[]; unschedulable?: boolean };
  status?: {
    conditions?: { type: string; status: string }[];
    volumesAttached?: { name: string }[];
    volumesInUse?: string[];
  };
}

interface PodObject {
  metadata: { name: string; uid: string; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status?: {
    phase?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { restartCount: number; state?: { running?: { startedAt: string } } }[];
  };
}

/** One line per observed fact; the recorder logs a line when it differs from the last one for its key. */
export function observe(
  nodes: NodeObject[],
  pods: PodObject[],
  initiators: string[] | undefined,
): Map<string, string> {
  const facts = new Map<string, string>();
  for (const node of nodes) {
    const name = node.metadata.name;
    const ready = node.status?.conditions?.find((c) => c.type === "Ready")?.status ?? "?";
    facts.set(`node/${name}/ready`, `${name} Ready=${ready}`);
    const taints = (node.spec?.taints ?? []).map(
      (t) => `${t.key.replace("node.kubernetes.io/", "")}:${t.effect}`,
    );
    facts.set(
      `node/${name}/taints`,
      `${name} taints [${taints.sort().join(" ")}]${node.spec?.unschedulable ? " cordoned" : ""}`,
    );
    const attached = (node.status?.volumesAttached ?? []).map((v) => v.name.replace(/^kubernetes\.io\//, ""));
    facts.set(`node/${name}/attached`, `${name} volumesAttached [${attached.sort().join(" ")}]`);
    const inUse = (node.status?.volumesInUse ?? []).map((v) => v.replace(/^kubernetes\.io\//, ""));
    facts.set(`node/${name}/inuse`, `${name} volumesInUse [${inUse.sort().join(" ")}]`);
  }
  for (const pod of pods) {
    const name = pod.metadata.name;
    const ready = pod.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
    const container = pod.status?.containerStatuses?.[0];
    const state = [
      `node=${pod.spec.nodeName ?? "-"}`,
      `phase=${pod.status?.phase ?? "-"}`,
      `ready=${ready}`,
      `restarts=${container?.restartCount ?? 0}`,
      `running-since=${container?.state?.running?.startedAt ?? "-"}`,
      pod.metadata.deletionTimestamp ? "terminating" : "",
    ].filter(Boolean);
    facts.set(`pod/${pod.metadata.uid}`, `pod ${name} ${state.join(" ")}`);
  }
  if (initiators) facts.set("target", `target sessions [${initiators.join(" ")}]`);
  return facts;
}

export class TimelineRecorder {
  readonly entries: TimelineEntry[] = [];
  /** Most distinct initiators logged in at once, and when. */
  maxInitiators = 0;
  maxInitiatorsAt: string[] = [];
  private last = new Map<string, string>();
  private zero = performance.now();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(
    private readonly api: KubeApi,
    private readonly namespace: string,
    private readonly selector: string,
    private readonly target: IscsiTarget | undefined,
  ) {}

  /** Seconds since zero on the host clock. */
  now(): number {
    return Math.round((performance.now() - this.zero) / 100) / 10;
  }

  mark(what: string): void {
    this.entries.push({ t: this.now(), what });
  }

  /** Starts polling; `zeroAt` (performance.now()) is time 0 of the entries. */
  start(zeroAt = performance.now(), intervalMs = 1000): void {
    this.zero = zeroAt;
    const tick = async () => {
      await this.poll().catch((error: unknown) => {
        this.mark(`poll failed: ${(error as Error).message.slice(0, 120)}`);
      });
      if (this.timer !== undefined) this.timer = setTimeout(() => void (this.polling = tick()), intervalMs);
    };
    this.timer = setTimeout(() => void (this.polling = tick()), 0);
  }

  setZero(zeroAt: number): void {
    const shift = (zeroAt - this.zero) / 1000;
    for (const entry of this.entries) entry.t = Math.round((entry.t - shift) * 10) / 10;
    this.zero = zeroAt;
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.polling;
  }

  async poll(): Promise<void> {
    const [nodes, pods] = await Promise.all([
      this.api.get<{ items: NodeObject[] }>("/api/v1/nodes"),
      this.api.get<{ items: PodObject[] }>(
        `/api/v1/namespaces/${this.namespace}/pods?labelSelector=${encodeURIComponent(this.selector)}`,
      ),
    ]);
    let initiators: string[] | undefined;
    try {
      initiators = this.target?.initiators();
    } catch {
      initiators = undefined;
    }
    if (initiators && initiators.length > this.maxInitiators) {
      this.maxInitiators = initiators.length;
      this.maxInitiatorsAt = initiators;
    }
    const facts = observe(nodes.items, pods.items, initiators);
    const t = this.now();
    for (const [key, what] of facts) {
      if (this.last.get(key) !== what) this.entries.push({ t, what });
    }
    for (const key of this.last.keys()) {
      if (!facts.has(key) && key.startsWith("pod/"))
        this.entries.push({ t, what: `${this.last.get(key)?.split(" ").slice(0, 2).join(" ")} deleted` });
    }
    this.last = facts;
  }
}
