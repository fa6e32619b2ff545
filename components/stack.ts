// The pipeline: cluster -> node prep -> storage -> databases. Each layer gets only the handles below it.
import * as pulumi from "@pulumi/pulumi";
import { createCluster } from "./cluster";
import type { BackupStoreHandle, ClusterHandle, ClusterSummary } from "./cluster/handle";
import { DEFAULT_DR_INTERVAL_MINUTES } from "./config/disaster-recovery";
import { LonghornStandbyVolumes, type LonghornStandbySummary } from "./protection/dr/longhorn-component";
import {
  PortworxDisasterRecovery,
  type PortworxDisasterRecoverySummary,
} from "./protection/dr/portworx-component";
import { primaryDisasterRecovery, standbyDatabases } from "./protection/dr/primary";
import { standbyVolumes } from "./protection/dr/longhorn-standby";
import { PORTWORX_NAMESPACE } from "./storage/portworx/manifests";
import type { PrimarySite } from "./protection/dr/reference";
import { longhornBackupTarget, type LonghornBackupTarget } from "./storage/longhorn/backup-target";
import type { StorageHandle } from "./storage/handle";
import type { DatabaseSpec, HadbConfig } from "./config/types";
import {
  databaseConnection,
  databaseOutput,
  type DatabaseConnection,
  type DatabaseOutput,
} from "./outputs/databases";
import { ConsumerSecrets } from "./outputs/consumer-secrets";
import { stackFailoverBudget } from "./databases/budget";
import { Databases } from "./databases/component";
import type { FailureBudget } from "./failover/budget";
import { NodePrep } from "./nodeprep/component";
import { createStorage } from "./storage";
import { Protection, type ProtectionSummary } from "./protection/component";
import { Monitoring, type MonitoringArgs, type MonitoringSummary } from "./monitoring/component";
import { claimProtectionLabels } from "./protection/plan";

/** Stack outputs; documented in docs/outputs.md. */
export interface HadbOutputs {
  kubeconfig: pulumi.Output<string> | undefined;
  storageClassName: string;
  namespace: string;
  /** Per database: where, which account, how exposed (docs/outputs.md). */
  databases: pulumi.Output<Record<string, DatabaseOutput>>;
  /** Per database (secret): host, port, account, password, database, URI and JDBC URL, external endpoint. */
  databaseConnections: pulumi.Output<Record<string, DatabaseConnection>>;
  databasePasswords: pulumi.Output<Record<string, string>>;
  /** Worst-case recovery timeline per database and failure (docs/failover.md). */
  failoverBudget: Record<string, FailureBudget[]>;
  /** Commands for failures the storage backend cannot handle alone (Rook-Ceph node loss). */
  storageRunbook: Record<string, string> | undefined;
  /** VolumeSnapshotClass of the storage backend, when the cluster serves VolumeSnapshots. */
  snapshotClassName: string | undefined;
  /** Schedules, retention and consistency per database; only with hadb:backups.enabled. */
  backups: pulumi.Output<pulumi.Unwrap<ProtectionSummary>> | undefined;
  /** Where the cluster runs (name known after deploy for clusters hadb created). */
  cluster: pulumi.Output<StableClusterSummary>;
  /** The backup bucket/container (no credentials); only with hadb:backups.enabled. */
  backupStore: pulumi.Output<pulumi.Unwrap<BackupStoreSummary>> | undefined;
  /** Rook-Ceph/Portworx copies: the restic repository password (secret); without it no copy can be read. */
  resticPassword: pulumi.Output<string> | undefined;
  /** DR pair: what a primary publishes for its standby, or how a standby follows its primary. */
  disasterRecovery: pulumi.Output<unknown> | undefined;
  /** DR primary only (secret): backup-target credentials and every database credential. */
  disasterRecoverySecrets: pulumi.Output<unknown> | undefined;
  /** Alerts, dashboard and Grafana access; only with hadb:monitoring on. */
  monitoring: MonitoringSummary | undefined;
  /** hadb:monitoring.mode install: Grafana's admin password (secret). */
  grafanaAdminPassword: pulumi.Output<string> | undefined;
}

