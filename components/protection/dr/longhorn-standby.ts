// Longhorn DR volumes on a standby site: names, the reconciler's input, its RBAC, and the static
// PersistentVolumes the standby's database claims bind to once the volumes are activated.
import type * as k8s from "@pulumi/kubernetes";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseQuantity } from "../../config/quantity";
import type { DatabaseSpec } from "../../config/types";
import { recommendedLabels } from "../../shared/labels";
import { LONGHORN_PROVISIONER } from "../../storage/longhorn/chart";
import { dataClaimName } from "../../shared/naming";
import { kubectlCronJob } from "../kubectl-job";

export const STANDBY_JOB = "hadb-dr-standby-volumes";
export const STANDBY_SCRIPT = "longhorn-standby-volumes.sh";

export interface StandbyVolume {
  /** Longhorn volume and PersistentVolume name. */
  volume: string;
  database: string;
  namespace: string;
  /** The claim on both sites: the primary's backups are labelled with it, the standby binds it. */
  claim: string;
  sizeBytes: number;
  replicas: number;
}

export function standbyVolumes(
  databases: DatabaseSpec[],
  namespace: string,
  replicas: number,
): StandbyVolume[] {
  return databases.map((database) => ({
    volume: `hadb-dr-${database.name}`,
    database: database.name,
    namespace,
    claim: dataClaimName(database.name),
    sizeBytes: parseQuantity(database.volumeSize) ?? 0,
    replicas,
  }));
}

/** The reconciler's input file: one line per volume (see the script's header). */
export function standbyVolumesFile(volumes: StandbyVolume[]): string {
  return volumes
    .map((v) => [v.volume, v.namespace, v.claim, String(v.sizeBytes), String(v.replicas)].join(" "))
    .join("\n")
    .concat("\n");
}

export function standbyVolumesScript(): string {
  return readFileSync(join(__dirname, STANDBY_SCRIPT), "utf8");
}

/** Read the synced backups, read and create standby volumes: nothing else in longhorn-system. */
export function standbyJobRole(namespace: string): k8s.types.input.rbac.v1.Role {
  return {
    metadata: { name: STANDBY_JOB, namespace },
    rules: [
      { apiGroups: ["longhorn.io"], resources: ["backups"], verbs: ["get", "list"] },
      { apiGroups: ["longhorn.io"], resources: ["volumes"], verbs: ["get", "list", "create", "patch"] },
    ],
  };
}

export function standbyJob(namespace: string, intervalMinutes: number): k8s.types.input.batch.v1.CronJob {
  return kubectlCronJob({
    name: STANDBY_JOB,
    namespace,
    labels: recommendedLabels({ name: "hadb", instance: STANDBY_JOB, component: "dr-standby" }),
    schedule:
      intervalMinutes >= 60
        ? `0 */${Math.floor(intervalMinutes / 60)} * * *`
        : `*/${intervalMinutes} * * * *`,
    script: STANDBY_SCRIPT,
    env: [
      { name: "LONGHORN_NAMESPACE", value: namespace },
      { name: "VOLUMES_FILE", value: "/scripts/volumes" },
    ],
    activeDeadlineSeconds: 300,
    container: "reconcile",
  });
}

/**
 * The PV a standby's database claim binds to (claimRef: nobody else can take it). It points at the
 * standby volume, which Longhorn lets attach only after activation; the data keeps its ext4.
 */
export function standbyPersistentVolume(
  volume: StandbyVolume,
  storageClassName: string,
  size: string,
): k8s.types.input.core.v1.PersistentVolume {
  return {
    metadata: {
      name: volume.volume,
      labels: recommendedLabels({ name: "hadb", instance: volume.database, component: "dr-standby" }),
    },
    spec: {
      capacity: { storage: size },
      accessModes: ["ReadWriteOnce"],
      persistentVolumeReclaimPolicy: "Retain",
      storageClassName,
      volumeMode: "Filesystem",
      claimRef: { namespace: volume.namespace, name: volume.claim },
      csi: {
        driver: LONGHORN_PROVISIONER,
        volumeHandle: volume.volume,
        fsType: "ext4",
        volumeAttributes: { numberOfReplicas: String(volume.replicas), staleReplicaTimeout: "30" },
      },
    },
  };
}
