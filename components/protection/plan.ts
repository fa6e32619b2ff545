// Protection decisions (pure; tested): which volumes join which Longhorn recurring jobs, the jobs
// themselves, the snapshot classes, and the IRIS freeze/thaw backup CronJob. Field names follow
// longhorn.io/v1beta2 (RecurringJob), snapshot.storage.k8s.io/v1 and batch/v1.
import type * as k8s from "@pulumi/kubernetes";
import { readFileSync } from "node:fs";
import { kubectlCronJob } from "./kubectl-job";
import { COPY_DEADLINE_SECONDS } from "./copy";
import { join } from "node:path";
import type { BackupSettings, DatabaseSpec, StorageBackend } from "../config/types";
import { recommendedLabels } from "../shared/labels";
import { volumeSnapshotClass } from "../shared/snapshot-class";
import { LONGHORN_NAMESPACE, LONGHORN_PROVISIONER } from "../storage/longhorn/chart";
import { STORAGE_CATALOG } from "../storage/catalog";
import { ENGINE_CATALOG, type Consistency } from "../databases/catalog";

/** Local snapshots of every database volume. */
export const SNAPSHOT_GROUP = "hadb-snapshots";
/** Off-cluster backups of crash-consistent volumes (IRIS has its own freeze/thaw job instead). */
export const BACKUP_GROUP = "hadb-backups";
export const LONGHORN_SNAPSHOT_CLASS = "hadb-longhorn-snapshots";
export const LONGHORN_BACKUP_CLASS = "hadb-longhorn-backups";

export type { Consistency };

/** What takes a database's copies off the cluster. */
export type CopyMethod = "longhorn-backup" | "restic" | "pgbackrest";

/** pgBackRest for PostgreSQL (its own backups), otherwise what the storage backend copies volumes with. */
export function copyMethodOf(database: DatabaseSpec, backend: StorageBackend): CopyMethod {
  if (consistencyOf(database) === "pgbackrest") return "pgbackrest";
  const copies = STORAGE_CATALOG[backend].volumeCopies;
  if (copies === undefined) throw new Error(`backups on storage ${backend} passed validation`);
  return copies;
}

export function consistencyOf(database: DatabaseSpec): Consistency {
  return ENGINE_CATALOG[database.engine].consistency;
}

/**
 * Labels on a database claim that put its Longhorn volume into hadb's recurring-job groups (Longhorn
 * copies PVC labels to the volume only with the `source` label).
 */
export function claimProtectionLabels(
  database: DatabaseSpec,
  backend: StorageBackend,
  backups: BackupSettings,
): Record<string, string> {
  const consistency = consistencyOf(database);
  if (!backups.enabled || STORAGE_CATALOG[backend].volumeCopies !== "longhorn-backup") return {};
  if (consistency === "pgbackrest") return {};
  return {
    "recurring-job.longhorn.io/source": "enabled",
    [`recurring-job-group.longhorn.io/${SNAPSHOT_GROUP}`]: "enabled",
    ...(consistency === "crash-consistent"
      ? { [`recurring-job-group.longhorn.io/${BACKUP_GROUP}`]: "enabled" }
      : {}),
  };
}

export function longhornRecurringJobs(backups: BackupSettings): Record<string, unknown>[] {
  const job = (name: string, task: string, cron: string, retain: number, concurrency: number) => ({
    apiVersion: "longhorn.io/v1beta2",
    kind: "RecurringJob",
    metadata: { name, namespace: LONGHORN_NAMESPACE },
    spec: { name, task, cron, retain, concurrency, groups: [name], labels: { "hadb.io/job": name } },
  });
  return [
    job(SNAPSHOT_GROUP, "snapshot", backups.snapshotSchedule, backups.snapshotRetain, 2),
    // One upload at a time: backups share the node's network with replication traffic.
    job(BACKUP_GROUP, "backup", backups.schedule, backups.retain, 1),
  ];
}

