import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterHandle } from "../cluster/handle";
import type { BackupSettings, DatabaseSpec } from "../config/types";
import type { StorageHandle } from "../storage/handle";
import {
  consistencyOf,
  copyMethodOf,
  LONGHORN_BACKUP_CLASS,
  LONGHORN_SNAPSHOT_CLASS,
  longhornRecurringJobs,
  longhornSnapshotClasses,
  VOLUME_BACKUP_SCRIPT,
  volumeBackupCronJob,
  volumeBackupRole,
  volumeBackupScript,
  type CopyMethod,
  type VolumeBackupMode,
  type VolumeBackupNames,
} from "./plan";
import * as random from "@pulumi/random";
import {
  cloneClaim,
  copyJob,
  COPY_DEADLINE_SECONDS,
  RESTIC_SECRET,
  resticTarget,
  type ResticTarget,
} from "./copy";
import { singleWriterOf } from "../databases/catalog";
import { dataClaimName } from "../shared/naming";
import { snapshotController } from "../shared/snapshot-controller";

export interface ProtectionArgs {
  cluster: ClusterHandle;
  storage: StorageHandle;
  databases: DatabaseSpec[];
  namespace: string;
  backups: BackupSettings;
  /** The databases component: protection jobs start only once the databases exist. */
  after: pulumi.Resource[];
  /** Longhorn: the backup target URL (for the summary). */
  longhornTarget?: pulumi.Input<string>;
}

/** What the stack exports about protection (docs/outputs.md). */
export interface ProtectionSummary {
  schedule: string;
  retain: number;
  snapshotSchedule: string;
  snapshotRetain: number;
  snapshotClassName: string | undefined;
  /** Per database: how its copies are made consistent. */
  consistency: Record<string, string>;
  /** Per database: what carries its copies off the cluster. */
  copies: Record<string, CopyMethod>;
  /** Longhorn's backup target URL. */
  target?: pulumi.Input<string>;
  /** Rook-Ceph/Portworx: the restic repository prefix (each database under `/<namespace>/<name>`). */
  resticRepository?: pulumi.Input<string>;
}

/**
 * Scheduled protection: Longhorn recurring snapshots and backups for crash-consistent volumes, a
 * freeze/thaw backup CronJob per IRIS database, VolumeSnapshot support where the platform lacks it.
 * (PostgreSQL backups are pgBackRest schedules inside each PostgresCluster.)
 */
export class Protection extends pulumi.ComponentResource {
  readonly summary: ProtectionSummary;
  /** Rook-Ceph/Portworx with IRIS or MySQL: the restic repository password (secret). */
  readonly resticPassword?: pulumi.Output<string>;

  constructor(name: string, args: ProtectionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hadb:protection:Protection", name, {}, opts);
    const childOpts = { parent: this, provider: args.cluster.provider };
    const { backups, storage } = args;
    let snapshotClassName = storage.snapshotClassName;

    let target: pulumi.Input<string> | undefined;
    let resticRepository: pulumi.Input<string> | undefined;
    if (storage.backend === "longhorn") {
      target = args.longhornTarget;
      const snapshotsReady: pulumi.Resource[] = [];
      if (!args.cluster.volumeSnapshots) {
        // CRDs + controller for snapshot.storage.k8s.io/v1 (AKS, EKS and GKE ship them).
        snapshotsReady.push(snapshotController(`${name}-snapshot-controller`, childOpts));
      }
      const classes = longhornSnapshotClasses().map(
        (object) =>
          new k8s.apiextensions.CustomResource(
            `${name}-${(object.metadata as { name: string }).name}`,
            object as k8s.apiextensions.CustomResourceArgs,
            { ...childOpts, dependsOn: [...snapshotsReady, ...storage.ready] },
          ),
      );
      snapshotClassName = LONGHORN_SNAPSHOT_CLASS;
      for (const job of longhornRecurringJobs(backups)) {
        new k8s.apiextensions.CustomResource(
          `${name}-${(job.metadata as { name: string }).name}`,
          job as k8s.apiextensions.CustomResourceArgs,
          { ...childOpts, dependsOn: storage.ready },
        );
      }
      for (const database of args.databases.filter((d) => consistencyOf(d) === "iris-freeze")) {
        this.volumeBackup(name, database, args, {
          suffix: "backup",
          schedule: backups.schedule,
          retain: backups.retain,
          snapshotClass: LONGHORN_BACKUP_CLASS,
          freeze: "iris",
          copy: "none",
          after: classes,
        });
      }
    }

    // Rook-Ceph and Portworx: local restore points and restic copies, both from scheduled snapshots.
    const copied = args.databases.filter((d) => d.engine !== "postgres");
    if ((storage.backend === "rook-ceph" || storage.backend === "portworx") && copied.length > 0) {
      const snapshotClass = storage.scheduledSnapshotClassName;
      // The repository key: without it nobody (hadb included) can read the copies. Exported as the
      // secret stack output `resticPassword`.
      const password = new random.RandomPassword(
        `${name}-restic-password`,
        { length: 40, special: false },
        { parent: this },
      );
      this.resticPassword = pulumi.secret(password.result);
      const restic = resticTarget(args.cluster.backupStore, backups.nfsTarget, this.resticPassword);
      if (snapshotClass === undefined || !restic)
        throw new Error(`backups on ${storage.backend} without a scheduled snapshot class or restic target`);
      const secret = new k8s.core.v1.Secret(
        `${name}-restic`,
        { metadata: { name: RESTIC_SECRET, namespace: args.namespace }, stringData: restic.secretData },
        { ...childOpts, dependsOn: args.after },
      );
      for (const database of copied) {
        const freeze = database.engine === "iris" ? "iris" : "none";
        this.volumeBackup(name, database, args, {
          suffix: "snapshots",
          schedule: backups.snapshotSchedule,
          retain: backups.snapshotRetain,
          snapshotClass,
          freeze,
          copy: "none",
          after: storage.ready,
        });
        this.volumeBackup(name, database, args, {
          suffix: "backup",
          schedule: backups.schedule,
          retain: backups.retain,
          snapshotClass,
          freeze,
          copy: "restic",
          restic,
          after: [...storage.ready, secret],
        });
      }
      snapshotClassName = storage.snapshotClassName;
      resticRepository = restic.location;
    }

    this.summary = {
      schedule: backups.schedule,
      retain: backups.retain,
      snapshotSchedule: backups.snapshotSchedule,
      snapshotRetain: backups.snapshotRetain,
      snapshotClassName,
      consistency: Object.fromEntries(args.databases.map((d) => [d.name, consistencyOf(d)])),
      copies: Object.fromEntries(args.databases.map((d) => [d.name, copyMethodOf(d, storage.backend)])),
      ...(target !== undefined ? { target } : {}),
      ...(resticRepository !== undefined ? { resticRepository } : {}),
    };
    this.registerOutputs({ schedule: backups.schedule });
  }

