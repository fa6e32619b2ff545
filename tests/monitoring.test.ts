// Monitoring decisions (pure): what each stack watches, that every query names only series the
// exporters it scrapes really produce (the tables in components/monitoring/exporters.ts), the monitors'
// targets, the thresholds' sources, the installed chart's values, and cron gaps behind backup ages.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cronLongestGapSeconds } from "../components/config/cron";
import { BACKUP_DEFAULTS } from "../components/config/backups";
import type { DatabaseSpec, Engine, StorageBackend } from "../components/config/types";
import type { FailureBudget } from "../components/failover/budget";
import { kubePrometheusStackValues, GRAFANA_ADMIN_SECRET } from "../components/monitoring/chart";
import { dashboardPanels, grafanaDashboard } from "../components/monitoring/dashboard";
import { EXPORTER_METRICS, SCRAPE_METRICS, scrapedExporters } from "../components/monitoring/exporters";
import { monitors } from "../components/monitoring/monitors";
import { monitoringPlan, type MonitoringInputs } from "../components/monitoring/plan";
import { alertRuleGroups } from "../components/monitoring/rules";
import { STORAGE_BACKENDS } from "../components/config/types";
import { metricNames } from "./helpers/promql";

const budget = (totalSeconds: number): FailureBudget[] => [{ failure: "nodeLost", steps: [], totalSeconds }];
const db = (engine: Engine, name: string): DatabaseSpec => ({ engine, name }) as DatabaseSpec;

function inputs(
  storage: StorageBackend,
  engines: Engine[],
  extra: Partial<MonitoringInputs> = {},
): MonitoringInputs {
  const databases = engines.map((engine, index) => db(engine, `${engine}${index}`));
  return {
    namespace: "hadb",
    storage: { backend: storage, replicaCount: storage === "iscsi" ? 1 : 3, volumeNameFor: (n) => `pv-${n}` },
    databases,
    budgets: Object.fromEntries(databases.map((d) => [d.name, budget(120)])),
    backups: { ...BACKUP_DEFAULTS, enabled: storage !== "iscsi" },
    ...extra,
  };
}

describe("monitoring queries name only series the scraped exporters produce", () => {
  it("extracts metric names from PromQL", () => {
    assert.deepEqual(
      metricNames(
        'count by (volume) (a_total{mode="RW"} == 1) * on (volume) group_left (pvc) max by (volume, pvc) (b{x=~"y|z"}) < 3 or vector(1) and on() time() - c[5m:15s]',
      ),
      ["a_total", "b", "c"],
    );
  });

  for (const storage of STORAGE_BACKENDS)
    it(`${storage}: every rule and dashboard query, with every engine, backups and DR`, () => {
      const engines: Engine[] = storage === "iscsi" ? ["mysql", "postgres"] : ["iris", "mysql", "postgres"];
      const dr: MonitoringInputs["disasterRecovery"] =
        storage === "portworx"
          ? { kind: "px-dr", intervalMinutes: 5 }
          : storage === "longhorn"
            ? {
                kind: "longhorn-standby",
                primaryBackupSchedule: "0 */6 * * *",
                volumes: { iris0: "hadb-dr-iris0" },
              }
            : undefined;
      const plan = monitoringPlan(inputs(storage, engines, dr ? { disasterRecovery: dr } : {}));
      const known = new Set([
        ...scrapedExporters(storage, engines).flatMap((exporter) => EXPORTER_METRICS[exporter]),
        ...SCRAPE_METRICS,
      ]);
      const queries = [
        ...alertRuleGroups(plan).flatMap((group) => group.rules.map((rule) => rule.expr)),
        ...dashboardPanels(plan, {}).flatMap((panel) => panel.targets.map((target) => target.expr)),
      ];
      assert.ok(queries.length > 10);
      for (const query of queries)
        for (const name of metricNames(query))
          assert.ok(known.has(name), `${name} (in ${query}) is scraped by no exporter`);
    });

  it("a series of another backend is not accepted: the check can fail", () => {
    const known = new Set(
      scrapedExporters("iscsi", ["mysql"]).flatMap((exporter) => EXPORTER_METRICS[exporter]),
    );
    assert.ok(!known.has("longhorn_volume_robustness"));
    assert.ok(!known.has("pg_up"));
  });
});

