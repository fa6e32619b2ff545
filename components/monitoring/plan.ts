// What hadb watches in one stack, decided once from config and the handles below (pure; tested): each
// database's workload and pods as kube-state-metrics names them, its failover budget, where its last
// backup shows, and the thresholds every alert derives from. Rules, monitors and the dashboard read
// only this plan.
import { cronLongestGapSeconds } from "../config/cron";
import type { BackupSettings, DatabaseSpec, Engine, StorageBackend } from "../config/types";
import type { FailureBudget } from "../failover/budget";
import { ENGINE_CATALOG } from "../databases/catalog";
import { INSTANCE_SET, OBJECT_REPO } from "../databases/postgres/manifests";
import { copyMethodOf } from "../protection/plan";
import { dataClaimName } from "../shared/naming";

/** Longhorn polls the backup target for new backups every 300 s (its backupstore-poll-interval default). */
export const LONGHORN_BACKUPSTORE_POLL_SECONDS = 300;

/** Where the newest backup of a database shows. */
export type BackupEvidence =
  /** Longhorn's last backup time of the volume bound to this claim. */
  | { kind: "longhorn-volume"; claim: string }
  /** The last successful run of this CronJob (restic copies, pgBackRest full backups). */
  | { kind: "cronjob"; cronJob: string };

export interface MonitoredDatabase {
  name: string;
  engine: Engine;
  /** The workload kube-state-metrics reports: hadb's Deployment, or PGO's instance StatefulSets. */
  workload: { kind: "deployment"; name: string } | { kind: "statefulset"; pattern: string };
  /** Regex of the database's pod names. */
  pods: string;
  container: string;
  /** Regex of its data claims: hadb's `<name>-data`, PGO's `<cluster>-<set>-<4>-pgdata` per instance. */
  claims: string;
  /** Worst case of its failover budget: not Ready for longer means the recovery hadb promised failed. */
  budgetSeconds: number;
  backup?: { evidence: BackupEvidence; maxAgeSeconds: number; schedule: string };
}

export type DisasterRecoveryWatch =
  /** Longhorn standby: standby volumes follow the primary's backups; RPO = backup gap + target poll. */
  | { kind: "longhorn-standby"; volumes: Record<string, string>; rpoSeconds: number }
  /** PX-DR Metro: one Portworx cluster over both sites; any member down breaks the synchronous copy. */
  | { kind: "px-dr"; intervalSeconds: number };

export interface MonitoringPlan {
  /** The databases' namespace (what the rules select). */
  namespace: string;
  /** Where the monitors, the rule and the dashboard live: the databases' namespace, unless it is not ours. */
  objectNamespace: string;
  storage: StorageBackend;
  /** Copies the storage keeps of each volume (1 on iSCSI). */
  copies: number;
  databases: MonitoredDatabase[];
  /** iSCSI: the PersistentVolumes of the LUNs (one target: a single point of failure). */
  iscsiVolumes: string[];
  disasterRecovery?: DisasterRecoveryWatch;
  /** Longest failover budget of the stack (stack-wide storage alerts wait this long). */
  stackBudgetSeconds: number;
}

export interface MonitoringInputs {
  namespace: string;
  /** Default: `namespace`. A PX-DR standby's database namespace is Stork's to create. */
  objectNamespace?: string;
  storage: { backend: StorageBackend; replicaCount: number; volumeNameFor?: (database: string) => string };
  databases: DatabaseSpec[];
  budgets: Record<string, FailureBudget[]>;
  backups: BackupSettings;
  /** A DR site: a Longhorn standby gives the primary's backup schedule; PX-DR its migration interval. */
  disasterRecovery?:
    | { kind: "longhorn-standby"; primaryBackupSchedule: string; volumes: Record<string, string> }
    | { kind: "px-dr"; intervalMinutes: number };
}

const worstCase = (budgets: FailureBudget[] | undefined, name: string): number => {
  if (!budgets || budgets.length === 0) throw new Error(`database ${name} has no failover budget`);
  return Math.max(...budgets.map((budget) => budget.totalSeconds));
};

