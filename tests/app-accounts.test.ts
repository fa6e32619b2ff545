// Application accounts against real servers: what hadb's manifests make the upstream software do
// (tests/helpers/upstream-accounts.ts), replayed on Debian's PostgreSQL and MariaDB (the stand-in for
// MySQL 8.4), then the smoke checks of tools/smoke/app-account.ts. Each fix has a control beside it:
// the same check against what upstream does without hadb's fix fails.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { configFromMap } from "../components/config/load";
import type { DatabaseSpec } from "../components/config/types";
import { PASSWORD_ALPHABET } from "../components/databases/password";
import { mysqlAccountsSql } from "../components/databases/mysql/accounts";
import { mysqlCredentialsSecret, mysqlDeployment, mysqlNames } from "../components/databases/mysql/manifests";
import {
  postgresCluster,
  postgresNames,
  postgresUserSecret,
} from "../components/databases/postgres/manifests";
import { scramSha256Verifier } from "../components/databases/postgres/scram";
import {
  appCannotReachOtherDatabase,
  appCannotTouchAccounts,
  appOwnsItsTables,
  type CheckResult,
  type Login,
  mysqlConnect,
  passwordRotated,
  postgresConnect,
} from "../tools/smoke/app-account";
import {
  type ImageLikeMysql,
  type PgoLikeServer,
  startImageLikeMariadb,
  startPgoLikePostgres,
} from "./helpers/account-servers";
import { findMariadb, findPostgres, requireInstalled } from "./helpers/local-db";
import {
  mysqlEntrypointSetupSql,
  type PostgresClusterAccounts,
  resolvedEnv,
} from "./helpers/upstream-accounts";