/** `cluster` output: every key on every platform, null where only clouds know the value. */
export type StableClusterSummary = {
  [K in keyof Required<ClusterSummary>]-?:
    pulumi.Unwrap<ClusterSummary[K]> | (undefined extends ClusterSummary[K] ? null : never);
};

export interface BackupStoreSummary {
  kind: BackupStoreHandle["kind"];
  bucket: pulumi.Output<string>;
  region: string;
  /** S3 API endpoint (S3, GCS interoperability); storage account name for Azure. */
  endpoint: pulumi.Input<string>;
}

function backupStoreSummary(store: BackupStoreHandle): BackupStoreSummary {
  return store.kind === "azure-blob"
    ? {
        kind: store.kind,
        bucket: store.container,
        region: store.region,
        endpoint: pulumi.interpolate`https://${store.accountName}.blob.core.windows.net`,
      }
    : { kind: store.kind, bucket: store.bucket, region: store.region, endpoint: store.endpoint };
}

/**
 * `primary` is given on a DR standby (read by StackReference before anything is built): PX-DR pairs the
 * clusters and lets Stork bring the databases; Longhorn DR creates standby volumes and the databases
 * at 0 replicas with the primary's credentials.
 */
export function buildHadb(stackConfig: HadbConfig, primary?: PrimarySite): HadbOutputs {
  // A Longhorn standby runs the primary's databases; a PX-DR standby gets them from Stork.
  const config: HadbConfig =
    primary?.info.storage === "longhorn"
      ? { ...stackConfig, databases: standbyDatabases(primary.info.databases) }
      : stackConfig;
  const cluster = createCluster("cluster", config);
  const nodePrep = new NodePrep("hadb-node-prep", { cluster, enabled: config.prepareNodes });
  const backupTarget = primary ? standbyBackupTarget(primary) : ownBackupTarget(config, cluster);
  const storage = createStorage(config.storage, config, cluster, nodePrep.handle, backupTarget);
  const standbyVolumes =
    primary?.info.storage === "longhorn"
      ? new LonghornStandbyVolumes("dr-standby-volumes", {
          cluster,
          storage,
          primary,
          intervalMinutes: config.disasterRecovery?.intervalMinutes ?? DEFAULT_DR_INTERVAL_MINUTES,
        })
      : undefined;
  const pxDisasterRecovery =
    primary?.info.storage === "portworx" ? portworxStandby(config, cluster, storage, primary) : undefined;
  const databases = new Databases("databases", {
    cluster,
    storage: standbyVolumes?.storage ?? storage,
    namespace: config.namespace,
    databases: config.databases,
    evictionTolerationSeconds: config.evictionTolerationSeconds,
    backups: config.backups,
    // The protection plan decides which volumes join which recurring jobs (labels set at creation).
    claimLabels: Object.fromEntries(
      config.databases.map((database) => [
        database.name,
        claimProtectionLabels(database, storage.backend, config.backups),
      ]),
    ),
    // Stork owns the namespace's objects on a PX-DR standby (it creates them, at 0 replicas).
    createNamespace: pxDisasterRecovery === undefined,
    exportMetrics: config.monitoring.mode !== "off",
    ...(standbyVolumes && primary
      ? {
          standby: true,
          inheritedCredentials: primary.secrets.apply((secrets) => secrets.databaseCredentials),
        }
      : {}),
  });
  const protection = config.backups.enabled
    ? new Protection("protection", {
        cluster,
        storage,
        databases: config.databases,
        namespace: config.namespace,
        backups: config.backups,
        after: [databases],
        ...(backupTarget ? { longhornTarget: backupTarget.url } : {}),
      })
    : undefined;

  const failoverBudget = stackFailoverBudget(config);
  const monitoring =
    config.monitoring.mode === "off"
      ? undefined
      : new Monitoring("monitoring", {
          cluster,
          storage: standbyVolumes?.storage ?? storage,
          settings: config.monitoring,
          namespace: config.namespace,
          // A PX-DR standby runs nothing of its own until Stork brings the primary's databases (and
          // their namespace): its monitors, rules and dashboard live in the Portworx namespace.
          databases: pxDisasterRecovery ? [] : config.databases,
          ...(pxDisasterRecovery ? { objectNamespace: PORTWORX_NAMESPACE } : {}),
          endpoints: databases.endpoints,
          budgets: failoverBudget,
          backups: config.backups,
          ...disasterRecoveryWatch(config, primary),
          dashboard: { uid: `hadb-${pulumi.getStack()}`.slice(0, 40), title: `hadb ${pulumi.getStack()}` },
          after: [databases],
        });

  const endpoints = Object.entries(databases.endpoints);
  const connections = Object.fromEntries(
    endpoints.map(([name, endpoint]) => [name, databaseConnection(endpoint)]),
  );
  const consumerSecrets = config.databases.some((database) => database.consumerNamespaces.length > 0)
    ? new ConsumerSecrets(
        "consumer-secrets",
        { cluster, databases: config.databases, connections },
        { dependsOn: [databases] },
      ).secrets
    : {};
  return {
    kubeconfig: cluster.kubeconfig ? pulumi.secret(cluster.kubeconfig) : undefined,
    storageClassName: storage.storageClassName,
    storageRunbook: storage.runbook,
    snapshotClassName: protection?.summary.snapshotClassName ?? storage.snapshotClassName,
    // One output: the Longhorn target and restic repository inside are known after deploy.
    backups: protection ? pulumi.output(protection.summary) : undefined,
    namespace: config.namespace,
    databases: pulumi.all(
      Object.fromEntries(
        endpoints.map(([name, endpoint]) => [
          name,
          databaseOutput(specOf(config, name), endpoint, consumerSecrets[name] ?? {}),
        ]),
      ),
    ),
    databaseConnections: pulumi.secret(pulumi.all(connections)),
    failoverBudget,
    // pulumi.output resolves the nested outputs (names known after deploy) into one value.
    // The same keys on every platform: what only clouds know is null elsewhere.
    cluster: pulumi.output({
      name: null,
      region: null,
      nodeImage: null,
      ...cluster.summary,
    }),
    backupStore: cluster.backupStore ? pulumi.output(backupStoreSummary(cluster.backupStore)) : undefined,
    resticPassword: protection?.resticPassword,
    databasePasswords: pulumi.secret(
      pulumi.all(Object.fromEntries(endpoints.map(([name, endpoint]) => [name, endpoint.password]))),
    ),
    disasterRecovery: disasterRecoveryOutput(config, {
      cluster,
      backupTarget,
      primary,
      standby: pxDisasterRecovery?.summary ?? standbyVolumes?.summary,
    }),
    disasterRecoverySecrets:
      config.disasterRecovery?.role === "primary"
        ? pulumi.secret(
            pulumi.output({
              backupTargetCredentials: backupTarget?.credentials,
              databaseCredentials: Object.fromEntries(
                endpoints.map(([name, endpoint]) => [name, endpoint.credentials]),
              ),
            }),
          )
        : undefined,
    monitoring: monitoring?.summary,
    grafanaAdminPassword: monitoring?.grafanaAdminPassword,
  };
}

