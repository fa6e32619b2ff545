// The stack's Grafana dashboard (pure; its queries are tested to name only series the scraped exporters
// export): per database ready/up, restarts and moves, downtime next to the failover budget, the
// storage's replica health, backup age and DR lag. Shipped in a ConfigMap the Grafana sidecar loads.
import type { FailureBudget } from "../failover/budget";
import type { MonitoredDatabase, MonitoringPlan } from "./plan";

/** The Grafana dashboard sidecar's default label (kube-prometheus-stack: grafana_dashboard: "1"). */
export const DASHBOARD_LABEL = { grafana_dashboard: "1" } as const;

export interface PanelTarget {
  expr: string;
  legendFormat: string;
}

export interface Panel {
  title: string;
  type: "timeseries" | "stat" | "bargauge";
  unit: string;
  description: string;
  targets: PanelTarget[];
}

const q = (value: string): string => JSON.stringify(value);
/** Sampling step of the downtime subquery: what "measured" can resolve. */
const DOWNTIME_STEP_SECONDS = 15;

function workloadSeries(
  plan: MonitoringPlan,
  database: MonitoredDatabase,
): { wanted: string; ready: string } {
  const ns = q(plan.namespace);
  if (database.workload.kind === "deployment") {
    const labels = `{namespace=${ns},deployment=${q(database.workload.name)}}`;
    return {
      wanted: `sum(kube_deployment_spec_replicas${labels})`,
      ready: `sum(kube_deployment_status_replicas_available${labels})`,
    };
  }
  const labels = `{namespace=${ns},statefulset=~${q(database.workload.pattern)}}`;
  return {
    wanted: `sum(kube_statefulset_replicas${labels})`,
    ready: `sum(kube_statefulset_status_replicas_ready${labels})`,
  };
}

const ENGINE_UP: Record<MonitoredDatabase["engine"], (database: string) => string> = {
  mysql: (database) => `max(mysql_up{database=${q(database)}})`,
  postgres: (database) => `max(pg_up{database=${q(database)}})`,
  // IRIS has no "up" of its own: the scrape's, and its System Monitor state beside it (0 = OK).
  iris: (database) => `max(up{database=${q(database)}})`,
};

function databasePanels(plan: MonitoringPlan, budgets: Record<string, FailureBudget[]>): Panel[] {
  const ns = q(plan.namespace);
  const each = <T>(make: (database: MonitoredDatabase) => T[]): T[] => plan.databases.flatMap(make);
  return [
    {
      title: "Ready replicas / wanted",
      type: "stat",
      unit: "percentunit",
      description:
        "Ready (available) replicas of each database over the replicas it should run (kube-state-metrics).",
      targets: each((database) => {
        const { wanted, ready } = workloadSeries(plan, database);
        return [{ expr: `${ready} / ${wanted}`, legendFormat: database.name }];
      }),
    },
    {
      title: "Engine up",
      type: "timeseries",
      unit: "none",
      description:
        "1 while the engine answers its exporter (mysqld_exporter, PGO's exporter, IRIS /api/monitor).",
      targets: each((database) => [
        { expr: ENGINE_UP[database.engine](database.name), legendFormat: database.name },
      ]),
    },
    ...(plan.databases.some((database) => database.engine === "iris")
      ? [
          {
            title: "IRIS system state",
            type: "timeseries" as const,
            unit: "none",
            description: "IRIS System Monitor health: 0 OK, 1 warning, 2 alert, -1 hung.",
            targets: each((database) =>
              database.engine === "iris"
                ? [
                    {
                      expr: `max(iris_system_state{database=${q(database.name)}})`,
                      legendFormat: database.name,
                    },
                  ]
                : [],
            ),
          },
        ]
      : []),
    {
      title: "Since the last failover",
      type: "stat",
      unit: "s",
      description:
        "Age of each database's newest pod: the time since it last moved (rescheduled, evicted, deleted or redeployed).",
      targets: each((database) => [
        {
          expr: `time() - max(kube_pod_created{namespace=${ns},pod=~${q(database.pods)}})`,
          legendFormat: database.name,
        },
      ]),
    },
    {
      title: "Container restarts",
      type: "timeseries",
      unit: "none",
      description: "Restarts of the engine's container (process died, liveness probe failed).",
      targets: each((database) => [
        {
          expr: `sum(increase(kube_pod_container_status_restarts_total{namespace=${ns},pod=~${q(database.pods)},container=${q(database.container)}}[$__rate_interval]))`,
          legendFormat: database.name,
        },
      ]),
    },
    {
      title: "Downtime in range vs failover budget",
      type: "bargauge",
      unit: "s",
      description: `Seconds each database had fewer ready replicas than wanted in the selected range (sampled every ${DOWNTIME_STEP_SECONDS} s), next to its failover budget per failure (the failoverBudget stack output).`,
      targets: each((database) => {
        const { wanted, ready } = workloadSeries(plan, database);
        return [
          {
            expr: `sum_over_time((${wanted} - ${ready} > bool 0)[$__range:${DOWNTIME_STEP_SECONDS}s]) * ${DOWNTIME_STEP_SECONDS}`,
            legendFormat: `${database.name} measured`,
          },
          ...(budgets[database.name] ?? []).map((budget) => ({
            expr: `vector(${budget.totalSeconds})`,
            legendFormat: `${database.name} budget ${budget.failure}`,
          })),
        ];
      }),
    },
  ];
}