function backupEvidence(database: DatabaseSpec, backend: StorageBackend): BackupEvidence {
  switch (copyMethodOf(database, backend)) {
    case "longhorn-backup":
      return { kind: "longhorn-volume", claim: dataClaimName(database.name) };
    case "restic":
      return { kind: "cronjob", cronJob: `${database.name}-backup` };
    case "pgbackrest":
      // PGO names a scheduled backup's CronJob <cluster>-<repo>-<type>; hadb schedules full backups of repo2.
      return { kind: "cronjob", cronJob: `${database.name}-${OBJECT_REPO}-full` };
  }
}

type WorkloadObjects = Pick<MonitoredDatabase, "workload" | "pods" | "claims">;

/** hadb's single-writer Deployment: pods <deployment>-<template hash>-<5 characters>, one claim. */
const singleWriterObjects = (name: string): WorkloadObjects => ({
  workload: { kind: "deployment", name },
  pods: `${name}-[a-z0-9]+-[a-z0-9]{5}`,
  claims: dataClaimName(name),
});

/** What kube-state-metrics sees of each engine's database: its workload, pods and data claims. */
const ENGINE_OBJECTS: Record<Engine, (name: string) => WorkloadObjects> = {
  iris: singleWriterObjects,
  mysql: singleWriterObjects,
  // PGO: a StatefulSet per instance, <cluster>-<set>-<4>, its pod -0 and claim -pgdata.
  postgres: (name) => ({
    workload: { kind: "statefulset", pattern: `${name}-${INSTANCE_SET}-[a-z0-9]{4}` },
    pods: `${name}-${INSTANCE_SET}-[a-z0-9]{4}-0`,
    claims: `${name}-${INSTANCE_SET}-[a-z0-9]{4}-pgdata`,
  }),
};

function monitoredDatabase(database: DatabaseSpec, inputs: MonitoringInputs): MonitoredDatabase {
  const { name, engine } = database;
  const { workload, pods, claims } = ENGINE_OBJECTS[engine](name);
  return {
    name,
    engine,
    workload,
    pods,
    container: ENGINE_CATALOG[engine].workload.container,
    claims,
    budgetSeconds: worstCase(inputs.budgets[name], name),
    ...(inputs.backups.enabled
      ? {
          backup: {
            evidence: backupEvidence(database, inputs.storage.backend),
            // "Older than twice its schedule": one run may be late or fail, two in a row may not.
            maxAgeSeconds: 2 * cronLongestGapSeconds(inputs.backups.schedule),
            schedule: inputs.backups.schedule,
          },
        }
      : {}),
  };
}

export function monitoringPlan(inputs: MonitoringInputs): MonitoringPlan {
  const databases = inputs.databases.map((database) => monitoredDatabase(database, inputs));
  const dr = inputs.disasterRecovery;
  return {
    namespace: inputs.namespace,
    objectNamespace: inputs.objectNamespace ?? inputs.namespace,
    storage: inputs.storage.backend,
    copies: inputs.storage.replicaCount,
    databases,
    iscsiVolumes:
      inputs.storage.backend === "iscsi" && inputs.storage.volumeNameFor
        ? inputs.databases.map((database) => inputs.storage.volumeNameFor?.(database.name) ?? "")
        : [],
    ...(dr?.kind === "longhorn-standby"
      ? {
          disasterRecovery: {
            kind: dr.kind,
            volumes: dr.volumes,
            rpoSeconds: cronLongestGapSeconds(dr.primaryBackupSchedule) + LONGHORN_BACKUPSTORE_POLL_SECONDS,
          },
        }
      : dr?.kind === "px-dr"
        ? { disasterRecovery: { kind: dr.kind, intervalSeconds: dr.intervalMinutes * 60 } }
        : {}),
    stackBudgetSeconds: databases.length > 0 ? Math.max(...databases.map((d) => d.budgetSeconds)) : 0,
  };
}