/** What DR lag the monitoring watches: a Longhorn standby's volumes, or the PX-DR pair's members. */
function disasterRecoveryWatch(
  config: HadbConfig,
  primary: PrimarySite | undefined,
): Pick<MonitoringArgs, "disasterRecovery"> {
  const dr = config.disasterRecovery;
  if (!dr) return {};
  if (config.storage === "portworx")
    return { disasterRecovery: { kind: "px-dr", intervalMinutes: dr.intervalMinutes } };
  // A primary deployed before it published its schedule: no lag rule until it is updated.
  const schedule = primary?.info.longhorn?.backupSchedule;
  if (primary?.info.storage !== "longhorn" || schedule === undefined) return {};
  return {
    disasterRecovery: {
      kind: "longhorn-standby",
      primaryBackupSchedule: schedule,
      volumes: Object.fromEntries(
        standbyVolumes(config.databases, config.namespace, config.storageReplicas).map((v) => [
          v.database,
          v.volume,
        ]),
      ),
    },
  };
}

/** The Longhorn backup target of this stack's own backups. */
function ownBackupTarget(config: HadbConfig, cluster: ClusterHandle): LonghornBackupTarget | undefined {
  return config.storage === "longhorn" && config.backups.enabled
    ? longhornBackupTarget(cluster.backupStore, config.backups.nfsTarget)
    : undefined;
}

