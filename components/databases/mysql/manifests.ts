// Pure builders for one MySQL 8.4 database: single writer on its volume, durable commits, passwords
// only from the credentials Secret (re-applied at every start, see accounts.ts), private Service unless
// exposed with an allowlist.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { DatabaseSpec, MysqlSettings } from "../../config/types";
import { imageVersion, recommendedLabels, selectorLabels } from "../../shared/labels";
import { dataClaimName } from "../../shared/naming";
import { MYSQL_PORTS, MYSQL_UID } from "../catalog";
import { singleWriterDeployment, type SingleWriterDeployment } from "../deployment";
import { databaseService } from "../service";
import { dataClaim, type DataVolume } from "../volume";
import { CREDENTIALS_REVISION_ANNOTATION, CREDENTIALS_SECRET_ANNOTATIONS } from "../password";
import { MYSQL_START_SCRIPT } from "./accounts";

const DATA_MOUNT = "/var/lib/mysql";
/** A fresh ext4 volume (an iSCSI LUN) has lost+found at its root, which mysqld refuses as a data directory. */
export const DATA_SUB_PATH = "mysql";
const CONFIG_MOUNT = "/etc/mysql/conf.d";
const ACCOUNTS_MOUNT = "/etc/hadb/mysql";
export const SECRET_KEYS = {
  rootPassword: "root-password",
  password: "password",
  username: "username",
  /** The init file (accounts.ts) mysqld runs at every start on an initialised data directory. */
  accounts: "accounts.sql",
} as const;
/** Where mysqld reads the accounts init file. */
export const ACCOUNTS_FILE = `${ACCOUNTS_MOUNT}/${SECRET_KEYS.accounts}`;

export interface MysqlNames {
  namespace: string;
  deployment: string;
  service: string;
  claim: string;
  config: string;
  credentialsSecret: string;
}

export function mysqlNames(database: DatabaseSpec, namespace: string): MysqlNames {
  return {
    namespace,
    deployment: database.name,
    service: database.name,
    claim: dataClaimName(database.name),
    config: `${database.name}-config`,
    credentialsSecret: `${database.name}-credentials`,
  };
}

const settingsOf = (database: DatabaseSpec): MysqlSettings => {
  if (!database.mysql) throw new Error(`database ${database.name} has no MySQL settings`);
  return database.mysql;
};

const labelsOf = (database: DatabaseSpec, component: string) =>
  recommendedLabels({
    name: "mysql",
    instance: database.name,
    component,
    version: imageVersion(database.image),
  });

/**
 * Server settings. Durability is set explicitly rather than trusted to defaults: an acknowledged commit
 * is on disk (redo log flushed, binlog synced) before the client hears "OK", so a failover loses nothing acknowledged.
 */
export function mysqlServerConfig(): string {
  return [
    "[mysqld]",
    "innodb_flush_log_at_trx_commit=1",
    "sync_binlog=1",
    "# Clients connect by Service IP; reverse DNS lookups only slow logins down.",
    "skip_name_resolve=ON",
    "",
  ].join("\n");
}

export function mysqlConfigMap(database: DatabaseSpec, names: MysqlNames): k8s.types.input.core.v1.ConfigMap {
  return {
    metadata: { name: names.config, namespace: names.namespace, labels: labelsOf(database, "config") },
    data: { "hadb.cnf": mysqlServerConfig() },
  };
}

export function mysqlCredentialsSecret(
  database: DatabaseSpec,
  names: MysqlNames,
  passwords: { root: pulumi.Input<string>; app: pulumi.Input<string>; accountsSql: pulumi.Input<string> },
): k8s.types.input.core.v1.Secret {
  return {
    metadata: {
      name: names.credentialsSecret,
      namespace: names.namespace,
      labels: labelsOf(database, "credentials"),
      annotations: { ...CREDENTIALS_SECRET_ANNOTATIONS },
    },
    type: "Opaque",
    stringData: {
      [SECRET_KEYS.username]: settingsOf(database).user,
      [SECRET_KEYS.password]: passwords.app,
      [SECRET_KEYS.rootPassword]: passwords.root,
      [SECRET_KEYS.accounts]: passwords.accountsSql,
    },
  };
}

