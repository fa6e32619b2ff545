// hadb's alert rules run for real by promtool (built from the Prometheus release the pinned
// kube-prometheus-stack deploys, components/monitoring/install-test-deps.sh) on synthetic series: for
// every rule one case where it fires and one where it stays silent, each just past or just short of the
// threshold the stack config gives (budget, copies, schedule, RPO). The thresholds are written out here
// from the inputs, not computed by hadb's code, so a rule with a broken threshold fails.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { stringify } from "yaml";
import type { DatabaseSpec, StorageBackend } from "../components/config/types";
import { BACKUP_DEFAULTS } from "../components/config/backups";
import type { FailureBudget } from "../components/failover/budget";
import { monitoringPlan, type MonitoringInputs } from "../components/monitoring/plan";
import { alertRuleGroups, type AlertRule } from "../components/monitoring/rules";
import { PROMETHEUS_VERSION } from "../components/monitoring/versions";
import { TOOLS_BIN } from "../test/tools-bin";

const PROMTOOL = join(TOOLS_BIN, "promtool");

function promtoolMissing(): string | false {
  const version = existsSync(PROMTOOL) ? spawnSync(PROMTOOL, ["--version"], { encoding: "utf8" }) : undefined;
  if (`${version?.stdout ?? ""}${version?.stderr ?? ""}`.includes(`promtool, version ${PROMETHEUS_VERSION} `))
    return false;
  // CI builds it (.ci/run); locally a missing tool is a skip, never a pass.
  if (process.env.CI === "true")
    assert.fail(`promtool ${PROMETHEUS_VERSION} is required in CI (.ci/run builds it)`);
  return `promtool ${PROMETHEUS_VERSION} not built: run components/monitoring/install-test-deps.sh`;
}

const skip = promtoolMissing();

const NS = "hadb";
const database = (engine: DatabaseSpec["engine"], name: string): DatabaseSpec =>
  ({ engine, name }) as DatabaseSpec;
const budget = (totalSeconds: number): FailureBudget[] => [{ failure: "nodeLost", steps: [], totalSeconds }];

// The numbers every case below is built around.
const ORDERS_BUDGET = 137; // seconds: silent at 2m, firing at 3m
const BILLING_BUDGET = 200; // the stack's longest: silent at 3m, firing at 4m
const SIX_HOURLY_MAX_AGE = 2 * 6 * 3600; // "0 */6 * * *" twice: silent at 720m, firing at 721m
const STANDBY_RPO = 6 * 3600 + 300; // the primary's 6 h gap + Longhorn's 300 s poll: silent 365m, firing 366m
const PX_DR_INTERVAL = 5 * 60;
/** An eval time (promtool evaluates every minute). */
const minutes = (seconds: number): string => `${seconds / 60}m`;
/** Age rules (no `for`) fire at the first evaluation past the limit: silent at it, firing a minute later. */
const AGE_LIMIT = minutes(SIX_HOURLY_MAX_AGE);
const PAST_AGE_LIMIT = minutes(SIX_HOURLY_MAX_AGE + 60);

function inputs(storage: StorageBackend, extra: Partial<MonitoringInputs> = {}): MonitoringInputs {
  return {
    namespace: NS,
    storage: {
      backend: storage,
      replicaCount: storage === "iscsi" ? 1 : 3,
      volumeNameFor: (name) => `hadb-iscsi-${name}`,
    },
    databases: [database("mysql", "orders"), database("postgres", "billing")],
    budgets: { orders: budget(ORDERS_BUDGET), billing: budget(BILLING_BUDGET) },
    backups: { ...BACKUP_DEFAULTS, enabled: true, schedule: "0 */6 * * *" },
    ...extra,
  };
}

interface Case {
  /** promtool input_series: series selector -> values ("1x60", "0 0 1"). */
  series: Record<string, string>;
  at: string;
  alert: string;
  /** undefined: the alert must stay silent at `at`. */
  fires?: Record<string, string>[];
}

const interpolate = (text: string, labels: Record<string, string>): string =>
  text.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_match, name: string) => labels[name] ?? "");

