// The alert rules of one stack (pure; `promtool test rules` runs them on synthetic series). Every
// threshold comes from the plan: copies from the storage handle, waits from each database's failover
// budget, backup ages from the schedule, DR lag from the primary's schedule or the PX-DR interval.
import {
  LONGHORN_BACKUPSTORE_POLL_SECONDS,
  type BackupEvidence,
  type MonitoredDatabase,
  type MonitoringPlan,
} from "./plan";

export type Severity = "critical" | "warning" | "info";

export interface AlertRule {
  alert: string;
  expr: string;
  /** Prometheus duration ("90s"); omitted: fires at the first evaluation that matches. */
  for?: string;
  labels: Record<string, string> & { severity: Severity };
  annotations: { summary: string; description: string; runbook: string };
}

export interface RuleGroup {
  name: string;
  rules: AlertRule[];
}

/** Each alert's section in docs/monitoring.md: what it means and what to do. */
export const runbook = (alert: string): string => `docs/monitoring.md#${alert.toLowerCase()}`;

const seconds = (value: number): string => `${Math.ceil(value)}s`;
const quote = (value: string): string => JSON.stringify(value);
/** A label matcher list: {a="x", b=~"y"} (values starting with "~" are regexes). */
const select = (labels: Record<string, string>): string =>
  `{${Object.entries(labels)
    .map(([name, value]) =>
      value.startsWith("~") ? `${name}=~${quote(value.slice(1))}` : `${name}=${quote(value)}`,
    )
    .join(",")}}`;

function rule(
  alert: string,
  severity: Severity,
  expr: string,
  text: { summary: string; description: string },
  extra: { for?: number; labels?: Record<string, string> } = {},
): AlertRule {
  return {
    alert,
    expr,
    ...(extra.for !== undefined && extra.for > 0 ? { for: seconds(extra.for) } : {}),
    labels: { severity, ...extra.labels },
    annotations: { ...text, runbook: runbook(alert) },
  };
}

/** Ready replicas short of the wanted ones, summed over the database's workload(s). */
function notReadyExpr(plan: MonitoringPlan, database: MonitoredDatabase): string {
  const ns = plan.namespace;
  if (database.workload.kind === "deployment") {
    const labels = select({ namespace: ns, deployment: database.workload.name });
    return `sum(kube_deployment_spec_replicas${labels}) - sum(kube_deployment_status_replicas_available${labels}) > 0`;
  }
  const labels = select({ namespace: ns, statefulset: `~${database.workload.pattern}` });
  return `sum(kube_statefulset_replicas${labels}) - sum(kube_statefulset_status_replicas_ready${labels}) > 0`;
}

/** A restart of the engine's container, or a pod newer than the window on a workload older than it. */
function failedOverExpr(plan: MonitoringPlan, database: MonitoredDatabase): string {
  const ns = plan.namespace;
  const window = Math.ceil(database.budgetSeconds);
  const pods = select({ namespace: ns, pod: `~${database.pods}` });
  const restarts = select({ namespace: ns, pod: `~${database.pods}`, container: database.container });
  const workloadCreated =
    database.workload.kind === "deployment"
      ? `kube_deployment_created${select({ namespace: ns, deployment: database.workload.name })}`
      : `kube_statefulset_created${select({ namespace: ns, statefulset: `~${database.workload.pattern}` })}`;
  return (
    `sum(increase(kube_pod_container_status_restarts_total${restarts}[${window}s])) > 0` +
    ` or ((time() - max(kube_pod_created${pods})) < ${window}` +
    ` and on() (time() - min(${workloadCreated})) > ${window})`
  );
}

function databaseRules(plan: MonitoringPlan): AlertRule[] {
  return plan.databases.flatMap((database) => {
    const labels = { namespace: plan.namespace, database: database.name };
    const budget = Math.ceil(database.budgetSeconds);
    return [
      rule(
        "HadbDatabaseNotReady",
        "critical",
        notReadyExpr(plan, database),
        {
          summary: `Database ${database.name} is not ready after its failover budget`,
          description: `${database.engine} database ${plan.namespace}/${database.name} has had fewer ready replicas than wanted for ${budget} s, its worst-case failover budget: the recovery hadb budgets for did not happen.`,
        },
        { for: budget, labels },
      ),
      rule(
        "HadbDatabaseFailedOver",
        "warning",
        failedOverExpr(plan, database),
        {
          summary: `Database ${database.name} restarted or moved`,
          description: `The ${database.container} container of ${plan.namespace}/${database.name} restarted, or its pod was replaced (rescheduled, evicted, deleted or redeployed), within the last ${budget} s (its failover budget).`,
        },
        { labels },
      ),
    ];
  });
}