function storagePanel(plan: MonitoringPlan): Panel {
  const base = { title: "Replica health", type: "timeseries" as const, unit: "none" };
  switch (plan.storage) {
    case "longhorn":
      return {
        ...base,
        description: `Healthy (RW) Longhorn replicas per database volume; each should have ${plan.copies}.`,
        targets: plan.databases.map((database) => ({
          expr:
            `count by (volume) (longhorn_engine_replica_mode{mode="RW"} == 1) * on (volume) group_left ()` +
            ` max by (volume) (longhorn_volume_robustness{pvc_namespace=${q(plan.namespace)},pvc=~${q(database.claims)}})`,
          legendFormat: database.name,
        })),
      };
    case "rook-ceph":
      return {
        ...base,
        description: `OSDs up (the pool keeps ${plan.copies} copies) and the share of clean placement groups.`,
        targets: [
          { expr: "sum(ceph_osd_up)", legendFormat: "OSDs up" },
          { expr: "sum(ceph_pg_clean) / sum(ceph_pg_total)", legendFormat: "clean PGs (share)" },
          { expr: "max(ceph_health_status)", legendFormat: "health (0 OK, 1 WARN, 2 ERR)" },
        ],
      };
    case "portworx":
      return {
        ...base,
        description: `Portworx nodes online of the cluster's size (volumes keep ${plan.copies} replicas), and degraded volumes.`,
        targets: [
          { expr: "max(px_cluster_status_nodes_online)", legendFormat: "nodes online" },
          { expr: "max(px_cluster_status_size)", legendFormat: "cluster size" },
          { expr: "count(px_volume_replication_status == 3) or vector(0)", legendFormat: "degraded volumes" },
        ],
      };
    case "iscsi":
      return {
        ...base,
        description: "iSCSI keeps 1 copy, on the target: database volumes by target portal.",
        targets: [
          {
            expr: `count by (iscsi_target_portal) (kube_persistentvolume_info{persistentvolume=~${q(plan.iscsiVolumes.join("|"))}})`,
            legendFormat: "{{iscsi_target_portal}}",
          },
        ],
      };
  }
}

function backupPanels(plan: MonitoringPlan): Panel[] {
  const backedUp = plan.databases.filter((database) => database.backup);
  const ns = q(plan.namespace);
  const panels: Panel[] = [];
  if (backedUp.length > 0)
    panels.push({
      title: "Backup age",
      type: "timeseries",
      unit: "s",
      description:
        "Seconds since each database's newest off-cluster backup; HadbBackupTooOld fires at twice the schedule.",
      targets: backedUp.flatMap((database) => {
        const evidence = database.backup?.evidence;
        if (!evidence) return [];
        const expr =
          evidence.kind === "longhorn-volume"
            ? `time() - max(longhorn_volume_last_backup_at{pvc_namespace=${ns},pvc=${q(evidence.claim)}})`
            : `time() - max(kube_cronjob_status_last_successful_time{namespace=${ns},cronjob=${q(evidence.cronJob)}})`;
        return [
          { expr, legendFormat: database.name },
          { expr: `vector(${database.backup?.maxAgeSeconds ?? 0})`, legendFormat: `${database.name} limit` },
        ];
      }),
    });
  const dr = plan.disasterRecovery;
  if (dr?.kind === "longhorn-standby")
    panels.push({
      title: "Standby lag vs RPO",
      type: "timeseries",
      unit: "s",
      description: "Age of the newest primary backup each standby volume follows, next to the RPO.",
      targets: [
        ...Object.entries(dr.volumes).map(([database, volume]) => ({
          expr: `time() - max(longhorn_volume_last_backup_at{volume=${q(volume)}})`,
          legendFormat: database,
        })),
        { expr: `vector(${dr.rpoSeconds})`, legendFormat: "RPO" },
      ],
    });
  if (dr?.kind === "px-dr")
    panels.push({
      title: "PX-DR members offline",
      type: "timeseries",
      unit: "none",
      description: "Nodes of the stretched Portworx cluster that are offline (RPO 0 needs 0).",
      targets: [
        {
          expr: "max(px_cluster_status_size) - max(px_cluster_status_nodes_online)",
          legendFormat: "offline",
        },
      ],
    });
  return panels;
}

/** Every panel of the stack's dashboard. */
export function dashboardPanels(plan: MonitoringPlan, budgets: Record<string, FailureBudget[]>): Panel[] {
  return [...databasePanels(plan, budgets), storagePanel(plan), ...backupPanels(plan)];
}

/** Grafana dashboard JSON (schema 39) with a Prometheus data source variable, two panels per row. */
export function grafanaDashboard(
  identity: { uid: string; title: string },
  panels: Panel[],
): Record<string, unknown> {
  const datasource = { type: "prometheus", uid: "${datasource}" };
  return {
    uid: identity.uid,
    title: identity.title,
    tags: ["hadb"],
    timezone: "utc",
    schemaVersion: 39,
    refresh: "30s",
    time: { from: "now-24h", to: "now" },
    templating: {
      list: [{ name: "datasource", type: "datasource", query: "prometheus", label: "Data source" }],
    },
    panels: panels.map((panel, index) => ({
      id: index + 1,
      type: panel.type,
      title: panel.title,
      description: panel.description,
      datasource,
      gridPos: { h: 8, w: 12, x: (index % 2) * 12, y: Math.floor(index / 2) * 8 },
      fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
      targets: panel.targets.map((target, targetIndex) => ({
        refId: String.fromCharCode(65 + (targetIndex % 26)) + (targetIndex >= 26 ? String(targetIndex) : ""),
        datasource,
        expr: target.expr,
        legendFormat: target.legendFormat,
      })),
    })),
  };
}
