import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { ClusterHandle } from "../cluster/handle";
import type { BackupSettings, DatabaseSpec } from "../config/types";
import { snapshotController } from "../shared/snapshot-controller";
import type { StorageHandle } from "../storage/handle";
import { copyTemplates, RESTIC_SECRET, resticTarget, type ResticTarget } from "./copy";
import {
  consistencyOf,
  copyMethodOf,
  planProtection,
  type CopyMethod,
  type ProtectionPlan,
  type VolumeBackupJob,
} from "./plan";
import {
  VOLUME_BACKUP_SCRIPT,
  volumeBackupCronJob,
  volumeBackupRole,
  volumeBackupScript,
} from "./volume-backup";

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

/** What the stack exports about protection (README "Backups and DR"). */
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
 * Scheduled protection, as the storage backend's plan says (plan.ts): Longhorn recurring snapshots and
 * backups for crash-consistent volumes and a freeze/thaw backup CronJob per IRIS database; on Rook-Ceph
 * and Portworx scheduled snapshots and restic copies; VolumeSnapshot support where the platform lacks
 * it. (PostgreSQL backups are pgBackRest schedules inside each PostgresCluster.)
 */
export class Protection extends pulumi.ComponentResource {
  readonly summary: ProtectionSummary;
  /** Rook-Ceph/Portworx with IRIS or MySQL: the restic repository password (secret). */
  readonly resticPassword?: pulumi.Output<string>;

  constructor(name: string, args: ProtectionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hadb:protection:Protection", name, {}, opts);
    const childOpts = { parent: this, provider: args.cluster.provider };
    const { backups, storage } = args;
    const plan = planProtection({
      databases: args.databases,
      namespace: args.namespace,
      backups,
      storage,
      clusterSnapshots: args.cluster.volumeSnapshots,
    });

    // CRDs + controller for snapshot.storage.k8s.io/v1 (AKS, EKS and GKE ship them).
    const snapshotsReady = plan.snapshotController
      ? [snapshotController(`${name}-snapshot-controller`, childOpts)]
      : [];
    const snapshotClasses = plan.snapshotClasses.map(
      (object) =>
        new k8s.apiextensions.CustomResource(`${name}-${object.metadata.name}`, object, {
          ...childOpts,
          dependsOn: [...snapshotsReady, ...storage.ready],
        }),
    );
    for (const object of plan.storageSchedules)
      new k8s.apiextensions.CustomResource(`${name}-${object.metadata.name}`, object, {
        ...childOpts,
        dependsOn: storage.ready,
      });
    const restic = plan.offCluster === "restic" ? this.resticRepository(name, args) : undefined;
    if (restic) this.resticPassword = restic.password;

    const after: Record<VolumeBackupJob["after"], pulumi.Resource[]> = {
      "snapshot-classes": snapshotClasses,
      storage: storage.ready,
      "restic-secret": restic ? [...storage.ready, restic.secret] : [],
    };
    for (const job of plan.volumeBackups)
      this.volumeBackup(name, job, args, after[job.after], restic?.target);

    this.summary = summaryOf(args, plan, restic?.target.location);
    this.registerOutputs({ schedule: backups.schedule });
  }

  /**
   * The repository key (without it nobody, hadb included, can read the copies; exported as the secret
   * stack output `resticPassword`) and the Secret the copy Jobs read the repository's credentials from.
   */
  private resticRepository(
    name: string,
    args: ProtectionArgs,
  ): { password: pulumi.Output<string>; target: ResticTarget; secret: k8s.core.v1.Secret } {
    const generated = new random.RandomPassword(
      `${name}-restic-password`,
      { length: 40, special: false },
      { parent: this },
    );
    const password = pulumi.secret(generated.result);
    const target = resticTarget(args.cluster.backupStore, args.backups.nfsTarget, password);
    if (!target) throw new Error(`backups on ${args.storage.backend} without a restic target`);
    const secret = new k8s.core.v1.Secret(
      `${name}-restic`,
      { metadata: { name: RESTIC_SECRET, namespace: args.namespace }, stringData: target.secretData },
      { parent: this, provider: args.cluster.provider, dependsOn: args.after },
    );
    return { password, target, secret };
  }

  /**
   * ConfigMap (script, and the copy templates), ServiceAccount, Role + binding and the CronJob of one
   * scheduled volume backup of one database.
   */
  private volumeBackup(
    name: string,
    job: VolumeBackupJob,
    args: ProtectionArgs,
    after: pulumi.Resource[],
    restic: ResticTarget | undefined,
  ): void {
    const { names } = job;
    const opts = { parent: this, provider: args.cluster.provider, dependsOn: args.after };
    const metadata = { name: names.job, namespace: names.namespace };
    const script = new k8s.core.v1.ConfigMap(
      `${name}-${names.job}-script`,
      {
        metadata,
        data: { [VOLUME_BACKUP_SCRIPT]: volumeBackupScript(), ...copyTemplatesOf(job, args, restic) },
      },
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
      { ...opts, dependsOn: [...args.after, script, binding, ...after] },
    );
  }
}

/** A restic copy's clone-claim and Job templates; nothing for a snapshot-only job. */
function copyTemplatesOf(
  job: VolumeBackupJob,
  args: ProtectionArgs,
  restic: ResticTarget | undefined,
): Record<string, pulumi.Input<string>> {
  if (job.copy === "none") return {};
  if (!restic) throw new Error(`${job.names.job} copies without a restic target`);
  return copyTemplates(
    {
      namespace: job.names.namespace,
      database: job.names.deployment,
      storageClassName: args.storage.storageClassName,
      volumeSize: job.volumeSize,
      uid: job.uid,
      keep: job.retain,
    },
    restic,
  );
}

function summaryOf(
  args: ProtectionArgs,
  plan: ProtectionPlan,
  resticRepository: pulumi.Input<string> | undefined,
): ProtectionSummary {
  const { backups, databases, storage } = args;
  const target = plan.offCluster === "longhorn-backup" ? args.longhornTarget : undefined;
  return {
    schedule: backups.schedule,
    retain: backups.retain,
    snapshotSchedule: backups.snapshotSchedule,
    snapshotRetain: backups.snapshotRetain,
    snapshotClassName: plan.snapshotClassName,
    consistency: Object.fromEntries(databases.map((d) => [d.name, consistencyOf(d)])),
    copies: Object.fromEntries(databases.map((d) => [d.name, copyMethodOf(d, storage.backend)])),
    ...(target !== undefined ? { target } : {}),
    ...(resticRepository !== undefined ? { resticRepository } : {}),
  };
}
