// Longhorn's part of protection (pure; tested): which claims join which recurring-job groups, the
// RecurringJobs themselves and Longhorn's VolumeSnapshotClasses. Field names follow longhorn.io/v1beta2
// (RecurringJob) and snapshot.storage.k8s.io/v1.
import type { BackupSettings, DatabaseSpec, StorageBackend } from "../config/types";
import { ENGINE_CATALOG } from "../databases/catalog";
import type { CustomObject } from "../shared/custom-object";
import { volumeSnapshotClass } from "../shared/snapshot-class";
import { STORAGE_CATALOG } from "../storage/catalog";
import { LONGHORN_NAMESPACE, LONGHORN_PROVISIONER } from "../storage/longhorn/chart";

/** Local snapshots of every database volume. */
export const SNAPSHOT_GROUP = "hadb-snapshots";
/** Off-cluster backups of crash-consistent volumes (IRIS has its own freeze/thaw job instead). */
export const BACKUP_GROUP = "hadb-backups";
export const LONGHORN_SNAPSHOT_CLASS = "hadb-longhorn-snapshots";
export const LONGHORN_BACKUP_CLASS = "hadb-longhorn-backups";

/**
 * Labels on a database claim that put its Longhorn volume into hadb's recurring-job groups (Longhorn
 * copies PVC labels to the volume only with the `source` label).
 */
export function claimProtectionLabels(
  database: DatabaseSpec,
  backend: StorageBackend,
  backups: BackupSettings,
): Record<string, string> {
  const { consistency } = ENGINE_CATALOG[database.engine];
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

export function longhornRecurringJobs(backups: BackupSettings): CustomObject[] {
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
export function longhornSnapshotClasses(): CustomObject[] {
  return [
    [LONGHORN_SNAPSHOT_CLASS, "snap"],
    [LONGHORN_BACKUP_CLASS, "bak"],
  ].map(([name = "", type = ""]) =>
    // Without `type` Longhorn would make a backup: always say which. Deleting the VolumeSnapshot (the
    // job's retention) deletes the snapshot/backup.
    volumeSnapshotClass(name, LONGHORN_PROVISIONER, "Delete", { type }),
  );
}