/** A password like @pulumi/random's for hadb (letters, digits, "-", "_"). */
const password = (): string => randomBytes(24).toString("base64url");
const salt = (): string => randomBytes(16).toString("base64");
/** Builders return Pulumi input types; the tests read them as plain JSON of the shape they need. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
const plain = <T>(value: unknown): T => JSON.parse(JSON.stringify(value)) as T;

const passes = (result: CheckResult) => {
  assert.ok(result.ok, `${result.check}: ${result.detail}`);
};
const fails = (result: CheckResult) => {
  assert.ok(!result.ok, `${result.check} passed: ${result.detail}`);
};

function entry(values: Record<string, unknown>): DatabaseSpec {
  const [database] = configFromMap({ "hadb:databases": JSON.stringify([values]) }).databases;
  assert.ok(database);
  return database;
}

describe("MySQL application account (MariaDB stand-in, official image's setup)", () => {
  const tools = requireInstalled(findMariadb(), "mariadb-server");
  // The entry name has a "-": the database becomes shop_db, whose "_" the grant must escape.
  const database = entry({ engine: "mysql", name: "shop-db" });
  const settings = database.mysql ?? assert.fail();
  const names = mysqlNames(database, "hadb");
  const container = plain<{ spec: { template: { spec: { containers: any[] } } } }>(
    mysqlDeployment(database, names, { evictionTolerationSeconds: 15, credentialsRevision: "" }),
  ).spec.template.spec.containers[0];
  const secretOf = (root: string, app: string) =>
    plain<{ stringData: Record<string, string> }>(
      mysqlCredentialsSecret(database, names, {
        root,
        app,
        accountsSql: mysqlAccountsSql(settings, { root, app }),
      }),
    ).stringData;
  const first = { root: password(), app: password() };
  let server: ImageLikeMysql | undefined;
  let connect: ReturnType<typeof mysqlConnect>;
  const app = (pass: string): Login => ({ user: settings.user, password: pass, database: settings.database });

  before(async () => {
    if (!tools) return;
    const secret = secretOf(first.root, first.app);
    server = await startImageLikeMariadb(tools, resolvedEnv(container, secret));
    await server.start(container.command, secret["accounts.sql"] ?? "", first.root);
    connect = mysqlConnect("127.0.0.1", server.port);
    // Another application's database, which this one must not reach; its name matches `shop_db` with
    // "_" read as the wildcard a database-level grant would make of it unescaped.
    await server.asRoot(first.root, "CREATE DATABASE shopxdb; CREATE TABLE shopxdb.secrets (id INT)");
  });
  after(async () => server?.dispose());

  it("the entry named after the engine gets database app, never the grant tables' schema", () => {
    assert.deepEqual(entry({ engine: "mysql", name: "mysql" }).mysql, { database: "app", user: "app" });
    assert.equal(settings.database, "shop_db");
  });

  it("the application user creates, alters, writes, reads and drops a table in its database", async (t) => {
    if (!server) {
      t.skip("mariadb-server not installed");
      return;
    }
    passes(await appOwnsItsTables("mysql", connect, app(first.app)));
  });

  it("it cannot read or change accounts and grants, nor create databases", async (t) => {
    if (!server) {
      t.skip("mariadb-server not installed");
      return;
    }
    passes(await appCannotTouchAccounts("mysql", connect, app(first.app)));
  });

  it("it cannot reach another database or its tables", async (t) => {
    if (!server) {
      t.skip("mariadb-server not installed");
      return;
    }
    passes(
      await appCannotReachOtherDatabase("mysql", connect, app(first.app), {
        database: "shopxdb",
        table: "secrets",
      }),
    );
  });

  it("control: the user the entrypoint makes for MYSQL_DATABASE=mysql can read the grant tables", async (t) => {
    if (!server) {
      t.skip("mariadb-server not installed");
      return;
    }
    const legacy = { user: "legacy", password: password() };
    const statements = mysqlEntrypointSetupSql({
      MYSQL_ROOT_PASSWORD: first.root,
      MYSQL_DATABASE: "mysql",
      MYSQL_USER: legacy.user,
      MYSQL_PASSWORD: legacy.password,
    }).filter((statement) => statement.includes("'legacy'"));
    assert.equal(statements.length, 2, "CREATE USER and GRANT ALL ON `mysql`.*");
    await server.asRoot(first.root, statements.join("\n"));
    const result = await appCannotTouchAccounts("mysql", connect, { ...legacy, database: "mysql" });
    fails(result);
    assert.match(result.detail, /SELECT user, host FROM mysql.user succeeded/);
  });

  it("rotation: a new Secret reaches the server at the next start, the old passwords stop working, data stays", async (t) => {
    if (!server) {
      t.skip("mariadb-server not installed");
      return;
    }
    await server.asRoot(
      first.root,
      "CREATE TABLE shop_db.kept (id INT); INSERT INTO shop_db.kept VALUES (42)",
    );
    const next = { root: password(), app: password() };
    const secret = secretOf(next.root, next.app);

    // Control: the image alone (no init file) keeps the passwords of the first start.
    await server.stop();
    await server.startWithoutHadb(first.root);
    fails(await passwordRotated("mysql", connect, app(next.app), first.app));

    // hadb's container command re-applies the accounts from the new Secret.
    await server.stop();
    await server.start(container.command, secret["accounts.sql"] ?? "", next.root);
    passes(await passwordRotated("mysql", connect, app(next.app), first.app));
    const root = { user: "root", password: next.root, database: "mysql" };
    passes(await passwordRotated("mysql", connect, root, first.root));
    const session = await connect(app(next.app));
    assert.deepEqual(await session.query("SELECT id FROM kept"), [{ id: 42 }]);
    await session.close();
    passes(await appOwnsItsTables("mysql", connect, app(next.app)));
  });

  it("generated passwords need no quoting in the init file (and quotes would be escaped)", () => {
    assert.match(first.app, PASSWORD_ALPHABET);
    const sql = mysqlAccountsSql(settings, { root: "r'oot\\", app: "a" });
    assert.match(sql, /IDENTIFIED BY 'r\\'oot\\\\';/);
    assert.ok(
      sql.split("\n").every((line) => line === "" || line.endsWith(";")),
      "one statement per line",
    );
  });
});

describe("PostgreSQL application account (PGO 5.8's SQL and pg_hba)", () => {
  const tools = requireInstalled(findPostgres(), "postgresql");
  // A user with a "-": PGO quotes it everywhere; the schema is named after it.
  const database = entry({ engine: "postgres", name: "billing", postgres: { user: "billing-app" } });
  const settings = database.postgres ?? assert.fail();
  const names = postgresNames(database, "hadb");
  const clusterOf = (spec: DatabaseSpec) =>
    plain<PostgresClusterAccounts>(
      postgresCluster(spec, postgresNames(spec, "hadb"), {
        storageClassName: "hadb-longhorn",
        evictionTolerationSeconds: 15,
        nodeSelector: undefined,
      }),
    );
  const cluster = clusterOf(database);
  const verifierOf = (pass: string) =>
    plain<{ stringData: { verifier: string } }>(
      postgresUserSecret(database, names, { password: pass, verifier: scramSha256Verifier(pass, salt()) }),
    ).stringData.verifier;
  const first = password();
  let server: PgoLikeServer | undefined;
  let connect: ReturnType<typeof postgresConnect>;
  const app = (pass: string): Login => ({ user: settings.user, password: pass, database: settings.database });

  before(async () => {
    if (!tools) return;
    server = await startPgoLikePostgres(tools, password());
    connect = postgresConnect("127.0.0.1", server.port, { ca: server.ca });
    await server.reconcile(cluster, { [settings.user]: verifierOf(first) });
  });
  after(async () => server?.dispose());

  it("the application user creates, alters, writes, reads and drops a table (in its own schema)", async (t) => {
    if (!server) {
      t.skip("postgresql not installed");
      return;
    }
    passes(await appOwnsItsTables("postgres", connect, app(first)));
  });

  it("it cannot read or change roles, nor create databases", async (t) => {
    if (!server) {
      t.skip("postgresql not installed");
      return;
    }
    passes(await appCannotTouchAccounts("postgres", connect, app(first)));
  });

  it("it reaches no other database, and its own only over TLS", async (t) => {
    if (!server) {
      t.skip("postgresql not installed");
      return;
    }
    passes(await appCannotReachOtherDatabase("postgres", connect, app(first), { database: "postgres" }));
    const cleartext = postgresConnect("127.0.0.1", server.port, false);
    fails(await appOwnsItsTables("postgres", cleartext, app(first)));
  });

  it("control: without the autoCreateUserSchema annotation, PGO's grants leave the user no place for a table", async (t) => {
    if (!server) {
      t.skip("postgresql not installed");
      return;
    }
    const other = entry({ engine: "postgres", name: "legacy" });
    const legacy = clusterOf(other);
    delete legacy.metadata.annotations;
    const pass = password();
    await server.reconcile(legacy, { app: scramSha256Verifier(pass, salt()) });
    const result = await appOwnsItsTables("postgres", connect, {
      user: "app",
      password: pass,
      database: "legacy",
    });
    fails(result);
    // search_path "$user", public: no schema "app", and public grants no CREATE since PostgreSQL 15.
    assert.match(result.detail, /^42501 permission denied for schema public/);
  });

  it("rotation: a new verifier in the Secret reaches the role, the old password stops working, data stays", async (t) => {
    if (!server) {
      t.skip("postgresql not installed");
      return;
    }
    const session = await connect(app(first));
    await session.query("CREATE TABLE kept (id INTEGER)");
    await session.query("INSERT INTO kept VALUES (42)");
    await session.close();

    // Control: PGO keeps a Secret's existing verifier, so a new password alone changes nothing.
    const next = password();
    await server.reconcile(cluster, { [settings.user]: verifierOf(first) });
    fails(await passwordRotated("postgres", connect, app(next), first));

    await server.reconcile(cluster, { [settings.user]: verifierOf(next) });
    passes(await passwordRotated("postgres", connect, app(next), first));
    const after = await connect(app(next));
    assert.deepEqual(await after.query("SELECT id FROM kept"), [{ id: 42 }]);
    await after.close();
  });
});