describe("monitoring plan: thresholds from the stack's config", () => {
  it("backups must be younger than twice the longest gap of their schedule; their evidence per copy method", () => {
    const plan = monitoringPlan(
      inputs("rook-ceph", ["mysql", "postgres"], {
        backups: { ...BACKUP_DEFAULTS, enabled: true, schedule: "30 2 * * *" },
      }),
    );
    assert.deepEqual(
      plan.databases.map((d) => [d.name, d.backup?.maxAgeSeconds, d.backup?.evidence]),
      [
        ["mysql0", 2 * 86400, { kind: "cronjob", cronJob: "mysql0-backup" }],
        ["postgres1", 2 * 86400, { kind: "cronjob", cronJob: "postgres1-repo2-full" }],
      ],
    );
    const longhorn = monitoringPlan(inputs("longhorn", ["iris"]));
    assert.deepEqual(longhorn.databases[0]?.backup?.evidence, {
      kind: "longhorn-volume",
      claim: "iris0-data",
    });
  });

  it("waits come from each database's worst failover budget; copies from the storage handle", () => {
    const plan = monitoringPlan({
      ...inputs("longhorn", ["mysql"]),
      budgets: { mysql0: [...budget(65), ...budget(137)] },
    });
    const rules = alertRuleGroups(plan).flatMap((group) => group.rules);
    const notReady = rules.find((rule) => rule.alert === "HadbDatabaseNotReady");
    assert.equal(notReady?.for, "137s");
    assert.match(rules.find((r) => r.alert === "HadbVolumeReplicasMissing")?.expr ?? "", /< 3$/);
  });

  it("iSCSI's single copy is reported; replicated storage has no such rule", () => {
    const alerts = (storage: StorageBackend) =>
      alertRuleGroups(monitoringPlan(inputs(storage, ["mysql"]))).flatMap((g) => g.rules.map((r) => r.alert));
    assert.ok(alerts("iscsi").includes("HadbSingleCopyStorage"));
    for (const storage of ["longhorn", "rook-ceph", "portworx"] as const)
      assert.ok(!alerts(storage).includes("HadbSingleCopyStorage"), storage);
  });

  it("a Longhorn standby's RPO is the primary's longest backup gap plus Longhorn's target poll", () => {
    const plan = monitoringPlan(
      inputs("longhorn", ["mysql"], {
        disasterRecovery: {
          kind: "longhorn-standby",
          primaryBackupSchedule: "0 * * * *",
          volumes: { mysql0: "v" },
        },
      }),
    );
    assert.deepEqual(plan.disasterRecovery, {
      kind: "longhorn-standby",
      volumes: { mysql0: "v" },
      rpoSeconds: 3600 + 300,
    });
  });

  it("every alert links its section of docs/monitoring.md", () => {
    for (const storage of STORAGE_BACKENDS)
      for (const rule of alertRuleGroups(monitoringPlan(inputs(storage, ["iris", "mysql"]))).flatMap(
        (g) => g.rules,
      ))
        assert.equal(rule.annotations.runbook, `docs/monitoring.md#${rule.alert.toLowerCase()}`);
  });
});

describe("cron gaps", () => {
  it("the longest time between two runs, in seconds", () => {
    assert.equal(cronLongestGapSeconds("0 */6 * * *"), 6 * 3600);
    assert.equal(cronLongestGapSeconds("*/15 * * * *"), 900);
    assert.equal(cronLongestGapSeconds("5/20 * * * *"), 20 * 60);
    assert.equal(cronLongestGapSeconds("0 1 * * 1-5"), 3 * 86400);
    assert.equal(cronLongestGapSeconds("0 3 * * 0"), 7 * 86400);
    // A month-day and a weekday: runs on either (cron's rule).
    assert.equal(cronLongestGapSeconds("0 0 1 * 1"), 7 * 86400);
    assert.equal(cronLongestGapSeconds("0 0 1 * *"), 31 * 86400);
  });
});

describe("monitors and the installed chart", () => {
  it("scrape each backend's metrics Service and each database's pods, labelled with the database", () => {
    const plan = monitoringPlan(inputs("rook-ceph", ["iris", "mysql", "postgres"]));
    const objects = monitors(plan, { release: "prom" }) as any[];
    assert.deepEqual(
      objects.map((o) => [o.kind, o.metadata.name, o.metadata.labels.release]),
      [
        ["ServiceMonitor", "hadb-rook-ceph", "prom"],
        ["PodMonitor", "hadb-iris0", "prom"],
        ["PodMonitor", "hadb-mysql1", "prom"],
        ["PodMonitor", "hadb-postgres2", "prom"],
      ],
    );
    const [ceph, iris] = objects;
    assert.deepEqual(ceph.spec.namespaceSelector, { matchNames: ["rook-ceph"] });
    assert.deepEqual(ceph.spec.endpoints, [{ port: "http-metrics", path: "/metrics", honorLabels: true }]);
    assert.deepEqual(iris.spec.podMetricsEndpoints[0].path, "/api/monitor/metrics");
    assert.deepEqual(iris.spec.podMetricsEndpoints[0].relabelings, [
      { targetLabel: "database", replacement: "iris0", action: "replace" },
    ]);
    assert.equal(
      monitors(monitoringPlan(inputs("iscsi", ["mysql"])), {}).filter((o) => o.kind === "ServiceMonitor")
        .length,
      0,
    );
  });

  it("kube-prometheus-stack: Grafana's admin password from hadb's Secret, hadb's objects selected, no host-level pods", () => {
    const values = kubePrometheusStackValues() as any;
    assert.equal(values.grafana.admin.existingSecret, GRAFANA_ADMIN_SECRET);
    assert.equal(values.grafana.adminPassword, undefined);
    for (const selector of ["serviceMonitor", "podMonitor", "rule"])
      assert.equal(values.prometheus.prometheusSpec[`${selector}SelectorNilUsesHelmValues`], false);
    assert.equal(values.nodeExporter.enabled, false);
    assert.deepEqual(
      { label: values.grafana.sidecar.dashboards.label, value: values.grafana.sidecar.dashboards.labelValue },
      { label: "grafana_dashboard", value: "1" },
    );
  });

  it("the dashboard: a Prometheus data source variable, every panel placed and queried", () => {
    const plan = monitoringPlan(inputs("longhorn", ["iris", "postgres"]));
    const dashboard = grafanaDashboard(
      { uid: "hadb-x", title: "hadb x" },
      dashboardPanels(plan, { iris0: budget(90) }),
    ) as any;
    assert.equal(dashboard.templating.list[0].type, "datasource");
    assert.ok(dashboard.panels.length >= 7);
    for (const panel of dashboard.panels) {
      assert.ok(panel.targets.length > 0, panel.title);
      assert.equal(panel.datasource.uid, "${datasource}");
    }
    const downtime = dashboard.panels.find((p: any) => p.title.startsWith("Downtime"));
    assert.ok(
      downtime.targets.some(
        (t: any) => t.expr === "vector(90)" && t.legendFormat === "iris0 budget nodeLost",
      ),
    );
  });
});