export function mysqlDataClaim(
  database: DatabaseSpec,
  names: MysqlNames,
  volume: DataVolume,
): k8s.types.input.core.v1.PersistentVolumeClaim {
  return dataClaim(
    database,
    { name: names.claim, namespace: names.namespace, labels: labelsOf(database, "data") },
    volume,
  );
}

const fromSecret = (names: MysqlNames, key: string) => ({
  secretKeyRef: { name: names.credentialsSecret, key },
});

export function mysqlDeployment(
  database: DatabaseSpec,
  names: MysqlNames,
  options: {
    evictionTolerationSeconds: number;
    /** Changes with the passwords (password.ts): a rotation restarts mysqld, which re-applies them. */
    credentialsRevision: pulumi.Input<string>;
  },
): SingleWriterDeployment {
  const settings = settingsOf(database);
  const selector = selectorLabels({ name: "mysql", instance: database.name });
  const labels = labelsOf(database, "database");
  // The local socket works during the image's initialisation (networking off) and afterwards.
  const ping = { exec: { command: ["mysqladmin", "ping", "--silent"] } };
  return singleWriterDeployment({
    metadata: { name: names.deployment, namespace: names.namespace, labels },
    selector,
    podAnnotations: { [CREDENTIALS_REVISION_ANNOTATION]: options.credentialsRevision },
    uid: MYSQL_UID,
    evictionTolerationSeconds: options.evictionTolerationSeconds,
    // mysqld flushes and stops cleanly on SIGTERM; crash recovery after a kill takes longer.
    terminationGracePeriodSeconds: 60,
    containers: [
      {
        name: "mysql",
        image: database.image,
        // The image's entrypoint, plus --init-file once the data directory exists (start.sh).
        command: [
          "/bin/sh",
          "-c",
          MYSQL_START_SCRIPT,
          "hadb-mysql-start",
          DATA_MOUNT,
          ACCOUNTS_FILE,
          "mysqld",
        ],
        env: [
          { name: "MYSQL_ROOT_PASSWORD", valueFrom: fromSecret(names, SECRET_KEYS.rootPassword) },
          { name: "MYSQL_DATABASE", value: settings.database },
          { name: "MYSQL_USER", value: settings.user },
          { name: "MYSQL_PASSWORD", valueFrom: fromSecret(names, SECRET_KEYS.password) },
        ],
        ports: [{ name: "mysql", containerPort: MYSQL_PORTS.mysql, protocol: "TCP" }],
        // First start initialises the data directory; after a crash InnoDB replays its redo log.
        startupProbe: { ...ping, periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 120 },
        // `mysqladmin ping` succeeds whenever mysqld answers, even without credentials.
        livenessProbe: { ...ping, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
        // Ready = a real query over TCP with real credentials (read from the Secret, never literal).
        readinessProbe: {
          exec: {
            command: [
              "sh",
              "-c",
              'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysql --protocol=TCP -h 127.0.0.1 -u root -e "SELECT 1"',
            ],
          },
          periodSeconds: 5,
          timeoutSeconds: 3,
          failureThreshold: 2,
        },
        resources: { requests: { ...database.resources.requests }, limits: { ...database.resources.limits } },
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
        volumeMounts: [
          { name: "data", mountPath: DATA_MOUNT, subPath: DATA_SUB_PATH },
          { name: "config", mountPath: CONFIG_MOUNT, readOnly: true },
          { name: "accounts", mountPath: ACCOUNTS_MOUNT, readOnly: true },
        ],
      },
    ],
    volumes: [
      { name: "data", persistentVolumeClaim: { claimName: names.claim } },
      { name: "config", configMap: { name: names.config } },
      {
        name: "accounts",
        // Only the init file, readable by mysqld's group (fsGroup) and no one else.
        secret: {
          secretName: names.credentialsSecret,
          items: [{ key: SECRET_KEYS.accounts, path: SECRET_KEYS.accounts }],
          defaultMode: 0o440,
        },
      },
    ],
  });
}

export function mysqlService(database: DatabaseSpec, names: MysqlNames): k8s.types.input.core.v1.Service {
  return databaseService(database, {
    name: names.service,
    namespace: names.namespace,
    labels: labelsOf(database, "database"),
    selector: selectorLabels({ name: "mysql", instance: database.name }),
    ports: MYSQL_PORTS,
  });
}
