import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterHandle } from "../cluster/handle";
import type { BackupSettings, DatabaseSpec } from "../config/types";
import type { StorageHandle } from "../storage/handle";
import {
  consistencyOf,
  irisBackupCronJob,
  irisBackupRole,
  irisBackupScript,
  LONGHORN_BACKUP_CLASS,
  LONGHORN_SNAPSHOT_CLASS,
  longhornRecurringJobs,
  longhornSnapshotClasses,
  type IrisBackupNames,
} from "./plan";
import { snapshotController } from "../shared/snapshot-controller";

export interface ProtectionArgs {
  cluster: ClusterHandle;
  storage: StorageHandle;
  databases: DatabaseSpec[];
  namespace: string;
  backups: BackupSettings;
  /** The databases component: protection jobs start only once the databases exist. */
  after: pulumi.Resource[];
}

/** What the stack exports about protection (README "Backups and DR"). */
export interface ProtectionSummary {
  schedule: string;
  retain: number;
  snapshotSchedule: string;
  snapshotRetain: number;
  snapshotClassName: string | undefined;
  /** Per database: how its copies are made consistent. */
  consistency: Record<string, string>;
}

/**
 * Scheduled protection: Longhorn recurring snapshots and backups for crash-consistent volumes, a
 * freeze/thaw backup CronJob per IRIS database, VolumeSnapshot support where the platform lacks it.
 * (PostgreSQL backups are pgBackRest schedules inside each PostgresCluster.)
 */
export class Protection extends pulumi.ComponentResource {
  readonly summary: ProtectionSummary;

  constructor(name: string, args: ProtectionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hadb:protection:Protection", name, {}, opts);
    const childOpts = { parent: this, provider: args.cluster.provider };
    const { backups, storage } = args;
    let snapshotClassName = storage.snapshotClassName;

    if (storage.backend === "longhorn") {
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
        this.irisBackup(name, database, args, classes);
      }
    }

    this.summary = {
      schedule: backups.schedule,
      retain: backups.retain,
      snapshotSchedule: backups.snapshotSchedule,
      snapshotRetain: backups.snapshotRetain,
      snapshotClassName,
      consistency: Object.fromEntries(args.databases.map((d) => [d.name, consistencyOf(d)])),
    };
    this.registerOutputs({ schedule: backups.schedule });
  }

  /** ConfigMap (script), ServiceAccount, Role + binding and the CronJob of one IRIS database. */
  private irisBackup(
    name: string,
    database: DatabaseSpec,
    args: ProtectionArgs,
    classes: pulumi.Resource[],
  ): void {
    const names: IrisBackupNames = {
      namespace: args.namespace,
      deployment: database.name,
      claim: `${database.name}-data`,
      job: `${database.name}-backup`,
    };
    const opts = { parent: this, provider: args.cluster.provider, dependsOn: args.after };
    const metadata = { name: names.job, namespace: names.namespace };
    const script = new k8s.core.v1.ConfigMap(
      `${name}-${names.job}-script`,
      { metadata, data: { "iris-backup.sh": irisBackupScript() } },
      opts,
    );
    const account = new k8s.core.v1.ServiceAccount(`${name}-${names.job}`, { metadata }, opts);
    const role = new k8s.rbac.v1.Role(`${name}-${names.job}`, irisBackupRole(names), opts);
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
      irisBackupCronJob(names, {
        schedule: args.backups.schedule,
        retain: args.backups.retain,
        snapshotClass: LONGHORN_BACKUP_CLASS,
      }),
      { ...opts, dependsOn: [...args.after, script, binding, ...classes] },
    );
  }
}
