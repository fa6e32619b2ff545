// Pinned versions of the monitoring stack (docs/versions.md says why each).

/**
 * kube-prometheus-stack 88.5.3: the newest release in the prometheus-community chart repository
 * snapshot read for this pin (2026-08-21). It ships prometheus-operator v0.93.1 (the CRDs the
 * ServiceMonitor/PodMonitor/PrometheusRule objects here are checked against), Prometheus 3.14.0,
 * kube-state-metrics 2.20.0 (chart 8.4.0) and the Grafana chart 12.11.1 with its dashboard sidecar.
 */
export const KUBE_PROMETHEUS_STACK_CHART = {
  chart: "kube-prometheus-stack",
  version: "88.5.3",
  repo: "https://prometheus-community.github.io/helm-charts",
} as const;

/** The Prometheus release that chart deploys: promtool is built from the same release for the rule tests. */
export const PROMETHEUS_VERSION = "3.14.0";

/** The prometheus-operator API the chart's CRDs serve (monitoring.coreos.com/v1). */
export const PROMETHEUS_OPERATOR_VERSION = "0.93.1";

/** kube-state-metrics of that chart: the kube_* series the rules and the dashboard read. */
export const KUBE_STATE_METRICS_VERSION = "2.20.0";

/**
 * mysqld_exporter 0.20.0 (2026-08-13), the newest release: MySQL 8.4 support, the password from
 * MYSQLD_EXPORTER_PASSWORD instead of a DSN on the command line.
 */
export const MYSQLD_EXPORTER_IMAGE = "prom/mysqld-exporter:v0.20.0";
