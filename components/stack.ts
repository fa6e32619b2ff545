// The pipeline: cluster -> node prep -> storage -> databases. Each layer gets only the handles below it.
import * as pulumi from "@pulumi/pulumi";
import { createCluster } from "./cluster";
import type { BackupStoreHandle, ClusterSummary } from "./cluster/handle";
import type { HadbConfig } from "./config/types";
import { stackFailoverBudget } from "./databases/budget";
import { Databases } from "./databases/component";
import type { FailureBudget } from "./failover/budget";
import { NodePrep } from "./nodeprep/component";
import { createStorage } from "./storage";
import { Protection, type ProtectionSummary } from "./protection/component";
import { claimProtectionLabels } from "./protection/plan";

/** Stack outputs; documented in README ("Outputs"). */
export interface HadbOutputs {
  kubeconfig: pulumi.Output<string> | undefined;
  storageClassName: string;
  namespace: string;
  databases: Record<string, Omit<import("./databases/endpoint").DatabaseEndpoint, "password">>;
  databasePasswords: pulumi.Output<Record<string, string>>;
  /** Worst-case recovery timeline per database and failure (README "Failover budget"). */
  failoverBudget: Record<string, FailureBudget[]>;
  /** Commands for failures the storage backend cannot handle alone (Rook-Ceph node loss). */
  storageRunbook: Record<string, string> | undefined;
  /** VolumeSnapshotClass of the storage backend, when the cluster serves VolumeSnapshots. */
  snapshotClassName: string | undefined;
  /** Schedules, retention and consistency per database; only with hadb:backups.enabled. */
  backups: ProtectionSummary | undefined;
  /** Where the cluster runs (name known after deploy for clusters hadb created). */
  cluster: pulumi.Output<pulumi.Unwrap<ClusterSummary>>;
  /** The backup bucket/container (no credentials); only with hadb:backups.enabled. */
  backupStore: pulumi.Output<pulumi.Unwrap<BackupStoreSummary>> | undefined;
}

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

export function buildHadb(config: HadbConfig): HadbOutputs {
  const cluster = createCluster("cluster", config);
  const nodePrep = new NodePrep("hadb-node-prep", { cluster, enabled: config.prepareNodes });
  const storage = createStorage(config.storage, config, cluster, nodePrep.handle);
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
  });
  const protection = config.backups.enabled
    ? new Protection("protection", {
        cluster,
        storage,
        databases: config.databases,
        namespace: config.namespace,
        backups: config.backups,
        after: [databases],
      })
    : undefined;

  const endpoints = Object.entries(databases.endpoints);
  return {
    kubeconfig: cluster.kubeconfig ? pulumi.secret(cluster.kubeconfig) : undefined,
    storageClassName: storage.storageClassName,
    storageRunbook: storage.runbook,
    snapshotClassName: protection?.summary.snapshotClassName ?? storage.snapshotClassName,
    backups: protection?.summary,
    namespace: config.namespace,
    databases: Object.fromEntries(
      endpoints.map(([name, { password: _password, ...plain }]) => [name, plain]),
    ),
    failoverBudget: stackFailoverBudget(config),
    // pulumi.output resolves the nested outputs (names known after deploy) into one value.
    cluster: pulumi.output(cluster.summary),
    backupStore: cluster.backupStore ? pulumi.output(backupStoreSummary(cluster.backupStore)) : undefined,
    databasePasswords: pulumi.secret(
      pulumi.all(Object.fromEntries(endpoints.map(([name, endpoint]) => [name, endpoint.password]))),
    ),
  };
}

/** The outputs as exported by the stack: keys without a value (e.g. kubeconfig of an existing cluster) are left out. */
export function stackOutputs(outputs: HadbOutputs): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).filter(([, value]) => value !== undefined));
}
