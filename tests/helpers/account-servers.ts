// Real servers set up the way the upstream software sets up hadb's accounts (upstream-accounts.ts), for
// tests/app-accounts.test.ts. On loopback, free ports, temp dirs, tracked PIDs (local-db.ts).
// - PostgreSQL as PGO runs it: TLS on, pg_hba = a stand-in for PGO's mandatory superuser rule (scram on
//   the local socket instead of peer: the test is not the postgres OS user) + the cluster's rules as PGO
//   renders them; accounts by PGO's SQL, applied by the superuser over the socket.
// - MariaDB (Debian's; the stand-in for MySQL 8.4: no MySQL server package here) as the official image
//   runs it: mariadb-install-db stands in for `mysqld --initialize-insecure`, the entrypoint's account SQL
//   runs in bootstrap mode (instead of through its temporary server), and every start goes through
//   hadb's real container command (start.sh) with a stand-in `docker-entrypoint.sh` that execs mariadbd.
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Client } from "pg";
import { createConnection } from "mysql2/promise";
import {
  freePort,
  initMariadb,
  initPostgres,
  mariadbServerArgs,
  postgresServerArgs,
  type MariadbTools,
  ownedTempDir,
  type PostgresTools,
  removeTempDir,
  runAsFor,
  runChecked,
  ServerProcess,
  withPgClient,
  writeOwned,
} from "./local-db";
import {
  mysqlEntrypointSetupSql,
  pgoDatabaseStatements,
  pgoHbaRules,
  pgoSchemaStatements,
  pgoUserStatements,
  type PostgresClusterAccounts,
} from "./upstream-accounts";

export interface PgoLikeServer {
  port: number;
  /** The server certificate (self-signed for 127.0.0.1): clients verify against it. */
  ca: string;
  /** Runs `action` as the superuser over the local socket. */
  asSuperuser<T>(database: string, action: (client: Client) => Promise<T>): Promise<T>;
  /** What PGO does for a cluster and its user Secrets' verifiers: databases, users, schemas, pg_hba. */
  reconcile(cluster: PostgresClusterAccounts, verifiers: Record<string, string>): Promise<void>;
  dispose(): Promise<void>;
}

export async function startPgoLikePostgres(tools: PostgresTools, superuserPassword: string) {
  const runAs = runAsFor("postgres");
  const base = ownedTempDir("hadb-accounts-pg-", runAs);
  const data = join(base, "data");
  const port = await freePort();
  writeOwned(join(base, "pwfile"), `${superuserPassword}\n`, runAs);
  initPostgres(tools, data, "postgres", join(base, "pwfile"), runAs);
  const [certificate, key] = [join(base, "server.crt"), join(base, "server.key")];
  runChecked(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=hadb-test"].concat([
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      key,
      "-out",
      certificate,
    ]),
    runAs,
  );
  chmodSync(key, 0o600);
  const hbaFile = join(base, "pg_hba.conf");
  // PGO's mandatory `local all "postgres" peer`, with a password instead of peer (see the header).
  const mandatory = ['local all "postgres" scram-sha-256'];
  writeOwned(hbaFile, `${mandatory.join("\n")}\n`, runAs);
  const server = new ServerProcess(
    "postgres",
    tools.postgres,
    postgresServerArgs(data, port, base, {
      ssl: "on",
      ssl_cert_file: certificate,
      ssl_key_file: key,
      hba_file: hbaFile,
    }),
    runAs,
    "SIGINT",
  );
  const asSuperuser = <T>(database: string, action: (client: Client) => Promise<T>): Promise<T> =>
    withPgClient({ host: base, port, user: "postgres", password: superuserPassword, database }, action);
  await server.start(() =>
    asSuperuser("postgres", (client) => client.query("SELECT 1")).then(() => undefined),
  );
  const run = async (client: Client, format: string, args: string[]) => {
    const { rows } = await client.query<{ sql: string }>(
      "SELECT pg_catalog.format($1::text, VARIADIC $2::text[]) AS sql",
      [format, args],
    );
    await client.query(rows[0]?.sql ?? "");
  };
  // One server stands in for several clusters' (each its own server in PGO): their rules side by side.
  const rulesByCluster = new Map<string, string[]>();
  const reconcile = async (cluster: PostgresClusterAccounts, verifiers: Record<string, string>) => {
    await asSuperuser("postgres", async (client) => {
      await client.query("SET search_path TO ''");
      for (const { format, args } of pgoDatabaseStatements(cluster)) {
        const exists = await client.query("SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1", args);
        if (exists.rowCount === 0) await run(client, format, args);
      }
      const users = pgoUserStatements(cluster, verifiers);
      await client.query("SET synchronous_commit = LOCAL");
      await client.query("BEGIN");
      for (const user of users.createIfMissing) {
        const exists = await client.query("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1", [user]);
        if (exists.rowCount === 0) await run(client, "CREATE USER %I", [user]);
      }
      for (const { format, args } of users.statements) await run(client, format, args);
      await client.query("COMMIT");
    });
    for (const { database, user } of pgoSchemaStatements(cluster)) {
      await asSuperuser(database, async (client) => {
        await client.query("SET client_min_messages = WARNING");
        await client.query("SET synchronous_commit = LOCAL");
        await run(client, "CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I", [user, user]);
      });
    }
    rulesByCluster.set(cluster.metadata.name, pgoHbaRules(cluster));
    writeOwned(hbaFile, `${[...mandatory, ...[...rulesByCluster.values()].flat()].join("\n")}\n`, runAs);
    await asSuperuser("postgres", (client) => client.query("SELECT pg_catalog.pg_reload_conf()"));
  };
  return {
    port,
    ca: readFileSync(certificate, "utf8"),
    asSuperuser,
    reconcile,
    dispose: async () => {
      await server.stop();
      removeTempDir(base);
    },
  } satisfies PgoLikeServer;
}