function longhornRules(plan: MonitoringPlan): AlertRule[] {
  const ns = plan.namespace;
  return [
    ...plan.databases.flatMap((database) => {
      const volume = select({ pvc_namespace: ns, pvc: `~${database.claims}` });
      const labels = { namespace: ns, database: database.name };
      return [
        rule(
          "HadbVolumeReplicasMissing",
          "warning",
          `count by (volume) (longhorn_engine_replica_mode{mode="RW"} == 1)` +
            ` * on (volume) group_left (pvc) max by (volume, pvc) (longhorn_volume_robustness${volume}) < ${plan.copies}`,
          {
            summary: `Volume of ${database.name} has fewer than ${plan.copies} healthy replicas`,
            description: `The Longhorn volume {{ $labels.pvc }} of ${ns}/${database.name} has had fewer healthy (RW) replicas than the ${plan.copies} it keeps for ${Math.ceil(database.budgetSeconds)} s: one more node loss may take the database with it.`,
          },
          { for: database.budgetSeconds, labels },
        ),
        rule(
          "HadbVolumeFaulted",
          "critical",
          `max by (volume, pvc) (longhorn_volume_robustness${select({ pvc_namespace: ns, pvc: `~${database.claims}`, state: "faulted" })}) == 1`,
          {
            summary: `Volume of ${database.name} is faulted`,
            description: `The Longhorn volume {{ $labels.pvc }} of ${ns}/${database.name} has no healthy replica left: the database cannot start until a replica is salvaged.`,
          },
          { labels },
        ),
      ];
    }),
    rule(
      "HadbStorageUnhealthy",
      "critical",
      `sum(max by (node) (longhorn_node_status{condition="schedulable"})) < ${plan.copies}`,
      {
        summary: `Fewer than ${plan.copies} Longhorn nodes can take replicas`,
        description: `Fewer schedulable Longhorn nodes than the ${plan.copies} copies of every volume: a lost replica cannot be rebuilt.`,
      },
      { for: plan.stackBudgetSeconds },
    ),
  ];
}

function cephRules(plan: MonitoringPlan): AlertRule[] {
  return [
    rule(
      "HadbStorageUnhealthy",
      "critical",
      `max(ceph_health_status) == 2 or sum(ceph_osd_up) < ${plan.copies}`,
      {
        summary: "The Ceph cluster is in HEALTH_ERR or has too few OSDs up",
        description: `Ceph reports HEALTH_ERR, or fewer OSDs are up than the ${plan.copies} copies the pool keeps.`,
      },
      { for: plan.stackBudgetSeconds },
    ),
    rule(
      "HadbVolumeReplicasMissing",
      "warning",
      "sum(ceph_pg_total) - sum(ceph_pg_clean) > 0",
      {
        summary: "Ceph placement groups are not clean",
        description: `Some placement groups have had fewer than ${plan.copies} up-to-date copies for ${Math.ceil(plan.stackBudgetSeconds)} s (degraded, undersized or recovering).`,
      },
      { for: plan.stackBudgetSeconds },
    ),
  ];
}

function portworxRules(plan: MonitoringPlan): AlertRule[] {
  return [
    rule(
      "HadbStorageUnhealthy",
      "critical",
      `max(px_cluster_status_nodes_online) < ${plan.copies} or max(px_cluster_status_cluster_quorum) > 1`,
      {
        summary: "The Portworx cluster lost quorum or has too few nodes online",
        description: `Fewer Portworx nodes are online than the ${plan.copies} replicas of every volume, or the cluster has no quorum.`,
      },
      { for: plan.stackBudgetSeconds },
    ),
    rule(
      "HadbVolumeReplicasMissing",
      "warning",
      "px_volume_replication_status == 3",
      {
        summary: "A Portworx volume is degraded",
        description: `Portworx volume {{ $labels.volumename }} has had fewer than ${plan.copies} current replicas for ${Math.ceil(plan.stackBudgetSeconds)} s.`,
      },
      { for: plan.stackBudgetSeconds },
    ),
    rule("HadbVolumeFaulted", "critical", "px_volume_replication_status == 1", {
      summary: "A Portworx volume is out of quorum",
      description:
        "Portworx volume {{ $labels.volumename }} lost the quorum of its replicas: it is not writable.",
    }),
  ];
}