/** Longhorn's VolumeSnapshotClasses: `snap` stays on the volume, `bak` is uploaded to the target. */
export function longhornSnapshotClasses(): Record<string, unknown>[] {
  return [
    [LONGHORN_SNAPSHOT_CLASS, "snap"],
    [LONGHORN_BACKUP_CLASS, "bak"],
  ].map(([name = "", type = ""]) =>
    // Without `type` Longhorn would make a backup: always say which. Deleting the VolumeSnapshot (the
    // job's retention) deletes the snapshot/backup.
    volumeSnapshotClass(name, LONGHORN_PROVISIONER, "Delete", { type }),
  );
}

export const VOLUME_BACKUP_SCRIPT = "volume-backup.sh";

export function volumeBackupScript(): string {
  return readFileSync(join(__dirname, VOLUME_BACKUP_SCRIPT), "utf8");
}

export interface VolumeBackupNames {
  namespace: string;
  /** The database Deployment and its data claim. */
  deployment: string;
  claim: string;
  /** ServiceAccount/Role/ConfigMap/CronJob name. */
  job: string;
}

/** One scheduled run of volume-backup.sh: how it makes the copy consistent and where it goes. */
export interface VolumeBackupMode {
  /** IRIS: ExternalFreeze/Thaw around the snapshot; none: crash-consistent. */
  freeze: "iris" | "none";
  /** none: the snapshot is the backup (Longhorn `bak`, or a local restore point); restic: copied off. */
  copy: "none" | "restic";
}

/**
 * What the job may do, in its namespace only: exec into the IRIS pod (to freeze it), manage
 * VolumeSnapshots, and for off-cluster copies create and remove the clone claim and the restic Job.
 */
export function volumeBackupRole(
  names: VolumeBackupNames,
  mode: VolumeBackupMode,
): k8s.types.input.rbac.v1.Role {
  return {
    metadata: { name: names.job, namespace: names.namespace },
    rules: [
      ...(mode.freeze === "iris"
        ? [
            {
              apiGroups: ["apps"],
              resources: ["deployments"],
              resourceNames: [names.deployment],
              verbs: ["get"],
            },
            { apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] },
          ]
        : []),
      { apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] },
      {
        apiGroups: ["snapshot.storage.k8s.io"],
        resources: ["volumesnapshots"],
        verbs: ["create", "get", "list", "delete"],
      },
      ...(mode.copy === "restic"
        ? [
            { apiGroups: [""], resources: ["persistentvolumeclaims"], verbs: ["create", "get", "delete"] },
            { apiGroups: ["batch"], resources: ["jobs"], verbs: ["create", "get", "delete"] },
            { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
          ]
        : []),
    ],
  };
}

export function volumeBackupCronJob(
  names: VolumeBackupNames,
  args: VolumeBackupMode & { schedule: string; retain: number; snapshotClass: string },
): k8s.types.input.batch.v1.CronJob {
  return kubectlCronJob({
    name: names.job,
    namespace: names.namespace,
    labels: recommendedLabels({ name: "volume-backup", instance: names.deployment, component: "backup" }),
    schedule: args.schedule,
    script: VOLUME_BACKUP_SCRIPT,
    env: [
      { name: "HADB_NAMESPACE", value: names.namespace },
      { name: "HADB_DEPLOYMENT", value: names.deployment },
      { name: "HADB_CLAIM", value: names.claim },
      { name: "HADB_SNAPSHOT_CLASS", value: args.snapshotClass },
      { name: "HADB_RETAIN", value: String(args.retain) },
      { name: "HADB_FREEZE", value: args.freeze },
      { name: "HADB_COPY", value: args.copy },
      ...(args.copy === "restic"
        ? [{ name: "HADB_COPY_TIMEOUT_SECONDS", value: String(COPY_DEADLINE_SECONDS + 600) }]
        : []),
    ],
    // A copy uploads the whole volume the first time (restic deduplicates every later one).
    activeDeadlineSeconds: args.copy === "restic" ? COPY_DEADLINE_SECONDS + 1800 : 900,
    container: "backup",
  });
}