function promtoolTest(rules: AlertRule[], cases: Case[]) {
  return cases.map((testCase) => {
    const matching = rules.filter((rule) => rule.alert === testCase.alert);
    assert.ok(matching.length > 0, `no rule ${testCase.alert}`);
    return {
      interval: "1m",
      input_series: Object.entries(testCase.series).map(([series, values]) => ({ series, values })),
      alert_rule_test: [
        {
          eval_time: testCase.at,
          alertname: testCase.alert,
          exp_alerts: (testCase.fires ?? []).map((labels) => {
            // The rule of this alert whose own labels the expected alert carries.
            const rule =
              matching.find((r) =>
                Object.entries(r.labels).every(([k, v]) => labels[k] === undefined || labels[k] === v),
              ) ?? matching[0];
            assert.ok(rule);
            const all = { ...labels, ...rule.labels };
            return {
              exp_labels: all,
              exp_annotations: Object.fromEntries(
                Object.entries(rule.annotations).map(([key, text]) => [key, interpolate(text, all)]),
              ),
            };
          }),
        },
      ],
    };
  });
}

function runPromtool(inputsOf: MonitoringInputs, cases: Case[]): { code: number | null; output: string } {
  const groups = alertRuleGroups(monitoringPlan(inputsOf));
  const rules = groups.flatMap((group) => group.rules);
  const dir = mkdtempSync(join(tmpdir(), "hadb-promtool-"));
  writeFileSync(join(dir, "rules.yaml"), stringify({ groups }));
  writeFileSync(
    join(dir, "test.yaml"),
    stringify({ rule_files: ["rules.yaml"], evaluation_interval: "1m", tests: promtoolTest(rules, cases) }),
  );
  const result = spawnSync(PROMTOOL, ["test", "rules", join(dir, "test.yaml")], { encoding: "utf8" });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

const held = (value: number | string, minutes = 800): string => `${value}x${minutes}`;
const sel = (name: string, labels: Record<string, string>): string =>
  `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(",")}}`;
const dbLabels = (name: string) => ({ namespace: NS, database: name });

/** Cases every backend shares: the database rules and the backup rules. */
const DATABASE_CASES: Case[] = [
  // Not ready: Deployment (MySQL) and PGO StatefulSets (PostgreSQL), each against its own budget.
  ...["2m", "3m"].map((at) => ({
    series: {
      [sel("kube_deployment_spec_replicas", { namespace: NS, deployment: "orders" })]: held(1),
      [sel("kube_deployment_status_replicas_available", { namespace: NS, deployment: "orders" })]: held(0),
    },
    at,
    alert: "HadbDatabaseNotReady",
    ...(at === "3m" ? { fires: [dbLabels("orders")] } : {}),
  })),
  ...["3m", "4m"].map((at) => ({
    series: {
      [sel("kube_statefulset_replicas", { namespace: NS, statefulset: "billing-db-x7kq" })]: held(1),
      [sel("kube_statefulset_status_replicas_ready", { namespace: NS, statefulset: "billing-db-x7kq" })]:
        held(0),
    },
    at,
    alert: "HadbDatabaseNotReady",
    ...(at === "4m" ? { fires: [dbLabels("billing")] } : {}),
  })),
  // Failed over: a restart is reported for one budget (137 s) and no longer.
  ...["6m", "9m"].map((at) => ({
    series: {
      [sel("kube_pod_container_status_restarts_total", {
        namespace: NS,
        pod: "orders-7d9f8c6b5-abcde",
        container: "mysql",
      })]: `${held(0, 5)} ${held(1, 10)}`,
    },
    at,
    alert: "HadbDatabaseFailedOver",
    ...(at === "6m" ? { fires: [dbLabels("orders")] } : {}),
  })),
  // Failed over: a new pod replaced the old one at 10m; a first deploy is no failover.
  ...["11m", "13m"].map((at) => ({
    series: {
      [sel("kube_deployment_created", { namespace: NS, deployment: "orders" })]: held(0),
      [sel("kube_pod_created", { namespace: NS, pod: "orders-7d9f8c6b5-abcde" })]: `${held(0, 9)} stale`,
      [sel("kube_pod_created", { namespace: NS, pod: "orders-7d9f8c6b5-fghij" })]: `_x10 ${held(600, 10)}`,
    },
    at,
    alert: "HadbDatabaseFailedOver",
    ...(at === "11m" ? { fires: [dbLabels("orders")] } : {}),
  })),
  {
    series: {
      [sel("kube_deployment_created", { namespace: NS, deployment: "orders" })]: held(0),
      [sel("kube_pod_created", { namespace: NS, pod: "orders-7d9f8c6b5-abcde" })]: held(0),
    },
    at: "1m",
    alert: "HadbDatabaseFailedOver",
  },
  // Backups: PGO's scheduled full backup, last success at 0, and never succeeded since creation at 0.
  ...[AGE_LIMIT, PAST_AGE_LIMIT].map((at) => ({
    series: {
      [sel("kube_cronjob_status_last_successful_time", { namespace: NS, cronjob: "billing-repo2-full" })]:
        held(0),
      [sel("kube_cronjob_created", { namespace: NS, cronjob: "billing-repo2-full" })]: held(0),
    },
    at,
    alert: "HadbBackupTooOld",
    ...(at === PAST_AGE_LIMIT ? { fires: [dbLabels("billing")] } : {}),
  })),
  ...[AGE_LIMIT, PAST_AGE_LIMIT].map((at) => ({
    series: { [sel("kube_cronjob_created", { namespace: NS, cronjob: "billing-repo2-full" })]: held(0) },
    at,
    alert: "HadbBackupTooOld",
    ...(at === PAST_AGE_LIMIT ? { fires: [dbLabels("billing")] } : {}),
  })),
];

const rwReplica = (replica: string) =>
  sel("longhorn_engine_replica_mode", { volume: "pvc-1", replica, mode: "RW", engine: "pvc-1-e-0" });
const robustness = (state: string) =>
  sel("longhorn_volume_robustness", {
    volume: "pvc-1",
    pvc: "orders-data",
    pvc_namespace: NS,
    state,
    node: "n1",
  });
const schedulable = (node: string) =>
  sel("longhorn_node_status", { node, condition: "schedulable", condition_reason: "" });

const LONGHORN_CASES: Case[] = [
  // Two of three replicas RW for longer than the budget: fires; three RW: silent.
  ...["2m", "3m"].map((at) => ({
    series: { [rwReplica("r1")]: held(1), [rwReplica("r2")]: held(1), [robustness("degraded")]: held(1) },
    at,
    alert: "HadbVolumeReplicasMissing",
    ...(at === "3m" ? { fires: [{ ...dbLabels("orders"), volume: "pvc-1", pvc: "orders-data" }] } : {}),
  })),
  {
    series: {
      [rwReplica("r1")]: held(1),
      [rwReplica("r2")]: held(1),
      [rwReplica("r3")]: held(1),
      [robustness("healthy")]: held(1),
    },
    at: "10m",
    alert: "HadbVolumeReplicasMissing",
  },
  ...[0, 1].map((faulted) => ({
    series: { [robustness("faulted")]: held(faulted), [robustness("healthy")]: held(1 - faulted) },
    at: "1m",
    alert: "HadbVolumeFaulted",
    ...(faulted ? { fires: [{ ...dbLabels("orders"), volume: "pvc-1", pvc: "orders-data" }] } : {}),
  })),
  // Two schedulable nodes for the 3 copies, past the stack's longest budget (200 s); three: silent.
  ...["3m", "4m"].map((at) => ({
    series: { [schedulable("n1")]: held(1), [schedulable("n2")]: held(1), [schedulable("n3")]: held(0) },
    at,
    alert: "HadbStorageUnhealthy",
    ...(at === "4m" ? { fires: [{}] } : {}),
  })),
  {
    series: { [schedulable("n1")]: held(1), [schedulable("n2")]: held(1), [schedulable("n3")]: held(1) },
    at: "10m",
    alert: "HadbStorageUnhealthy",
  },
  // Longhorn's own last-backup time (MySQL's volume), once the volume is older than the limit.
  ...[AGE_LIMIT, PAST_AGE_LIMIT].map((at) => ({
    series: {
      [sel("longhorn_volume_last_backup_at", { volume: "pvc-1", pvc: "orders-data", pvc_namespace: NS })]:
        held(0),
      [sel("kube_persistentvolumeclaim_created", { namespace: NS, persistentvolumeclaim: "orders-data" })]:
        held(0),
    },
    at,
    alert: "HadbBackupTooOld",
    ...(at === PAST_AGE_LIMIT ? { fires: [dbLabels("orders")] } : {}),
  })),
];

const osd = (id: number) => sel("ceph_osd_up", { ceph_daemon: `osd.${id}` });
const CEPH_CASES: Case[] = [
  ...[
    { health: 2, up: [1, 1, 1] },
    { health: 0, up: [1, 1, 0] },
  ].flatMap(({ health, up }) =>
    ["3m", "4m"].map((at) => ({
      series: {
        ceph_health_status: held(health),
        ...Object.fromEntries(up.map((v, i) => [osd(i), held(v)])),
      },
      at,
      alert: "HadbStorageUnhealthy",
      ...(at === "4m" ? { fires: [{}] } : {}),
    })),
  ),
  {
    series: { ceph_health_status: held(1), [osd(0)]: held(1), [osd(1)]: held(1), [osd(2)]: held(1) },
    at: "10m",
    alert: "HadbStorageUnhealthy",
  },
  ...["3m", "4m"].map((at) => ({
    series: {
      [sel("ceph_pg_total", { pool_id: "1" })]: held(32),
      [sel("ceph_pg_clean", { pool_id: "1" })]: held(31),
    },
    at,
    alert: "HadbVolumeReplicasMissing",
    ...(at === "4m" ? { fires: [{}] } : {}),
  })),
  {
    series: {
      [sel("ceph_pg_total", { pool_id: "1" })]: held(32),
      [sel("ceph_pg_clean", { pool_id: "1" })]: held(32),
    },
    at: "10m",
    alert: "HadbVolumeReplicasMissing",
  },
  // Restic copies (MySQL on Rook-Ceph): the CronJob's last success.
  ...[AGE_LIMIT, PAST_AGE_LIMIT].map((at) => ({
    series: {
      [sel("kube_cronjob_status_last_successful_time", { namespace: NS, cronjob: "orders-backup" })]: held(0),
      [sel("kube_cronjob_created", { namespace: NS, cronjob: "orders-backup" })]: held(0),
    },
    at,
    alert: "HadbBackupTooOld",
    ...(at === PAST_AGE_LIMIT ? { fires: [dbLabels("orders")] } : {}),
  })),
];

const pxVolume = { volumeid: "1234", volumename: "pvc-1" };
const PORTWORX_CASES: Case[] = [
  ...[
    { online: 2, quorum: 1 },
    { online: 3, quorum: 2 },
  ].flatMap(({ online, quorum }) =>
    ["3m", "4m"].map((at) => ({
      series: {
        px_cluster_status_nodes_online: held(online),
        px_cluster_status_cluster_quorum: held(quorum),
      },
      at,
      alert: "HadbStorageUnhealthy",
      ...(at === "4m" ? { fires: [{}] } : {}),
    })),
  ),
  {
    series: { px_cluster_status_nodes_online: held(3), px_cluster_status_cluster_quorum: held(1) },
    at: "10m",
    alert: "HadbStorageUnhealthy",
  },
  ...["3m", "4m"].map((at) => ({
    series: { [sel("px_volume_replication_status", pxVolume)]: held(3) },
    at,
    alert: "HadbVolumeReplicasMissing",
    ...(at === "4m" ? { fires: [pxVolume] } : {}),
  })),
  {
    series: { [sel("px_volume_replication_status", pxVolume)]: held(3) },
    at: "10m",
    alert: "HadbVolumeFaulted",
  },
  {
    series: { [sel("px_volume_replication_status", pxVolume)]: held(1) },
    at: "1m",
    alert: "HadbVolumeFaulted",
    fires: [pxVolume],
  },
  // PX-DR: a member down for one migration interval (300 s): pending at 4m, firing at 5m.
  ...["4m", "5m"].map((at) => ({
    series: { px_cluster_status_size: held(6), px_cluster_status_nodes_online: held(5) },
    at,
    alert: "HadbDisasterRecoveryLag",
    ...(at === "5m" ? { fires: [{}] } : {}),
  })),
];

const lun = (volume: string) =>
  sel("kube_persistentvolume_info", {
    persistentvolume: volume,
    iscsi_target_portal: "192.168.56.10:3260",
    iscsi_iqn: "iqn.2026-01.io.hadb:lab",
    iscsi_lun: "1",
  });
const ISCSI_CASES: Case[] = [
  {
    series: { [lun("hadb-iscsi-orders")]: held(1), [lun("hadb-iscsi-billing")]: held(1) },
    at: "1m",
    alert: "HadbSingleCopyStorage",
    fires: [{ iscsi_target_portal: "192.168.56.10:3260", iscsi_iqn: "iqn.2026-01.io.hadb:lab" }],
  },
  // Another team's LUN on the same target is not hadb's to report.
  { series: { [lun("someone-else")]: held(1) }, at: "1m", alert: "HadbSingleCopyStorage" },
];

const STANDBY_CASES: Case[] = [minutes(STANDBY_RPO), minutes(STANDBY_RPO + 60)].map((at) => ({
  series: {
    [sel("longhorn_volume_last_backup_at", { volume: "hadb-dr-orders", pvc: "orders-data" })]: held(0, 400),
  },
  at,
  alert: "HadbDisasterRecoveryLag",
  ...(at === minutes(STANDBY_RPO + 60) ? { fires: [{ database: "orders" }] } : {}),
}));

/** `only`: the alerts a scenario is about (the others are covered by the scenarios before it). */
const SCENARIOS: { name: string; inputs: MonitoringInputs; cases: Case[]; only?: string[] }[] = [
  { name: "Longhorn", inputs: inputs("longhorn"), cases: [...DATABASE_CASES, ...LONGHORN_CASES] },
  { name: "Rook-Ceph", inputs: inputs("rook-ceph"), cases: [...DATABASE_CASES, ...CEPH_CASES] },
  {
    name: "Portworx, PX-DR",
    inputs: inputs("portworx", { disasterRecovery: { kind: "px-dr", intervalMinutes: PX_DR_INTERVAL / 60 } }),
    cases: [...DATABASE_CASES, ...PORTWORX_CASES],
  },
  {
    name: "iSCSI",
    inputs: inputs("iscsi", { backups: BACKUP_DEFAULTS }),
    cases: [...DATABASE_CASES.filter((c) => c.alert !== "HadbBackupTooOld"), ...ISCSI_CASES],
  },
  {
    name: "Longhorn DR standby",
    inputs: inputs("longhorn", {
      databases: [database("mysql", "orders")],
      budgets: { orders: budget(ORDERS_BUDGET) },
      backups: BACKUP_DEFAULTS,
      disasterRecovery: {
        kind: "longhorn-standby",
        primaryBackupSchedule: "0 */6 * * *",
        volumes: { orders: "hadb-dr-orders" },
      },
    }),
    cases: STANDBY_CASES,
    only: ["HadbDisasterRecoveryLag"],
  },
];

describe("alert rules under promtool test rules", { skip }, () => {
  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: every rule fires past its threshold and stays silent short of it`, () => {
      const rules = alertRuleGroups(monitoringPlan(scenario.inputs)).flatMap((group) => group.rules);
      // Each rule of the scenario has a firing and a silent case.
      for (const alert of scenario.only ?? new Set(rules.map((rule) => rule.alert))) {
        const cases = scenario.cases.filter((c) => c.alert === alert);
        assert.ok(
          cases.some((c) => c.fires),
          `${alert}: no firing case`,
        );
        assert.ok(
          cases.some((c) => !c.fires),
          `${alert}: no silent case`,
        );
      }
      const result = runPromtool(scenario.inputs, scenario.cases);
      assert.equal(result.code, 0, result.output);
      assert.match(result.output, /SUCCESS/);
    });
  }

  it("a broken threshold fails: the same cases against a budget twice as long", () => {
    const doubled = inputs("longhorn", {
      budgets: { orders: budget(2 * ORDERS_BUDGET), billing: budget(BILLING_BUDGET) },
    });
    const result = runPromtool(doubled, DATABASE_CASES);
    assert.notEqual(result.code, 0);
    assert.match(result.output, /HadbDatabaseNotReady/);
  });
});
