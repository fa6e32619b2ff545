// The mysqld_exporter's account against a real server: the exporter Deployment's init step (its command
// and environment as hadb renders them) run against MariaDB set up the way the official MySQL image sets
// up hadb's accounts (the stand-in for MySQL 8.4, tests/helpers/account-servers.ts), then what the
// exporter can and cannot do with the account it made.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { createConnection } from "mysql2/promise";
import * as pulumi from "@pulumi/pulumi";
import { configFromMap } from "../components/config/load";
import type { DatabaseSpec } from "../components/config/types";
import { mysqlAccountsSql } from "../components/databases/mysql/accounts";
import { mysqlCredentialsSecret, mysqlDeployment, mysqlNames } from "../components/databases/mysql/manifests";
import { EXPORTER_USER, mysqldExporter } from "../components/monitoring/mysql-exporter";
import { type ImageLikeMysql, startImageLikeMariadb } from "./helpers/account-servers";
import { findMariadb, requireInstalled } from "./helpers/local-db";
import { resolvedEnv } from "./helpers/upstream-accounts";

const run = promisify(execFile);
/** Like the stack's RandomPassword for the exporter (length 32, special: false). */
const exporterPassword = (): string => randomBytes(24).toString("hex").slice(0, 32);
const rootPassword = (): string => randomBytes(24).toString("base64url");
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
const plain = <T>(value: unknown): T => JSON.parse(JSON.stringify(value)) as T;

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef: { name: string; key: string } };
}
interface Container {
  command: string[];
  env: EnvVar[];
}

// Present, or a skip of the whole suite (a failure in CI, where .ci/run installs it).
const tools = requireInstalled(findMariadb(), "mariadb-server");

