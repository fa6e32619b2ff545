// The pipeline: cluster -> node prep -> storage -> databases. Each layer gets only the handles below it.
import { registerDeploymentPolicies } from "./deployment/policies";
import * as pulumi from "@pulumi/pulumi";
import { createCluster } from "./cluster";
import type { BackupStoreHandle, ClusterHandle, ClusterSummary } from "./cluster/handle";
import { primaryDisasterRecovery } from "./protection/dr/primary";
import type { PrimarySite } from "./protection/dr/reference";
import {
  standbyBackupTarget,
  standbySite,
  type SiteMonitoring,
  type StandbySite,
  type StandbySummary,
} from "./protection/dr/standby";
import { STORAGE_CATALOG } from "./storage/catalog";
import { longhornBackupTarget, type LonghornBackupTarget } from "./storage/longhorn/backup-target";
import type { DatabaseSpec, HadbConfig } from "./config/types";
import {
  databaseConnection,
  databaseOutput,
  type DatabaseConnection,
  type DatabaseOutput,
} from "./outputs/databases";
import { ConsumerSecrets } from "./outputs/consumer-secrets";
import { stackFailoverBudget } from "./databases/budget";
import { Databases, type DatabasesSite } from "./databases/component";
import type { FailureBudget } from "./failover/budget";
import { NodePrep } from "./nodeprep/component";
import { createStorage } from "./storage";
import { IscsiFenceAgent } from "./storage/iscsi/fence-agent/component";
import { Protection, type ProtectionSummary } from "./protection/component";
import { Monitoring, type MonitoringSummary } from "./monitoring/component";
import { claimProtectionLabels } from "./protection/longhorn";

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
 * at 0 replicas with the primary's credentials. The site's DR role is decided once, first; everything
 * DR-specific below reads that one value.
 */
export function buildHadb(stackConfig: HadbConfig, primary?: PrimarySite): HadbOutputs {
  const dr = disasterRecoveryRole(stackConfig, primary);
  const standby = dr.role === "standby" ? dr.site : undefined;
  const config: HadbConfig = standby
    ? { ...stackConfig, databases: standby.mode.databases(stackConfig, standby.primary) }
    : stackConfig;
  // First, so every resource below is subject to them (chart mirror, data kept on destroy).
  registerDeploymentPolicies(config.deployment);
  const cluster = createCluster("cluster", config);
  const nodePrep = new NodePrep("hadb-node-prep", { cluster, enabled: config.prepareNodes });
  const backupTarget = standby ? standbyBackupTarget(standby.primary) : ownBackupTarget(config, cluster);
  const storage = createStorage(config.storage, config, cluster, nodePrep.handle, backupTarget);
  const standbyParts = standby?.mode.build(config, cluster, storage, standby.primary);
  const site: DatabasesSite = standbyParts?.databases ?? { kind: "own" };
  const databases = new Databases("databases", {
    cluster,
    storage,
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
    site,
    exportMetrics: config.monitoring.mode !== "off",
  });
  // After the databases: the agent deletes a fenced node's pods in their namespace (docs/fencing.md).
  if (storage.fenceAgentTarget)
    new IscsiFenceAgent(
      "iscsi-fence-agent",
      {
        target: storage.fenceAgentTarget,
        detectionSeconds: config.fencing.detectionSeconds,
        databaseNamespace: config.namespace,
      },
      { provider: cluster.provider, dependsOn: [databases] },
    );
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
          storage: site.kind === "standby" ? site.storage : storage,
          settings: config.monitoring,
          namespace: config.namespace,
          ...(standbyParts?.monitoring ?? ownMonitoring(dr, config)),
          endpoints: databases.endpoints,
          budgets: failoverBudget,
          backups: config.backups,
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
    ...disasterRecoveryOutputs(dr, config, {
      cluster,
      backupTarget,
      standby: standbyParts?.summary,
      credentials: Object.fromEntries(endpoints.map(([name, endpoint]) => [name, endpoint.credentials])),
    }),
    monitoring: monitoring?.summary,
    grafanaAdminPassword: monitoring?.grafanaAdminPassword,
  };
}

/** This stack's part in a DR pair, decided once: everything DR-specific in buildHadb reads it. */
type DisasterRecoveryRole = { role: "none" } | { role: "primary" } | { role: "standby"; site: StandbySite };

function disasterRecoveryRole(config: HadbConfig, primary: PrimarySite | undefined): DisasterRecoveryRole {
  switch (config.disasterRecovery?.role) {
    case undefined:
      return { role: "none" };
    case "primary":
      return { role: "primary" };
    case "standby":
      // index.ts reads (and checks) the primary of every standby before building.
      if (!primary) throw new Error("a DR standby is built without its primary");
      return { role: "standby", site: standbySite(primary) };
  }
}

/**
 * A site that is no DR standby monitors its own databases; a PX-DR primary also watches the pair's
 * members (a Longhorn primary's lag is watched by its standby).
 */
function ownMonitoring(dr: DisasterRecoveryRole, config: HadbConfig): SiteMonitoring {
  const pair = dr.role === "primary" ? config.disasterRecovery : undefined;
  return {
    databases: config.databases,
    ...(pair && STORAGE_CATALOG[config.storage].disasterRecovery === "px-dr"
      ? { disasterRecovery: { kind: "px-dr", intervalMinutes: pair.intervalMinutes } }
      : {}),
  };
}

/** The Longhorn backup target of this stack's own backups. */
function ownBackupTarget(config: HadbConfig, cluster: ClusterHandle): LonghornBackupTarget | undefined {
  return STORAGE_CATALOG[config.storage].volumeCopies === "longhorn-backup" && config.backups.enabled
    ? longhornBackupTarget(cluster.backupStore, config.backups.nfsTarget)
    : undefined;
}

/**
 * Stack outputs `disasterRecovery` (a primary: what its standby reads; a standby: how it follows) and
 * `disasterRecoverySecrets` (a primary only: backup-target and database credentials).
 */
function disasterRecoveryOutputs(
  dr: DisasterRecoveryRole,
  config: HadbConfig,
  facts: {
    cluster: ClusterHandle;
    backupTarget: LonghornBackupTarget | undefined;
    standby: StandbySummary | undefined;
    credentials: Record<string, Record<string, pulumi.Input<string>>>;
  },
): Pick<HadbOutputs, "disasterRecovery" | "disasterRecoverySecrets"> {
  switch (dr.role) {
    case "none":
      return { disasterRecovery: undefined, disasterRecoverySecrets: undefined };
    case "primary":
      return {
        disasterRecovery: pulumi.output(
          primaryDisasterRecovery(config, {
            kubeconfigExported: facts.cluster.kubeconfig !== undefined,
            backupTarget: facts.backupTarget?.url,
          }),
        ),
        disasterRecoverySecrets: pulumi.secret(
          pulumi.output({
            backupTargetCredentials: facts.backupTarget?.credentials,
            databaseCredentials: facts.credentials,
          }),
        ),
      };
    case "standby":
      return {
        disasterRecovery: facts.standby
          ? pulumi.output({ role: "standby", primaryStack: dr.site.primary.stack, ...facts.standby })
          : undefined,
        disasterRecoverySecrets: undefined,
      };
  }
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