function iscsiRules(plan: MonitoringPlan): AlertRule[] {
  if (plan.copies >= 2 || plan.iscsiVolumes.length === 0) return [];
  const volumes = select({ persistentvolume: `~${plan.iscsiVolumes.join("|")}` });
  return [
    rule(
      "HadbSingleCopyStorage",
      "info",
      `count by (iscsi_target_portal, iscsi_iqn) (kube_persistentvolume_info${volumes}) > 0`,
      {
        summary: "Database volumes live on one iSCSI target",
        description: `Database volumes keep ${plan.copies} copy, on target {{ $labels.iscsi_iqn }} at {{ $labels.iscsi_target_portal }}: losing the target loses them, whatever Kubernetes does.`,
      },
    ),
  ];
}

function backupAgeExpr(plan: MonitoringPlan, evidence: BackupEvidence, maxAge: number): string {
  const ns = plan.namespace;
  if (evidence.kind === "longhorn-volume")
    // A volume younger than the limit is not expected to have a backup yet.
    return (
      `(time() - max(longhorn_volume_last_backup_at${select({ pvc_namespace: ns, pvc: evidence.claim })})) > ${maxAge}` +
      ` and on() (time() - max(kube_persistentvolumeclaim_created${select({ namespace: ns, persistentvolumeclaim: evidence.claim })})) > ${maxAge}`
    );
  const cronJob = select({ namespace: ns, cronjob: evidence.cronJob });
  return (
    `(time() - max(kube_cronjob_status_last_successful_time${cronJob})) > ${maxAge}` +
    ` or ((time() - max(kube_cronjob_created${cronJob})) > ${maxAge}` +
    ` unless on() max(kube_cronjob_status_last_successful_time${cronJob}))`
  );
}

function backupRules(plan: MonitoringPlan): AlertRule[] {
  return plan.databases.flatMap((database) => {
    const backup = database.backup;
    if (!backup) return [];
    const hours = backup.maxAgeSeconds / 3600;
    return [
      rule(
        "HadbBackupTooOld",
        "warning",
        backupAgeExpr(plan, backup.evidence, backup.maxAgeSeconds),
        {
          summary: `The newest backup of ${database.name} is older than twice its schedule`,
          description: `No successful off-cluster backup of ${plan.namespace}/${database.name} for ${hours} h, twice the longest gap of its schedule "${backup.schedule}".`,
        },
        { labels: { namespace: plan.namespace, database: database.name } },
      ),
    ];
  });
}

function disasterRecoveryRules(plan: MonitoringPlan): AlertRule[] {
  const dr = plan.disasterRecovery;
  if (dr?.kind === "longhorn-standby")
    return Object.entries(dr.volumes).map(([database, volume]) =>
      rule(
        "HadbDisasterRecoveryLag",
        "critical",
        `(time() - max(longhorn_volume_last_backup_at${select({ volume })})) > ${dr.rpoSeconds}`,
        {
          summary: `Standby of ${database} is further behind than its RPO`,
          description: `Standby volume ${volume} follows a primary backup older than ${dr.rpoSeconds} s, the RPO (the primary's longest backup gap + Longhorn's ${LONGHORN_BACKUPSTORE_POLL_SECONDS} s target poll): a failover now loses more than promised.`,
        },
        { labels: { database } },
      ),
    );
  if (dr?.kind === "px-dr")
    return [
      rule(
        "HadbDisasterRecoveryLag",
        "critical",
        "max(px_cluster_status_size) - max(px_cluster_status_nodes_online) > 0",
        {
          summary: "A member of the stretched Portworx cluster is down: RPO 0 does not hold",
          description: `Portworx nodes of the PX-DR Metro cluster have been offline for ${dr.intervalSeconds} s (one migration interval): volumes with a replica there are no longer copied synchronously to both sites.`,
        },
        { for: dr.intervalSeconds },
      ),
    ];
  return [];
}

const STORAGE_RULES: Record<MonitoringPlan["storage"], (plan: MonitoringPlan) => AlertRule[]> = {
  longhorn: longhornRules,
  "rook-ceph": cephRules,
  portworx: portworxRules,
  iscsi: iscsiRules,
};

/** The rule groups of a stack; groups without rules are left out. */
export function alertRuleGroups(plan: MonitoringPlan): RuleGroup[] {
  return [
    { name: "hadb-databases", rules: databaseRules(plan) },
    { name: "hadb-storage", rules: STORAGE_RULES[plan.storage](plan) },
    { name: "hadb-backups", rules: backupRules(plan) },
    { name: "hadb-disaster-recovery", rules: disasterRecoveryRules(plan) },
  ].filter((group) => group.rules.length > 0);
}
