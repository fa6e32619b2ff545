// ServiceMonitors (storage backends' own metrics Services) and PodMonitors (each database's exporter)
// for prometheus-operator's monitoring.coreos.com/v1 API (pure; tested against the operator's CRDs).
// Field names follow prometheus-operator v0.93 (pkg/apis/monitoring/v1), read upstream.
import type { Engine, StorageBackend } from "../config/types";
import { INSTANCE_SET } from "../databases/postgres/manifests";
import type { CustomObject } from "../shared/custom-object";
import { recommendedLabels, selectorLabels } from "../shared/labels";
import { LONGHORN_NAMESPACE } from "../storage/longhorn/chart";
import { PORTWORX_NAMESPACE } from "../storage/portworx/manifests";
import { ROOK_NAMESPACE } from "../storage/rook-ceph/manifests";
import type { MonitoringPlan } from "./plan";

export const MONITORING_API = "monitoring.coreos.com/v1";

/** The port name and path of the mysqld_exporter Deployment hadb runs per MySQL database. */
export const MYSQLD_EXPORTER_PORT = { name: "metrics", port: 9104 } as const;
export const MYSQLD_EXPORTER_APP = "mysqld-exporter";

interface ScrapeTarget {
  namespace: string;
  selector: Record<string, string>;
  endpoint: { port: string; path: string; honorLabels?: boolean };
}

/**
 * The metrics Service of each backend, as its chart or operator creates it: longhorn-manager's
 * `longhorn-backend` (port manager), Rook's `rook-ceph-mgr` (http-metrics, the mgr prometheus module on
 * 9283), the Portworx operator's `portworx-service` (px-api, 9001). iSCSI has none.
 */
export const STORAGE_SCRAPE: Record<StorageBackend, ScrapeTarget | undefined> = {
  longhorn: {
    namespace: LONGHORN_NAMESPACE,
    selector: { app: "longhorn-manager" },
    endpoint: { port: "manager", path: "/metrics" },
  },
  "rook-ceph": {
    namespace: ROOK_NAMESPACE,
    selector: { app: "rook-ceph-mgr", rook_cluster: ROOK_NAMESPACE },
    // Ceph labels its series with the daemon they describe; keep those instead of the mgr pod's.
    endpoint: { port: "http-metrics", path: "/metrics", honorLabels: true },
  },
  portworx: {
    namespace: PORTWORX_NAMESPACE,
    selector: { name: "portworx" },
    endpoint: { port: "px-api", path: "/metrics" },
  },
  iscsi: undefined,
};

interface EngineMetrics {
  /** Which pods of a database carry its metrics, and where. */
  scrape: (database: string) => Omit<ScrapeTarget, "namespace">;
  /** The exporter hadb runs next to each database when neither the engine nor its operator serves metrics. */
  exporter?: "mysqld-exporter";
}

/** Where each engine's metrics come from (a new engine without an entry does not compile). */
export const ENGINE_METRICS: Record<Engine, EngineMetrics> = {
  iris: {
    // IRIS serves /api/monitor/metrics on its web server port (unauthenticated by default).
    scrape: (database) => ({
      selector: selectorLabels({ name: "iris", instance: database }),
      endpoint: { port: "webserver", path: "/api/monitor/metrics" },
    }),
  },
  mysql: {
    scrape: (database) => ({
      selector: selectorLabels({ name: MYSQLD_EXPORTER_APP, instance: database }),
      endpoint: { port: MYSQLD_EXPORTER_PORT.name, path: "/metrics" },
    }),
    exporter: "mysqld-exporter",
  },
  postgres: {
    // PGO's exporter sidecar (spec.monitoring.pgmonitor.exporter) on every instance pod.
    scrape: (database) => ({
      selector: {
        "postgres-operator.crunchydata.com/cluster": database,
        "postgres-operator.crunchydata.com/instance-set": INSTANCE_SET,
        "postgres-operator.crunchydata.com/crunchy-postgres-exporter": "true",
      },
      endpoint: { port: "exporter", path: "/metrics" },
    }),
  },
};

const metadata = (plan: MonitoringPlan, name: string, instance: string, labels: Record<string, string>) => ({
  name,
  namespace: plan.objectNamespace,
  labels: { ...recommendedLabels({ name: "hadb-monitoring", instance, component: "monitor" }), ...labels },
});

/** Every series of a database's target carries `database=<name>`: rules and the dashboard select by it. */
const databaseLabel = (database: string) => [
  { targetLabel: "database", replacement: database, action: "replace" },
];

/** The monitors of one stack: its storage backend's Service and each database's pods. */
export function monitors(plan: MonitoringPlan, labels: Record<string, string>): CustomObject[] {
  const storage = STORAGE_SCRAPE[plan.storage];
  return [
    ...(storage
      ? [
          {
            apiVersion: MONITORING_API,
            kind: "ServiceMonitor",
            metadata: metadata(plan, `hadb-${plan.storage}`, plan.storage, labels),
            spec: {
              namespaceSelector: { matchNames: [storage.namespace] },
              selector: { matchLabels: storage.selector },
              endpoints: [storage.endpoint],
            },
          },
        ]
      : []),
    ...plan.databases.map((database) => {
      const scrape = ENGINE_METRICS[database.engine].scrape(database.name);
      return {
        apiVersion: MONITORING_API,
        kind: "PodMonitor",
        metadata: metadata(plan, `hadb-${database.name}`, database.name, labels),
        spec: {
          namespaceSelector: { matchNames: [plan.namespace] },
          selector: { matchLabels: scrape.selector },
          podMetricsEndpoints: [{ ...scrape.endpoint, relabelings: databaseLabel(database.name) }],
        },
      };
    }),
  ];
}

/** The PrometheusRule holding the stack's alert groups. */
export function prometheusRule(
  plan: MonitoringPlan,
  labels: Record<string, string>,
  groups: unknown[],
): CustomObject {
  return {
    apiVersion: MONITORING_API,
    kind: "PrometheusRule",
    metadata: metadata(plan, "hadb-alerts", "alerts", labels),
    spec: { groups },
  };
}
