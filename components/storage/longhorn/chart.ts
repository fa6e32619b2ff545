// Pure decisions for Longhorn: chart pin, chart values and hadb's StorageClass for databases.

import type * as k8s from "@pulumi/kubernetes";
import { recommendedLabels } from "../../shared/labels";

/**
 * Longhorn 1.12.1: newest released Longhorn (1.12.2 and 1.13 docs are pre-release). Needs Kubernetes
 * >= 1.25. Upgrades must go one minor at a time (the chart's pre-upgrade checker enforces it).
 */
export const LONGHORN_CHART = {
  repo: "https://charts.longhorn.io",
  chart: "longhorn",
  version: "1.12.1",
} as const;

export const LONGHORN_NAMESPACE = "longhorn-system";
export const LONGHORN_PROVISIONER = "driver.longhorn.io";

/**
 * What Longhorn does with the pods of a down node: force-delete both Deployment and StatefulSet pods
 * (after detaching their volumes) so the database can attach its volume on another node instead of
 * waiting for Kubernetes' ~6 minute force-detach.
 */
export const NODE_DOWN_POD_DELETION_POLICY = "delete-both-statefulset-and-deployment-pod";

export interface LonghornPlacement {
  replicas: number;
  zones: string[];
}

/** Replicas always on different nodes; on different zones too when there are enough zones to do so. */
export function replicaAntiAffinity(placement: LonghornPlacement): { node: "hard"; zone: "hard" | "soft" } {
  return { node: "hard", zone: placement.zones.length >= placement.replicas ? "hard" : "soft" };
}

/**
 * Chart values. Since chart 1.10 every `defaultSettings` value is a string (JSON objects give per data
 * engine values), so numbers and booleans are passed quoted.
 */
export function longhornValues(placement: LonghornPlacement): Record<string, unknown> {
  const antiAffinity = replicaAntiAffinity(placement);
  const replicas = String(placement.replicas);
  return {
    persistence: {
      // Never take over an existing cluster's default StorageClass; databases use hadb's own class.
      defaultClass: false,
      defaultClassReplicaCount: placement.replicas,
      reclaimPolicy: "Retain",
    },
    defaultSettings: {
      defaultReplicaCount: JSON.stringify({ v1: replicas, v2: replicas }),
      replicaSoftAntiAffinity: "false",
      replicaZoneSoftAntiAffinity: antiAffinity.zone === "hard" ? "false" : "true",
      nodeDownPodDeletionPolicy: NODE_DOWN_POD_DELETION_POLICY,
      // Rebuilt replicas move back to their own node/zone when a failed one returns.
      replicaAutoBalance: "best-effort",
      // A drain may not take the last healthy replica of a volume with it.
      nodeDrainPolicy: "block-if-contains-last-replica",
    },
    // The UI stays cluster-internal (no ingress); reach it with `kubectl port-forward`.
    ingress: { enabled: false },
  };
}

export interface StorageClassSpec {
  name: string;
  replicas: number;
  /** Every volume of this class starts as a restore of this Longhorn backup URL. */
  fromBackup?: string;
}

export function longhornStorageClass(spec: StorageClassSpec): k8s.types.input.storage.v1.StorageClass {
  return {
    metadata: {
      name: spec.name,
      labels: recommendedLabels({ name: "longhorn", instance: spec.name, component: "storage-class" }),
    },
    provisioner: LONGHORN_PROVISIONER,
    // Retain: deleting a claim (or the stack) never deletes database data.
    reclaimPolicy: "Retain",
    allowVolumeExpansion: true,
    // Longhorn volumes attach on any node, so binding need not wait for scheduling.
    volumeBindingMode: "Immediate",
    parameters: {
      numberOfReplicas: String(spec.replicas),
      // Minutes a failed replica is kept before Longhorn rebuilds it elsewhere.
      staleReplicaTimeout: "30",
      fsType: "ext4",
      dataLocality: "disabled",
      ...(spec.fromBackup !== undefined ? { fromBackup: spec.fromBackup } : {}),
    },
  };
}
