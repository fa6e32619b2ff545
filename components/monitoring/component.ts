import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { ClusterHandle } from "../cluster/handle";
import type { BackupSettings, DatabaseSpec, MonitoringSettings } from "../config/types";
import type { DatabaseEndpoint } from "../databases/endpoint";
import type { FailureBudget } from "../failover/budget";
import type { CustomObject } from "../shared/custom-object";
import { pinnedRelease } from "../shared/helm";
import { recommendedLabels } from "../shared/labels";
import type { StorageHandle } from "../storage/handle";
import {
  GRAFANA_ADMIN_SECRET,
  GRAFANA_ADMIN_USER,
  GRAFANA_SERVICE,
  KUBE_PROMETHEUS_RELEASE,
  kubePrometheusStackValues,
} from "./chart";
import { DASHBOARD_LABEL, dashboardPanels, grafanaDashboard } from "./dashboard";
import { EXPORTER_PASSWORD_KEY, exporterSecretName, mysqldExporter } from "./mysql-exporter";
import { ENGINE_METRICS, monitors, prometheusRule } from "./monitors";
import { monitoringPlan, type MonitoringInputs } from "./plan";
import { alertRuleGroups } from "./rules";
import { KUBE_PROMETHEUS_STACK_CHART } from "./versions";

export interface MonitoringArgs {
  cluster: ClusterHandle;
  storage: StorageHandle;
  settings: MonitoringSettings;
  /** The database namespace: MySQL's exporters live there, the rules watch it. */
  namespace: string;
  /** Where monitors, rules and the dashboard live when the database namespace is not this stack's. */
  objectNamespace?: string;
  databases: DatabaseSpec[];
  endpoints: Record<string, DatabaseEndpoint>;
  budgets: Record<string, FailureBudget[]>;
  backups: BackupSettings;
  disasterRecovery?: MonitoringInputs["disasterRecovery"];
  /** Grafana identity of the stack's dashboard. */
  dashboard: { uid: string; title: string };
  /** The databases component: its namespace must exist first. */
  after: pulumi.Resource[];
}

/** What the stack exports about monitoring (docs/outputs.md). */
export interface MonitoringSummary {
  mode: MonitoringSettings["mode"];
  /** Alert names by group. */
  alerts: Record<string, string[]>;
  /** namespace/name of the dashboard ConfigMap. */
  dashboard: string;
  /** install: how to reach Grafana (user admin, password: the `grafanaAdminPassword` output). */
  grafana?: string;
}

/**
 * Monitoring of one stack: monitors for what already exports metrics (storage, IRIS, PGO's exporter)
 * plus a mysqld_exporter per MySQL database, the alert rules and the dashboard; with mode install the
 * pinned kube-prometheus-stack they run on.
 */
export class Monitoring extends pulumi.ComponentResource {
  readonly summary: MonitoringSummary;
  /** install: Grafana's generated admin password (secret). */
  readonly grafanaAdminPassword?: pulumi.Output<string>;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hadb:monitoring:Monitoring", name, {}, opts);
    const childOpts = { parent: this, provider: args.cluster.provider };
    const { settings } = args;
    const ready: pulumi.Resource[] = [...args.after, ...args.storage.ready];
    if (settings.mode === "install") {
      const namespace = new k8s.core.v1.Namespace(
        `${name}-ns`,
        // Baseline: no host access (node-exporter is off); every pod of the chart runs unprivileged.
        {
          metadata: {
            name: settings.namespace,
            labels: { "pod-security.kubernetes.io/enforce": "baseline" },
          },
        },
        childOpts,
      );
      const password = new random.RandomPassword(
        `${name}-grafana-admin`,
        { length: 32, special: false },
        { parent: this },
      );
      this.grafanaAdminPassword = pulumi.secret(password.result);
      const admin = new k8s.core.v1.Secret(
        `${name}-grafana-admin`,
        {
          metadata: { name: GRAFANA_ADMIN_SECRET, namespace: settings.namespace },
          stringData: { "admin-user": GRAFANA_ADMIN_USER, "admin-password": this.grafanaAdminPassword },
        },
        { ...childOpts, dependsOn: [namespace] },
      );
      ready.push(
        pinnedRelease(
          `${name}-kube-prometheus-stack`,
          {
            name: KUBE_PROMETHEUS_RELEASE,
            chart: KUBE_PROMETHEUS_STACK_CHART,
            namespace: settings.namespace,
            values: kubePrometheusStackValues(),
          },
          { ...childOpts, dependsOn: [namespace, admin] },
        ),
      );
    }

