// kube-prometheus-stack as hadb installs it (hadb:monitoring.mode install): pure values, tested.
import { DASHBOARD_LABEL } from "./dashboard";

export const KUBE_PROMETHEUS_RELEASE = "kube-prometheus-stack";
/** Secret holding Grafana's admin user and generated password (the chart's own default is a literal). */
export const GRAFANA_ADMIN_SECRET = "hadb-grafana-admin";
export const GRAFANA_ADMIN_USER = "admin";
/** Grafana's Service as the chart names it: <release>-grafana, port 80. */
export const GRAFANA_SERVICE = `${KUBE_PROMETHEUS_RELEASE}-grafana`;

export function kubePrometheusStackValues(): Record<string, unknown> {
  const [[dashboardLabel, dashboardLabelValue]] = Object.entries(DASHBOARD_LABEL) as [[string, string]];
  // Without these the operator's Prometheus selects only objects labelled with this release; hadb's
  // monitors and rules (and any the cluster's teams add) are picked up in every namespace instead.
  const selectAll = {
    serviceMonitorSelectorNilUsesHelmValues: false,
    podMonitorSelectorNilUsesHelmValues: false,
    ruleSelectorNilUsesHelmValues: false,
  };
  return {
    crds: { enabled: true },
    prometheus: { prometheusSpec: selectAll },
    // hadb's rules do not read node metrics, and node-exporter is a hostNetwork/hostPID DaemonSet
    // mounting the node's root: hadb keeps such pods to node prep and storage.
    nodeExporter: { enabled: false },
    // Managed control planes (AKS, EKS, GKE) do not expose these: their targets would stay down and
    // the chart's TargetDown alerts fire forever. hadb's rules do not read them.
    kubeControllerManager: { enabled: false },
    kubeScheduler: { enabled: false },
    kubeEtcd: { enabled: false },
    kubeProxy: { enabled: false },
    grafana: {
      admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: "admin-user", passwordKey: "admin-password" },
      sidecar: {
        dashboards: {
          enabled: true,
          label: dashboardLabel,
          labelValue: dashboardLabelValue,
          searchNamespace: "ALL",
        },
      },
    },
  };
}