  /**
   * ConfigMap (script, and the copy templates), ServiceAccount, Role + binding and the CronJob of one
   * scheduled volume backup of one database.
   */
  private volumeBackup(
    name: string,
    database: DatabaseSpec,
    args: ProtectionArgs,
    job: VolumeBackupMode & {
      suffix: "backup" | "snapshots";
      schedule: string;
      retain: number;
      snapshotClass: string;
      after: pulumi.Resource[];
      restic?: ResticTarget;
    },
  ): void {
    const names: VolumeBackupNames = {
      namespace: args.namespace,
      deployment: database.name,
      claim: dataClaimName(database.name),
      job: `${database.name}-${job.suffix}`,
    };
    const opts = { parent: this, provider: args.cluster.provider, dependsOn: args.after };
    const metadata = { name: names.job, namespace: names.namespace };
    const copyTemplates: Record<string, pulumi.Input<string>> = job.copy === "restic" && job.restic
      ? {
          "clone-claim.json": JSON.stringify(
            cloneClaim(names.namespace, database.name, args.storage.storageClassName, database.volumeSize),
          ),
          "copy-job.json": pulumi.output(job.restic.repositoryBase).apply((base) =>
            JSON.stringify(
              copyJob({
                namespace: names.namespace,
                database: database.name,
                uid: singleWriterOf(database.engine).uid,
                repository: `${base}/${names.namespace}/${database.name}`,
                ...(job.restic?.nfs ? { nfs: job.restic.nfs } : {}),
                keep: job.retain,
                deadlineSeconds: COPY_DEADLINE_SECONDS,
              }),
            ),
          ),
        }
      : {};
    const script = new k8s.core.v1.ConfigMap(
      `${name}-${names.job}-script`,
      { metadata, data: { [VOLUME_BACKUP_SCRIPT]: volumeBackupScript(), ...copyTemplates } },
      opts,
    );
    const account = new k8s.core.v1.ServiceAccount(`${name}-${names.job}`, { metadata }, opts);
    const role = new k8s.rbac.v1.Role(`${name}-${names.job}`, volumeBackupRole(names, job), opts);
    const binding = new k8s.rbac.v1.RoleBinding(
      `${name}-${names.job}`,
      {
        metadata,
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: names.job },
        subjects: [{ kind: "ServiceAccount", name: names.job, namespace: names.namespace }],
      },
      { ...opts, dependsOn: [...args.after, role, account] },
    );
    new k8s.batch.v1.CronJob(
      `${name}-${names.job}`,
      volumeBackupCronJob(names, {
        schedule: job.schedule,
        retain: job.retain,
        snapshotClass: job.snapshotClass,
        freeze: job.freeze,
        copy: job.copy,
      }),
      { ...opts, dependsOn: [...args.after, script, binding, ...job.after] },
    );
  }
}
