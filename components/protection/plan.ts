// What protection creates on a stack (pure; tested): the plan of the stack's storage backend, by how
// that backend copies volumes off the cluster (its storage catalog entry), as plain job descriptors the
// component turns into resources in order. PostgreSQL takes no part: pgBackRest schedules live in each
// PostgresCluster.
import type { BackupSettings, DatabaseSpec, StorageBackend } from "../config/types";
import { ENGINE_CATALOG, singleWriterOf, type Consistency } from "../databases/catalog";
import type { CustomObject } from "../shared/custom-object";
import { dataClaimName } from "../shared/naming";
import { STORAGE_CATALOG, type VolumeCopyMethod } from "../storage/catalog";
import type { StorageHandle } from "../storage/handle";
import {
  LONGHORN_BACKUP_CLASS,
  LONGHORN_SNAPSHOT_CLASS,
  longhornRecurringJobs,
  longhornSnapshotClasses,
} from "./longhorn";
import type { VolumeBackupMode, VolumeBackupNames } from "./volume-backup";

export type { Consistency };

/** What takes a database's copies off the cluster. */
export type CopyMethod = VolumeCopyMethod | "pgbackrest";

export function consistencyOf(database: DatabaseSpec): Consistency {
  return ENGINE_CATALOG[database.engine].consistency;
}

/** pgBackRest for PostgreSQL (its own backups), otherwise what the storage backend copies volumes with. */
export function copyMethodOf(database: DatabaseSpec, backend: StorageBackend): CopyMethod {
  if (consistencyOf(database) === "pgbackrest") return "pgbackrest";
  const copies = STORAGE_CATALOG[backend].volumeCopies;
  if (copies === undefined) throw new Error(`backups on storage ${backend} passed validation`);
  return copies;
}

/** One scheduled volume-backup.sh of one database (ConfigMap, ServiceAccount, Role + binding, CronJob). */
export type VolumeBackupJob = {
  names: VolumeBackupNames;
  schedule: string;
  retain: number;
  snapshotClass: string;
  /** What must exist first: the plan's snapshot classes, the storage, or the restic Secret too. */
  after: "snapshot-classes" | "storage" | "restic-secret";
} & (
  | { freeze: VolumeBackupMode["freeze"]; copy: "none" }
  | {
      freeze: VolumeBackupMode["freeze"];
      copy: "restic";
      /** The engine's user, which the copy Job runs as, and the size of the snapshot's clone. */
      uid: number;
      volumeSize: string;
    }
);

export interface ProtectionPlan {
  /** Install the snapshot.storage.k8s.io CRDs + controller (the cluster has none and the plan needs them). */
  snapshotController: boolean;
  /** VolumeSnapshotClasses the jobs use, created after the controller and the storage. */
  snapshotClasses: CustomObject[];
  /** The class named in the `backups` output. */
  snapshotClassName: string | undefined;
  /** Schedules the storage runs itself (Longhorn RecurringJobs), created once storage is ready. */
  storageSchedules: CustomObject[];
  /** What carries copies off the cluster: the Longhorn backup target, a restic repository, or nothing. */
  offCluster: VolumeCopyMethod | undefined;
  volumeBackups: VolumeBackupJob[];
}

export interface ProtectionInput {
  databases: DatabaseSpec[];
  /** The databases' namespace. */
  namespace: string;
  backups: BackupSettings;
  storage: Pick<StorageHandle, "backend" | "snapshotClassName" | "scheduledSnapshotClassName">;
  /** The cluster serves VolumeSnapshots already (AKS, EKS, GKE). */
  clusterSnapshots: boolean;
}

/** The plan of the stack's backend; a backend that copies nothing off the cluster (iSCSI) gets none. */
export function planProtection(input: ProtectionInput): ProtectionPlan {
  const copies = STORAGE_CATALOG[input.storage.backend].volumeCopies;
  if (copies === undefined) return { ...NOTHING, snapshotClassName: input.storage.snapshotClassName };
  return COPY_PLANS[copies](input);
}

const NOTHING: ProtectionPlan = {
  snapshotController: false,
  snapshotClasses: [],
  snapshotClassName: undefined,
  storageSchedules: [],
  offCluster: undefined,
  volumeBackups: [],
};

const COPY_PLANS: Record<VolumeCopyMethod, (input: ProtectionInput) => ProtectionPlan> = {
  /**
   * Longhorn: recurring snapshots of every claim and backups of crash-consistent ones (claim labels),
   * and for IRIS a freeze/thaw job whose VolumeSnapshot of the `bak` class is the backup.
   */
  "longhorn-backup": ({ databases, namespace, backups, clusterSnapshots }) => ({
    snapshotController: !clusterSnapshots,
    snapshotClasses: longhornSnapshotClasses(),
    snapshotClassName: LONGHORN_SNAPSHOT_CLASS,
    storageSchedules: longhornRecurringJobs(backups),
    offCluster: "longhorn-backup",
    volumeBackups: databases
      .filter((database) => consistencyOf(database) === "iris-freeze")
      .map((database) => ({
        names: jobNames(namespace, database, "backup"),
        schedule: backups.schedule,
        retain: backups.retain,
        snapshotClass: LONGHORN_BACKUP_CLASS,
        freeze: "iris",
        copy: "none",
        after: "snapshot-classes",
      })),
  }),
  /** Rook-Ceph, Portworx: local restore points and restic copies, both from scheduled snapshots. */
  restic: ({ databases, namespace, backups, storage }) => {
    const copied = databases.filter((database) => consistencyOf(database) !== "pgbackrest");
    if (copied.length === 0) return { ...NOTHING, snapshotClassName: storage.snapshotClassName };
    const snapshotClass = storage.scheduledSnapshotClassName;
    if (snapshotClass === undefined)
      throw new Error(`backups on ${storage.backend} without a scheduled snapshot class`);
    return {
      ...NOTHING,
      snapshotClassName: storage.snapshotClassName,
      offCluster: "restic",
      volumeBackups: copied.flatMap((database): VolumeBackupJob[] => {
        const freeze = consistencyOf(database) === "iris-freeze" ? "iris" : "none";
        return [
          {
            names: jobNames(namespace, database, "snapshots"),
            schedule: backups.snapshotSchedule,
            retain: backups.snapshotRetain,
            snapshotClass,
            freeze,
            copy: "none",
            after: "storage",
          },
          {
            names: jobNames(namespace, database, "backup"),
            schedule: backups.schedule,
            retain: backups.retain,
            snapshotClass,
            freeze,
            copy: "restic",
            uid: singleWriterOf(database.engine).uid,
            volumeSize: database.volumeSize,
            after: "restic-secret",
          },
        ];
      }),
    };
  },
};

function jobNames(
  namespace: string,
  database: DatabaseSpec,
  suffix: "backup" | "snapshots",
): VolumeBackupNames {
  return {
    namespace,
    deployment: database.name,
    claim: dataClaimName(database.name),
    job: `${database.name}-${suffix}`,
  };
}
