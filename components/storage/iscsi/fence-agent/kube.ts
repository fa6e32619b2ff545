// hadb fence agent: the few Kubernetes API calls it makes, over HTTPS with the cluster's CA and its
// ServiceAccount token (RBAC: fence-agent/files.ts). Node built-ins only (shipped as JavaScript).
import { request } from "node:https";
import { OUT_OF_SERVICE_TAINT, type NodeView, type Taint } from "./plan";

export class KubeError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface NodeObject {
  metadata: { name: string; resourceVersion: string; annotations?: Record<string, string> };
  spec?: { taints?: Taint[] };
  status?: {
    conditions?: { type: string; status: string }[];
    nodeInfo?: { bootID?: string };
    addresses?: { type: string; address: string }[];
  };
}

interface PodObject {
  metadata: { name: string; namespace: string };
  spec?: { tolerations?: { key?: string; operator?: string; effect?: string }[] };
}

/** Annotation on a fenced node, for whoever runs `kubectl describe node`. */
export const FENCE_ANNOTATION = "hadb.io/fence";

export class Kube {
  constructor(
    private readonly server: string,
    private readonly ca: string,
    private readonly token: string,
    private readonly timeoutMs = 5_000,
  ) {}

  call<T>(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<T> {
    const url = new URL(path, this.server);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          ca: this.ca,
          timeout: this.timeoutMs,
          headers: {
            Authorization: `Bearer ${this.token}`,
            Accept: "application/json",
            ...(payload === undefined
              ? {}
              : { "Content-Type": contentType, "Content-Length": Buffer.byteLength(payload) }),
          },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (text += chunk));
          res.on("end", () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve((text === "" ? {} : JSON.parse(text)) as T);
            else
              reject(
                new KubeError(status, `${method} ${url.pathname}: HTTP ${status} ${text.slice(0, 300)}`),
              );
          });
        },
      );
      req.on("timeout", () =>
        req.destroy(new Error(`${method} ${url.pathname}: no answer in ${this.timeoutMs} ms`)),
      );
      req.on("error", reject);
      req.end(payload);
    });
  }

  async nodes(): Promise<NodeView[]> {
    const list = await this.call<{ items: NodeObject[] }>("GET", "/api/v1/nodes");
    return list.items.map((node) => {
      const ready = node.status?.conditions?.find((c) => c.type === "Ready")?.status;
      return {
        name: node.metadata.name,
        ready: ready === "True" || ready === "False" ? ready : "Unknown",
        bootId: node.status?.nodeInfo?.bootID ?? "",
        address: node.status?.addresses?.find((a) => a.type === "InternalIP")?.address,
        taints: node.spec?.taints ?? [],
      };
    });
  }

  /** Adds (or removes) the agent's out-of-service taint and fence annotation, guarded by resourceVersion. */
  async setFenceTaint(name: string, note: string | undefined): Promise<boolean> {
    const node = await this.call<NodeObject>("GET", `/api/v1/nodes/${encodeURIComponent(name)}`);
    const others = (node.spec?.taints ?? []).filter(
      (t) => !(t.key === OUT_OF_SERVICE_TAINT.key && t.value === OUT_OF_SERVICE_TAINT.value),
    );
    const taints = note === undefined ? others : [...others, { ...OUT_OF_SERVICE_TAINT }];
    const annotation = `/metadata/annotations/${FENCE_ANNOTATION.replace("/", "~1")}`;
    const annotations = node.metadata.annotations ?? {};
    const patch: unknown[] = [
      { op: "test", path: "/metadata/resourceVersion", value: node.metadata.resourceVersion },
      { op: node.spec?.taints ? "replace" : "add", path: "/spec/taints", value: taints },
    ];
    if (node.metadata.annotations === undefined)
      patch.push({ op: "add", path: "/metadata/annotations", value: {} });
    if (note !== undefined) patch.push({ op: "add", path: annotation, value: note });
    else if (FENCE_ANNOTATION in annotations) patch.push({ op: "remove", path: annotation });
    const changed =
      taints.length !== (node.spec?.taints ?? []).length ||
      (annotations[FENCE_ANNOTATION] ?? undefined) !== note;
    if (!changed) return false;
    await this.call(
      "PATCH",
      `/api/v1/nodes/${encodeURIComponent(name)}`,
      patch,
      "application/json-patch+json",
    );
    return true;
  }

  /**
   * Deletes, at once, the pods of `namespace` bound to the node that do not tolerate the out-of-service
   * taint: what the pod garbage collector does on its next pass (every 20 s), without the wait. Safe only
   * because the node is fenced. Returns the names deleted.
   */
  async releasePods(namespace: string, node: string): Promise<string[]> {
    const selector = encodeURIComponent(`spec.nodeName=${node}`);
    const pods = await this.call<{ items: PodObject[] }>(
      "GET",
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods?fieldSelector=${selector}`,
    );
    const deleted: string[] = [];
    for (const pod of pods.items) {
      const tolerates = (pod.spec?.tolerations ?? []).some(
        (t) =>
          (t.key === OUT_OF_SERVICE_TAINT.key || (t.key === undefined && t.operator === "Exists")) &&
          (t.effect === undefined || t.effect === OUT_OF_SERVICE_TAINT.effect),
      );
      if (tolerates) continue;
      try {
        await this.call(
          "DELETE",
          `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod.metadata.name)}`,
          { kind: "DeleteOptions", apiVersion: "v1", gracePeriodSeconds: 0 },
        );
        deleted.push(`${namespace}/${pod.metadata.name}`);
      } catch (error) {
        if (!(error instanceof KubeError && error.status === 404)) throw error;
      }
    }
    return deleted;
  }
}
