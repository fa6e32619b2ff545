// The series each scraped exporter produces that hadb's rules and dashboard read: one table per
// exporter, so a test can check that every query names only series something here really exports.
// Each list was read from upstream at the version hadb runs (docs/monitoring.md, "Verified against").
import type { Engine, StorageBackend } from "../config/types";

export const EXPORTERS = [
  "kube-state-metrics",
  "longhorn-manager",
  "ceph-mgr",
  "portworx",
  "mysqld-exporter",
  "postgres-exporter",
  "iris",
] as const;
export type Exporter = (typeof EXPORTERS)[number];

/** Metric names (without the _bucket/_sum suffixes of histograms: none are used). */
export const EXPORTER_METRICS: Record<Exporter, readonly string[]> = {
  // kube-state-metrics 2.20.0 (internal/store/{deployment,statefulset,pod,cronjob,persistentvolume,
  // persistentvolumeclaim}.go), shipped by the pinned kube-prometheus-stack.
  "kube-state-metrics": [
    "kube_deployment_spec_replicas",
    "kube_deployment_status_replicas_available",
    "kube_deployment_created",
    "kube_statefulset_replicas",
    "kube_statefulset_status_replicas_ready",
    "kube_statefulset_created",
    "kube_pod_container_status_restarts_total",
    "kube_pod_created",
    "kube_cronjob_status_last_successful_time",
    "kube_cronjob_created",
    "kube_persistentvolume_info",
    "kube_persistentvolumeclaim_created",
  ],
  // longhorn-manager v1.12.1 (metrics_collector/{volume,engine_colletor,node}_collector.go): robustness,
  // state and node status are one series per state/condition with value 1 for the current one.
  "longhorn-manager": [
    "longhorn_volume_robustness",
    "longhorn_volume_last_backup_at",
    "longhorn_engine_replica_mode",
    "longhorn_node_status",
  ],
  // Ceph's mgr prometheus module (enabled by Rook unless monitoring.metricsDisabled), as Rook's own
  // alert rules (deploy/charts/rook-ceph-cluster/prometheus/localrules.yaml, v1.20) read it.
  "ceph-mgr": ["ceph_health_status", "ceph_osd_up", "ceph_pg_total", "ceph_pg_clean"],
  // Portworx (closed source) as the Portworx operator's own PrometheusRule and Grafana dashboards read it
  // (libopenstorage/operator drivers/storage/portworx/testspec/prometheusRule.yaml, deploy/grafana).
  portworx: [
    "px_cluster_status_size",
    "px_cluster_status_nodes_online",
    "px_cluster_status_cluster_quorum",
    "px_volume_replication_status",
  ],
  // mysqld_exporter v0.20.0 (collector/exporter.go `up`; global_status.go: every SHOW GLOBAL STATUS
  // variable as mysql_global_status_<name>).
  "mysqld-exporter": ["mysql_up", "mysql_global_status_uptime", "mysql_global_status_threads_connected"],
  // postgres_exporter inside PGO 5.8's crunchy-postgres-exporter sidecar: `pg_up` is its own (pgMonitor's
  // ccp_* queries stop at PostgreSQL 17, so nothing here reads them).
  "postgres-exporter": ["pg_up"],
  // IRIS /api/monitor/metrics (InterSystems documentation, "Monitoring InterSystems IRIS via REST").
  iris: ["iris_system_state", "iris_cpu_usage"],
};

/** Prometheus' own per-target series, present for every scraped target. */
export const SCRAPE_METRICS = ["up"] as const;

/** Where a storage backend's metrics come from (none for iSCSI: the target is outside the cluster). */
export const STORAGE_EXPORTER: Record<StorageBackend, Exporter | undefined> = {
  longhorn: "longhorn-manager",
  "rook-ceph": "ceph-mgr",
  portworx: "portworx",
  iscsi: undefined,
};

export const ENGINE_EXPORTER: Record<Engine, Exporter> = {
  iris: "iris",
  mysql: "mysqld-exporter",
  postgres: "postgres-exporter",
};

/** The exporters a stack scrapes: kube-state-metrics, its storage backend's and each engine's. */
export function scrapedExporters(storage: StorageBackend, engines: readonly Engine[]): Exporter[] {
  const storageExporter = STORAGE_EXPORTER[storage];
  return [
    "kube-state-metrics",
    ...(storageExporter ? [storageExporter] : []),
    ...new Set(engines.map((engine) => ENGINE_EXPORTER[engine])),
  ];
}
