// Every stack output, whether it is secret, and what it holds: typed against HadbOutputs so a new output
// cannot ship undocumented. docs/outputs.md's table is generated from it and tests/stacks.test.ts checks
// every stack exports exactly these keys, secret where it says so.
import type { HadbOutputs } from "../stack";
import type { DatabaseConnection, DatabaseOutput } from "./databases";

export interface OutputSpec {
  secret: boolean;
  /** When the value is null instead of an object or string. */
  nullWhen?: string;
  description: string;
}

export const STACK_OUTPUTS: Record<keyof HadbOutputs, OutputSpec> = {
  databases: {
    secret: false,
    description:
      "per database: engine, namespace, in-cluster host, port(s), account, database, Secret names, exposure",
  },
  databaseConnections: {
    secret: true,
    description: "per database: host, port, username, password, database, `uri`, `jdbcUrl`, `external`",
  },
  databasePasswords: { secret: true, description: "per database: the application account's password" },
  failoverBudget: {
    secret: false,
    description: "per database and failure: worst-case `totalSeconds` and its `steps`",
  },
  storageClassName: { secret: false, description: "StorageClass of the database volumes" },
  namespace: { secret: false, description: "namespace of the databases" },
  cluster: {
    secret: false,
    description: "`platform`, `name`, `region`, `zones`, `nodeCount`, `nodeImage` (null where unknown)",
  },
  kubeconfig: {
    secret: true,
    nullWhen: "the stack uses the ambient kubeconfig",
    description: "the cluster hadb created, or the `hadb:kubeconfig` it was given",
  },
  storageRunbook: {
    secret: false,
    nullWhen: "not Rook-Ceph or iSCSI",
    description: "commands for a node lost for good",
  },
  snapshotClassName: {
    secret: false,
    nullWhen: "the cluster serves no VolumeSnapshots for the backend",
    description: "the backend's VolumeSnapshotClass",
  },
  backups: {
    secret: false,
    nullWhen: "backups are off",
    description: "schedules, retention, target and per-database consistency",
  },
  backupStore: {
    secret: false,
    nullWhen: "backups are off, or go to an NFS export (existing, vagrant)",
    description: "`kind`, `bucket`, `region`, `endpoint` (no credentials)",
  },
  resticPassword: {
    secret: true,
    nullWhen: "no restic copies (only Rook-Ceph/Portworx backups make them)",
    description: "the key of the restic repositories",
  },
  disasterRecovery: {
    secret: false,
    nullWhen: "not a site of a DR pair",
    description: "what a primary publishes, or how a standby follows (`role` tells which)",
  },
  disasterRecoverySecrets: {
    secret: true,
    nullWhen: "not a DR primary",
    description: "backup-target credentials and every database credential",
  },
  monitoring: {
    secret: false,
    nullWhen: "hadb:monitoring is off",
    description: "`mode`, alert names by group, `dashboard`, `grafana` access ([monitoring](monitoring.md))",
  },
  grafanaAdminPassword: {
    secret: true,
    nullWhen: "monitoring is not `install`",
    description: "Grafana's generated admin password (user `admin`)",
  },
};

// Record<keyof ..., true>: a key added to the type but not here fails to compile.
const DATABASE_OUTPUT_FIELDS: Record<keyof DatabaseOutput, true> = {
  engine: true,
  namespace: true,
  host: true,
  port: true,
  ports: true,
  username: true,
  database: true,
  credentialsSecret: true,
  exposure: true,
  consumerSecrets: true,
};
const DATABASE_CONNECTION_FIELDS: Record<keyof DatabaseConnection, true> = {
  host: true,
  port: true,
  uri: true,
  jdbcUrl: true,
  username: true,
  password: true,
  database: true,
  external: true,
};

/** The keys of each `databases` entry. */
export const DATABASE_OUTPUT_KEYS = Object.keys(DATABASE_OUTPUT_FIELDS).sort();
/** The keys of each `databaseConnections` entry. */
export const DATABASE_CONNECTION_KEYS = Object.keys(DATABASE_CONNECTION_FIELDS).sort();