    const plan = monitoringPlan({
      namespace: args.namespace,
      ...(args.objectNamespace ? { objectNamespace: args.objectNamespace } : {}),
      storage: args.storage,
      databases: args.databases,
      budgets: args.budgets,
      backups: args.backups,
      ...(args.disasterRecovery ? { disasterRecovery: args.disasterRecovery } : {}),
    });
    const custom = (object: CustomObject) =>
      new k8s.apiextensions.CustomResource(`${name}-${object.metadata.name}`, object, {
        ...childOpts,
        dependsOn: ready,
      });
    for (const monitor of monitors(plan, settings.labels)) custom(monitor);
    const groups = alertRuleGroups(plan);
    custom(prometheusRule(plan, settings.labels, groups));
    for (const database of plan.databases) {
      switch (ENGINE_METRICS[database.engine].exporter) {
        case "mysqld-exporter":
          this.mysqldExporter(name, database.name, args);
          break;
        case undefined: // the engine or its operator serves the metrics
          break;
      }
    }
    const dashboardName = "hadb-dashboard";
    new k8s.core.v1.ConfigMap(
      `${name}-dashboard`,
      {
        metadata: {
          name: dashboardName,
          namespace: plan.objectNamespace,
          labels: {
            ...recommendedLabels({ name: "hadb-monitoring", instance: "dashboard", component: "dashboard" }),
            ...DASHBOARD_LABEL,
          },
        },
        data: {
          [`${args.dashboard.uid}.json`]: JSON.stringify(
            grafanaDashboard(args.dashboard, dashboardPanels(plan, args.budgets)),
            null,
            2,
          ),
        },
      },
      { ...childOpts, dependsOn: ready },
    );

    this.summary = {
      mode: settings.mode,
      alerts: Object.fromEntries(
        groups.map((group) => [group.name, [...new Set(group.rules.map((r) => r.alert))]]),
      ),
      dashboard: `${plan.objectNamespace}/${dashboardName}`,
      ...(settings.mode === "install"
        ? { grafana: `kubectl -n ${settings.namespace} port-forward svc/${GRAFANA_SERVICE} 3000:80` }
        : {}),
    };
    this.registerOutputs({ mode: settings.mode });
  }

  /** A MySQL database's exporter: its generated password in its own Secret, and the Deployment. */
  private mysqldExporter(name: string, database: string, args: MonitoringArgs): void {
    const childOpts = { parent: this, provider: args.cluster.provider };
    const endpoint = args.endpoints[database];
    const spec = args.databases.find((d) => d.name === database);
    if (!endpoint || !spec) throw new Error(`MySQL database ${database} has no endpoint`);
    const password = new random.RandomPassword(
      `${name}-${database}-exporter`,
      { length: 32, special: false },
      { parent: this },
    );
    const secret = new k8s.core.v1.Secret(
      `${name}-${database}-exporter`,
      {
        metadata: {
          name: exporterSecretName(database),
          namespace: endpoint.namespace,
          // Forced: the exporter's account gets this password at every start of its pod, so a
          // redeploy over kept data may always write a new one (docs/teardown.md).
          annotations: { "pulumi.com/patchForce": "true" },
        },
        stringData: { [EXPORTER_PASSWORD_KEY]: pulumi.secret(password.result) },
      },
      { ...childOpts, dependsOn: args.after },
    );
    new k8s.apps.v1.Deployment(
      `${name}-${database}-exporter`,
      mysqldExporter({
        database,
        image: spec.image,
        endpoint,
        nodeSelector: args.cluster.databaseNodeSelector,
      }),
      { ...childOpts, dependsOn: [...args.after, secret] },
    );
  }
}