describe(
  "MySQL exporter account (MariaDB stand-in, the exporter pod's init step run for real)",
  { skip: tools ? false : "mariadb-server is not installed" },
  () => {
    const [database] = configFromMap({
      "hadb:databases": JSON.stringify([{ engine: "mysql", name: "orders" }]),
    }).databases as [DatabaseSpec];
    const settings = database.mysql ?? assert.fail();
    const names = mysqlNames(database, "hadb");
    const root = rootPassword();
    let server: ImageLikeMysql | undefined;

    const init = plain<{ spec: { template: { spec: { initContainers: Container[] } } } }>(
      mysqldExporter({
        database: database.name,
        image: "mysql:8.4",
        endpoint: {
          engine: "mysql",
          namespace: "hadb",
          host: "orders.hadb.svc.cluster.local",
          ports: { mysql: 3306 },
          username: settings.user,
          credentialsSecret: names.credentialsSecret,
          password: pulumi.secret("unused"),
          credentials: {},
          externalAddress: pulumi.output(null),
        },
        nodeSelector: undefined,
      }),
    ).spec.template.spec.initContainers[0];

    /** Runs the init step's command with its environment, Secrets resolved, the Service mapped to the test's. */
    async function runAccountStep(password: string, secretRoot = root): Promise<string> {
      assert.ok(init && server);
      const env: Record<string, string> = { PATH: "/usr/bin:/bin" };
      for (const variable of init.env) {
        const ref = variable.valueFrom?.secretKeyRef;
        env[variable.name] = ref
          ? ref.key === "password" && ref.name.endsWith("-exporter")
            ? password
            : secretRoot
          : (variable.value ?? "");
      }
      env.HADB_MYSQL_HOST = "127.0.0.1";
      env.HADB_MYSQL_PORT = String(server.port);
      env.HADB_WAIT_SECONDS = "20";
      const [program, ...args] = init.command;
      assert.ok(program);
      const { stdout } = await run(program, args, { env, timeout: 60_000 });
      return stdout;
    }

    const asExporter = async <T>(
      password: string,
      action: (c: Awaited<ReturnType<typeof createConnection>>) => Promise<T>,
    ): Promise<T> => {
      assert.ok(server);
      const connection = await createConnection({
        host: "127.0.0.1",
        port: server.port,
        user: EXPORTER_USER,
        password,
        connectTimeout: 5_000,
      });
      connection.on("error", () => undefined);
      try {
        return await action(connection);
      } finally {
        connection.destroy();
      }
    };

    before(async () => {
      if (!tools) return;
      const app = rootPassword();
      const container = plain<{ spec: { template: { spec: { containers: { command: string[] }[] } } } }>(
        mysqlDeployment(database, names, { evictionTolerationSeconds: 15, credentialsRevision: "" }),
      ).spec.template.spec.containers[0];
      assert.ok(container);
      const secret = plain<{ stringData: Record<string, string> }>(
        mysqlCredentialsSecret(database, names, {
          root,
          app,
          accountsSql: mysqlAccountsSql(settings, { root, app }),
        }),
      ).stringData;
      server = await startImageLikeMariadb(tools, resolvedEnv(container as never, secret));
      await server.start(container.command, secret["accounts.sql"] ?? "", root);
      await server.asRoot(
        root,
        `CREATE TABLE \`${settings.database}\`.customers (id INT); INSERT INTO \`${settings.database}\`.customers VALUES (1)`,
      );
    });
    after(async () => server?.dispose());

    it("creates the account and reads what hadb's rules and dashboard need", async () => {
      const password = exporterPassword();
      assert.match(await runAccountStep(password), /ready on 127\.0\.0\.1/);
      await asExporter(password, async (c) => {
        const [status] = await c.query(
          "SHOW GLOBAL STATUS WHERE Variable_name IN ('Uptime', 'Threads_connected')",
        );
        assert.equal((status as unknown[]).length, 2);
        // PROCESS: the InnoDB and processlist collectors; performance_schema: its collectors.
        await c.query("SELECT COUNT(*) FROM information_schema.PROCESSLIST");
        await c.query("SELECT COUNT(*) FROM performance_schema.events_statements_summary_by_digest");
      });
    });

    it("reads no application data and changes nothing", async () => {
      const password = exporterPassword();
      await runAccountStep(password);
      await asExporter(password, async (c) => {
        await assert.rejects(c.query(`SELECT * FROM \`${settings.database}\`.customers`), /denied/);
        await assert.rejects(c.query("SELECT * FROM mysql.user"), /denied/);
        await assert.rejects(c.query(`CREATE TABLE \`${settings.database}\`.x (id INT)`), /denied/);
        await assert.rejects(c.query(`CREATE USER 'other'@'%'`), /denied/);
      });
    });

    it("a new password replaces the old one at the next pod start, and reruns change nothing else", async () => {
      const old = exporterPassword();
      await runAccountStep(old);
      const current = exporterPassword();
      await runAccountStep(current);
      await runAccountStep(current);
      await assert.rejects(
        asExporter(old, (c) => c.query("SELECT 1")),
        /denied/,
      );
      await asExporter(current, (c) => c.query("SELECT 1"));
    });

    it("holds at most 3 connections, so a stuck exporter cannot exhaust the server's", async () => {
      const password = exporterPassword();
      await runAccountStep(password);
      await asExporter(password, (a) =>
        asExporter(password, (b) =>
          asExporter(password, async () => {
            await assert.rejects(
              asExporter(password, (d) => d.query("SELECT 1")),
              /max_user_connections/i,
            );
            await Promise.all([a.query("SELECT 1"), b.query("SELECT 1")]);
          }),
        ),
      );
    });

    it("refuses a password the script could not quote, before touching the server", async () => {
      await assert.rejects(runAccountStep("x'; DROP USER root; --"), /letters, digits and _/);
    });

    it("fails with the server's answer when root's password is wrong", async () => {
      await assert.rejects(
        runAccountStep(exporterPassword(), "wrong"),
        /did not let root in within 20 s: .*Access denied for user .root./,
      );
    });
  },
);
