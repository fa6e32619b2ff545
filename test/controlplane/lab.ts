// Putting databases on the simulated control plane: the objects of hadb's synth output or of the
// seed article, static PersistentVolumes standing in for Longhorn, and the simulated faults.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { toKubernetesYaml, type KubeObject } from "../../tools/synth/write";
import type { ControlPlane } from "./cluster";
import { KubeApi, type FaultInjector } from "./experiments";
import { FAULT_ANNOTATION, FAULT_PROCESS_STOPPED } from "./kwok-stages";
import { waitFor } from "./procs";

/** Node label the benchmark uses to give each experiment its own nodes (isolation only). */
export const POOL_LABEL = "hadb.test/pool";

export type ManifestSet = "hadb" | "seed";

export interface DatabaseObjects {
  namespace: string;
  deployment: string;
  /** In apply order: cluster-scoped and Namespace first. */
  objects: KubeObject[];
}

interface PvcSpec {
  storageClassName?: string;
  accessModes?: string[];
  resources?: { requests?: { storage?: string } };
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** Copies `objects` into `namespace` and, with a pool, pins Deployments to that pool's nodes. */
function relocate(objects: KubeObject[], namespace: string, pool?: string): KubeObject[] {
  return objects.map((source) => {
    const object = clone(source);
    if (object.kind === "Namespace") object.metadata.name = namespace;
    else if (object.metadata.namespace !== undefined || isNamespaced(object))
      object.metadata.namespace = namespace;
    if (pool && object.kind === "Deployment") {
      const spec = object.spec as { template: { spec: { nodeSelector?: Record<string, string> } } };
      spec.template.spec.nodeSelector = { ...spec.template.spec.nodeSelector, [POOL_LABEL]: pool };
    }
    return object;
  });
}

const CLUSTER_SCOPED = new Set([
  "Namespace",
  "StorageClass",
  "PersistentVolume",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "PriorityClass",
  "Node",
]);

export function isNamespaced(object: KubeObject): boolean {
  return !CLUSTER_SCOPED.has(object.kind);
}

/** hadb's database objects for one Deployment of a synth output (its namespace, Secret, CPF, PVC, Service). */
export function hadbDatabase(
  manifests: KubeObject[],
  deployment: string,
  namespace: string,
  pool?: string,
): DatabaseObjects {
  const source = manifests.find((o) => o.kind === "Deployment" && o.metadata.name === deployment);
  const sourceNamespace = source?.metadata.namespace;
  if (!source || !sourceNamespace) throw new Error(`synth output has no Deployment ${deployment}`);
  const objects = manifests.filter(
    (o) =>
      o.kind === "StorageClass" ||
      (o.kind === "Namespace" && o.metadata.name === sourceNamespace) ||
      o.metadata.namespace === sourceNamespace,
  );
  return { namespace, deployment, objects: relocate(objects, namespace, pool) };
}

/** The seed article's objects (seed/iris.yaml) in a Namespace of their own. */
export function seedDatabase(namespace: string, pool?: string): DatabaseObjects {
  const text = readFileSync(join(__dirname, "seed", "iris.yaml"), "utf8");
  const objects = parseAllDocuments(text).map((doc) => doc.toJS() as KubeObject);
  const ns: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } };
  return { namespace, deployment: "iris", objects: relocate([ns, ...objects], namespace, pool) };
}

interface PvSpec {
  claimRef?: { namespace?: string; name?: string };
}

/** The PV a PVC is meant to bind to: one in the manifests that claims it (static provisioning), else its stand-in. */
export function volumeFor(objects: KubeObject[], pvc: KubeObject): { name: string; standIn: boolean } {
  const namespace = pvc.metadata.namespace ?? "default";
  const provided = objects.find((o) => {
    const claim = o.kind === "PersistentVolume" ? (o.spec as PvSpec).claimRef : undefined;
    return claim?.name === pvc.metadata.name && (claim.namespace ?? "default") === namespace;
  });
  return provided
    ? { name: provided.metadata.name, standIn: false }
    : { name: `e2e-${namespace}-${pvc.metadata.name}`, standIn: true };
}

/**
 * Static PVs standing in for a dynamic provisioner (Longhorn): one per PVC that the manifests do not
 * already provide a PV for, carrying the PVC's StorageClass name and pre-bound to it through claimRef, on
 * a hostPath (never used: no container runs). No node affinity, so the volume can follow the pod to any
 * node, as a replicated Longhorn volume does.
 */
export function standInVolumes(objects: KubeObject[]): KubeObject[] {
  return objects
    .filter((o) => o.kind === "PersistentVolumeClaim" && volumeFor(objects, o).standIn)
    .map((pvc) => {
      const spec = pvc.spec as PvcSpec;
      const namespace = pvc.metadata.namespace ?? "default";
      return {
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: { name: volumeFor(objects, pvc).name, labels: { "hadb.test/stand-in": "true" } },
        spec: {
          capacity: { storage: spec.resources?.requests?.storage ?? "1Gi" },
          accessModes: spec.accessModes ?? ["ReadWriteOnce"],
          storageClassName: spec.storageClassName ?? "",
          persistentVolumeReclaimPolicy: "Retain",
          claimRef: { namespace, name: pvc.metadata.name },
          hostPath: {
            path: `/var/lib/hadb-e2e/${namespace}/${pvc.metadata.name}`,
            type: "DirectoryOrCreate",
          },
        },
      };
    });
}

export function toYaml(objects: KubeObject[]): string {
  return toKubernetesYaml(objects);
}

export const APPLY_ARGS = ["apply", "--server-side", "--field-manager=hadb-e2e", "--validate=strict"];

/** Applies the objects (and stand-in PVs first) and waits until the Deployment is Available. */
export async function deployDatabase(
  cp: ControlPlane,
  db: DatabaseObjects,
  timeoutSeconds = 120,
): Promise<void> {
  const namespaces = db.objects.filter((o) => !isNamespaced(o));
  const rest = db.objects.filter((o) => isNamespaced(o));
  await cp.kubectl([...APPLY_ARGS, "-f", "-"], toYaml([...namespaces, ...standInVolumes(db.objects)]));
  // Pods need the namespace's default ServiceAccount (made by the controller manager) to be admitted.
  await waitFor(
    `ServiceAccount default in ${db.namespace}`,
    async () =>
      (await cp.kubectlResult(["-n", db.namespace, "get", "serviceaccount", "default"])).code === 0
        ? true
        : undefined,
    30_000,
    250,
  );
  await cp.kubectl([...APPLY_ARGS, "-f", "-"], toYaml(rest));
  await cp.kubectl([
    "-n",
    db.namespace,
    "wait",
    "--for=condition=Available",
    `deployment/${db.deployment}`,
    `--timeout=${timeoutSeconds}s`,
  ]);
}

/** Faults on the simulated control plane (see kwok-stages.ts for how the kubelet model reacts). */
export function simulatedFaults(cp: ControlPlane): FaultInjector {
  return {
    stopProcess: async (api, namespace, pod) => {
      await api.patch(`/api/v1/namespaces/${namespace}/pods/${pod.name}`, {
        metadata: { annotations: { [FAULT_ANNOTATION]: FAULT_PROCESS_STOPPED } },
      });
    },
    loseNode: (_api, node) => cp.killNode(node),
  };
}

export function startApi(cp: ControlPlane): Promise<KubeApi> {
  return KubeApi.start(cp.kubeconfigPath, cp.kubectlPath);
}