export interface ImageLikeMysql {
  port: number;
  /** Starts mysqld through `command` (the Deployment's, paths mapped to the test's) with `initFile`. */
  start(command: string[], initFile: string, rootPassword: string): Promise<void>;
  stop(): Promise<void>;
  /** Starts it the way the image alone would on an initialised data directory (no init file). */
  startWithoutHadb(rootPassword: string): Promise<void>;
  /** Runs SQL as root over TCP. */
  asRoot(rootPassword: string, sql: string): Promise<void>;
  dispose(): Promise<void>;
}

/** Data directory and accounts file of the pod, as mounted (mysql/manifests.ts). */
export const POD_PATHS = { dataDirectory: "/var/lib/mysql", accountsFile: "/etc/hadb/mysql/accounts.sql" };

export async function startImageLikeMariadb(
  tools: MariadbTools,
  entrypointEnv: Record<string, string>,
): Promise<ImageLikeMysql> {
  const runAs = runAsFor("mysql");
  const base = ownedTempDir("hadb-accounts-mariadb-", runAs);
  const data = join(base, "data");
  const port = await freePort();
  // Stands in for `mysqld --initialize-insecure` and the entrypoint's temporary server (bootstrap mode).
  initMariadb(
    tools,
    data,
    "normal",
    [
      // mariadb-install-db also makes root@127.0.0.1, root@::1, root@<host> and the OS user's account;
      // `mysqld --initialize-insecure` makes root@localhost only (plus locked system accounts).
      "DELETE FROM mysql.global_priv WHERE NOT (User = 'root' AND Host = 'localhost') AND User <> 'mariadb.sys';",
      "FLUSH PRIVILEGES;",
      ...mysqlEntrypointSetupSql(entrypointEnv),
    ],
    runAs,
  );
  const bin = join(base, "bin");
  mkdirSync(bin);
  const mysqld = [tools.server, ...mariadbServerArgs(data, base, port)];
  const entrypoint = join(bin, "docker-entrypoint.sh");
  writeFileSync(
    entrypoint,
    [
      "#!/bin/sh",
      "# Stand-in for the image's entrypoint on an initialised data directory: mysqld with the given options.",
      'if [ "$1" = mysqld ]; then shift; fi',
      `exec ${mysqld.join(" ")} "$@"`,
      "",
    ].join("\n"),
    { mode: 0o755 },
  );
  if (runAs) chownSync(bin, runAs.uid, runAs.gid);
  const env = { PATH: `${bin}:/usr/sbin:/usr/bin:/bin` };
  let server: ServerProcess | undefined;
  const rootLogin = (password: string) => ({
    host: "127.0.0.1",
    port,
    user: "root",
    password,
    database: "mysql",
  });
  const ready = (rootPassword: string) => async () => {
    const connection = await createConnection({ ...rootLogin(rootPassword), connectTimeout: 2_000 });
    connection.destroy();
  };
  const launch = async (command: string, args: string[], rootPassword: string) => {
    if (server?.running) throw new Error("mariadbd is already running");
    server = new ServerProcess("mariadbd", command, args, runAs, "SIGTERM", env);
    await server.start(ready(rootPassword));
  };
  return {
    port,
    start: async (command, initFile, rootPassword) => {
      const accounts = join(base, "accounts.sql");
      writeOwned(accounts, initFile, runAs);
      const mapped = command.map((part) =>
        part === POD_PATHS.dataDirectory ? data : part === POD_PATHS.accountsFile ? accounts : part,
      );
      const [program, ...args] = mapped;
      if (!program) throw new Error("empty container command");
      await launch(program, args, rootPassword);
    },
    startWithoutHadb: (rootPassword) => launch(entrypoint, ["mysqld"], rootPassword),
    stop: async () => server?.stop(),
    asRoot: async (rootPassword, sql) => {
      const connection = await createConnection({ ...rootLogin(rootPassword), multipleStatements: true });
      try {
        await connection.query(sql);
      } finally {
        connection.destroy();
      }
    },
    dispose: async () => {
      await server?.stop();
      removeTempDir(base);
    },
  };
}