/** A Longhorn standby reads the primary's target with the primary's credentials (none for NFS). */
function standbyBackupTarget(primary: PrimarySite): LonghornBackupTarget | undefined {
  const url = primary.info.longhorn?.backupTarget;
  if (url === undefined) return undefined;
  return url.startsWith("nfs://")
    ? { url }
    : {
        url,
        credentials: pulumi.secret(
          primary.secrets.apply((secrets) => {
            if (!secrets.backupTargetCredentials)
              throw new Error(`the DR primary ${primary.stack} publishes no credentials for ${url}`);
            return secrets.backupTargetCredentials;
          }),
        ),
      };
}

function portworxStandby(
  config: HadbConfig,
  cluster: ClusterHandle,
  storage: StorageHandle,
  primary: PrimarySite,
): PortworxDisasterRecovery {
  const standbyDomain = config.portworx?.clusterDomain;
  const primaryDomain = primary.info.portworx?.clusterDomain;
  if (!cluster.kubeconfig || standbyDomain === undefined || primaryDomain === undefined)
    throw new Error("PX-DR standby without kubeconfig or cluster domains passed validation");
  return new PortworxDisasterRecovery("px-dr", {
    cluster,
    kubeconfig: cluster.kubeconfig,
    kubeContext: config.kubeContext,
    storage,
    primary,
    domains: { primary: primaryDomain, standby: standbyDomain },
    intervalMinutes: config.disasterRecovery?.intervalMinutes ?? DEFAULT_DR_INTERVAL_MINUTES,
  });
}

/** Stack output `disasterRecovery`: what a standby reads (primary), or how this standby follows. */
function disasterRecoveryOutput(
  config: HadbConfig,
  facts: {
    cluster: ClusterHandle;
    backupTarget: LonghornBackupTarget | undefined;
    primary: PrimarySite | undefined;
    standby: PortworxDisasterRecoverySummary | LonghornStandbySummary | undefined;
  },
): pulumi.Output<unknown> | undefined {
  const dr = config.disasterRecovery;
  if (dr?.role === "primary")
    return pulumi.output(
      primaryDisasterRecovery(config, {
        kubeconfigExported: facts.cluster.kubeconfig !== undefined,
        backupTarget: facts.backupTarget?.url,
      }),
    );
  if (dr?.role === "standby" && facts.primary && facts.standby)
    return pulumi.output({ role: "standby", primaryStack: facts.primary.stack, ...facts.standby });
  return undefined;
}

/**
 * The outputs as exported by the stack: every key on every stack, so a consumer's StackReference never
 * meets a missing key; what a stack does not have (the kubeconfig of an ambient cluster, backups when
 * off, DR outside a pair) is null.
 */
export function stackOutputs(outputs: HadbOutputs): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([key, value]) => [key, value ?? null]));
}

function specOf(config: HadbConfig, name: string): DatabaseSpec {
  const spec = config.databases.find((database) => database.name === name);
  if (spec === undefined) throw new Error(`database ${name} has an endpoint but no configuration`);
  return spec;
}
