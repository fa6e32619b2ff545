// `hadb:disasterRecovery`: this stack is one site of a primary/standby pair. Checks what one stack's
// config can decide; what needs both stacks (same Portworx cluster, distinct domains) is checked
// against the primary's outputs in protection/dr/pairing.ts.
import { isRecord, oneOf, Problems } from "./problems";
import { DISASTER_RECOVERY_BACKENDS, STORAGE_CATALOG } from "../storage/catalog";
import {
  DISASTER_RECOVERY_ROLES,
  type BackupSettings,
  type DatabaseSpec,
  type DisasterRecoverySettings,
  type PortworxSettings,
  type StorageBackend,
} from "./types";

const DR_KEYS = ["role", "primaryStack", "intervalMinutes"];
/** Pulumi stack names as a StackReference takes them: "stack", "project/stack" or "org/project/stack". */
const STACK_NAME = /^([A-Za-z0-9][A-Za-z0-9_.-]*\/){0,2}[A-Za-z0-9][A-Za-z0-9_.-]*$/;
export const DEFAULT_DR_INTERVAL_MINUTES = 5;

export function readDisasterRecovery(
  problems: Problems,
  key: string,
  value: unknown,
  context: {
    storage: StorageBackend;
    portworx: PortworxSettings | undefined;
    backups: BackupSettings;
    databases: DatabaseSpec[];
    /** hadb:databases was set in this stack's config. */
    databasesSet: boolean;
    /** cloud existing without hadb:kubeconfig: the cluster's address is unknown to the program. */
    ambientKubeconfig: boolean;
  },
): DisasterRecoverySettings | undefined {
  if (isRecord(value) && Object.keys(value).length === 0) return undefined;
  if (!isRecord(value)) {
    problems.add(key, value, 'must be an object like {role: "standby", primaryStack: "acme/hadb/primary"}');
    return undefined;
  }
  problems.unknownKeys(key, value, DR_KEYS);
  const role = problems.choice(`${key}.role`, value.role, DISASTER_RECOVERY_ROLES, {}, "primary");
  const intervalMinutes =
    value.intervalMinutes === undefined
      ? DEFAULT_DR_INTERVAL_MINUTES
      : problems.integer(
          `${key}.intervalMinutes`,
          value.intervalMinutes,
          1,
          1440,
          DEFAULT_DR_INTERVAL_MINUTES,
        );
  const { storage } = context;
  const mode = STORAGE_CATALOG[storage].disasterRecovery;
  if (mode === undefined)
    problems.add(
      "hadb:storage",
      storage,
      `has no disaster-recovery mode in hadb; with hadb:disasterRecovery use ${oneOf(DISASTER_RECOVERY_BACKENDS)}`,
    );
  if (mode === "px-dr") {
    checkPortworxSite(problems, context.portworx);
    if (context.ambientKubeconfig)
      problems.add(
        "hadb:kubeconfig",
        undefined,
        "is required for a PX-DR site on cloud existing: each site's ClusterPair needs the other's API address (set it with --secret)",
      );
  }
  const settings: DisasterRecoverySettings =
    role === "standby"
      ? {
          role,
          primaryStack: readPrimaryStack(problems, `${key}.primaryStack`, value.primaryStack),
          intervalMinutes,
        }
      : { role, intervalMinutes };
  if (role === "primary" && value.primaryStack !== undefined)
    problems.add(
      `${key}.primaryStack`,
      value.primaryStack,
      'only applies to role "standby" (the standby reads the primary, never the reverse)',
    );
  if (role === "primary" && mode === "longhorn-dr-volumes" && !context.backups.enabled)
    problems.add(
      "hadb:backups.enabled",
      false,
      "must be true on a Longhorn DR primary: the standby's volumes restore from its backups",
    );
  if (role === "standby") {
    if (context.databasesSet && context.databases.length > 0)
      problems.add(
        "hadb:databases",
        context.databases.map((database) => database.name),
        "must stay unset on a standby: its databases are the primary's (read through hadb:disasterRecovery.primaryStack)",
      );
    if (context.backups.enabled)
      problems.add(
        "hadb:backups.enabled",
        true,
        "must be false on a standby: it has no writer to back up; enable backups when you promote it to primary",
      );
  }
  return settings;
}

function readPrimaryStack(problems: Problems, key: string, value: unknown): string {
  if (value === undefined) {
    problems.add(
      key,
      value,
      'is required for role "standby": the primary\'s stack as "org/project/stack" (the standby reads its outputs by StackReference)',
    );
    return "";
  }
  return (
    problems.string(
      key,
      value,
      STACK_NAME,
      'must be a stack name: "stack", "project/stack" or "org/project/stack"',
    ) ?? ""
  );
}

/** PX-DR stretches one Portworx cluster over both sites: shared external etcd, one domain per site. */
function checkPortworxSite(problems: Problems, portworx: PortworxSettings | undefined): void {
  if (!portworx) return;
  if (!portworx.kvdbEndpoints)
    problems.add(
      "hadb:portworx.kvdb",
      undefined,
      'is required with hadb:disasterRecovery: PX-DR forbids the internal KVDB; give {endpoints: ["etcd:https://host:2379"]}, an etcd both sites reach',
    );
  if (!portworx.clusterDomain)
    problems.add(
      "hadb:portworx.clusterDomain",
      undefined,
      "is required with hadb:disasterRecovery: each site is its own cluster domain, e.g. site-a and site-b",
    );
}

/** Without a DR pair, a cluster domain means nothing: refuse it instead of silently ignoring it. */
export function checkDomainWithoutPair(problems: Problems, portworx: PortworxSettings | undefined): void {
  if (portworx?.clusterDomain !== undefined)
    problems.add(
      "hadb:portworx.clusterDomain",
      portworx.clusterDomain,
      "only applies with hadb:disasterRecovery (a PX-DR pair)",
    );
}
