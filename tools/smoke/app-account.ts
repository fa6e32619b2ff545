// Smoke checks of an application account, run against any reachable MySQL/MariaDB or PostgreSQL server:
// the real servers of `npm test` (tests/app-accounts.test.ts), or a deployed engine from a client pod or
// through a port-forward. Each check logs in through `connect` and reports instead of throwing, so a
// caller sees every result. "Cannot" checks pass only on a permission error, never on any other failure
// (a typo in a statement must not look like a denied privilege).
import { createConnection } from "mysql2/promise";
import { Client, type ClientConfig } from "pg";

export type SqlEngine = "mysql" | "postgres";

export interface Login {
  user: string;
  password: string;
  database: string;
}

export interface SqlSession {
  query(sql: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** Opens a session as `login`; rejects with the driver's error (its `code` is read by the checks). */
export type Connect = (login: Login) => Promise<SqlSession>;

export interface CheckResult {
  check: string;
  ok: boolean;
  detail: string;
}

/** Error codes meaning "not allowed": MySQL/MariaDB error numbers, PostgreSQL SQLSTATEs. */
const DENIED: Record<SqlEngine, { privilege: string[]; login: string[] }> = {
  // 1044 database, 1045 login/grant, 1142 table, 1227 global privilege, 1410 grant to others.
  mysql: { privilege: ["1044", "1045", "1142", "1227", "1410"], login: ["1044", "1045"] },
  // 42501 insufficient_privilege; 28000 no pg_hba.conf entry; 28P01 wrong password.
  postgres: { privilege: ["42501"], login: ["28000", "28P01", "42501"] },
};

const codeOf = (error: unknown): string => {
  const { errno, code } = error as { errno?: number; code?: string };
  return typeof errno === "number" ? String(errno) : (code ?? "");
};

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

async function withSession<T>(connect: Connect, login: Login, action: (s: SqlSession) => Promise<T>) {
  const session = await connect(login);
  try {
    return await action(session);
  } finally {
    await session.close();
  }
}

/** Runs `statement`, expecting a permission error; returns why the expectation failed, if it did. */
async function refused(
  engine: SqlEngine,
  session: SqlSession,
  statement: string,
): Promise<string | undefined> {
  try {
    await session.query(statement);
    return `${statement} succeeded`;
  } catch (error) {
    return DENIED[engine].privilege.includes(codeOf(error))
      ? undefined
      : `${statement} failed for another reason: ${codeOf(error)} ${messageOf(error)}`;
  }
}

const tableName = (): string => `hadb_smoke_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;

/** What a migration does: create, alter and drop a table, read and write rows, in the app's database. */
export async function appOwnsItsTables(
  engine: SqlEngine,
  connect: Connect,
  app: Login,
): Promise<CheckResult> {
  const check = "the application user creates, alters, writes, reads and drops a table in its database";
  const table = tableName();
  try {
    const rows = await withSession(connect, app, async (session) => {
      // Unqualified, as an application's first migration would write it.
      await session.query(`CREATE TABLE ${table} (id INTEGER PRIMARY KEY, note VARCHAR(40))`);
      await session.query(`ALTER TABLE ${table} ADD COLUMN extra INTEGER`);
      await session.query(`INSERT INTO ${table} (id, note, extra) VALUES (1, 'one', 1), (2, 'two', 2)`);
      await session.query(`UPDATE ${table} SET note = 'uno' WHERE id = 1`);
      await session.query(`DELETE FROM ${table} WHERE id = 2`);
      const result = await session.query(`SELECT id, note, extra FROM ${table}`);
      await session.query(`DROP TABLE ${table}`);
      return result;
    });
    const ok = rows.length === 1 && rows[0]?.note === "uno";
    return { check, ok, detail: ok ? `${engine}: ok` : `unexpected rows ${JSON.stringify(rows)}` };
  } catch (error) {
    return { check, ok: false, detail: `${codeOf(error)} ${messageOf(error)}` };
  }
}

/**
 * What an application account must be refused: reading or changing accounts and grants, creating
 * databases. Written to change nothing where they are wrongly allowed (no matching rows, absent users,
 * no-op settings), or with an `undo`; only a wrongful self-grant would stick, on a server already unsafe.
 */
const ACCOUNT_PROBES: Record<SqlEngine, { statement: string; undo?: string }[]> = {
  mysql: [
    { statement: "SELECT user, host FROM mysql.user" },
    { statement: "UPDATE mysql.user SET max_connections = 0 WHERE 1 = 0" },
    {
      statement: "CREATE USER 'hadb_smoke'@'%' IDENTIFIED BY 'hadb-smoke-1'",
      undo: "DROP USER 'hadb_smoke'@'%'",
    },
    { statement: "DROP USER 'hadb_smoke_absent'@'%'" },
    { statement: "GRANT SELECT ON mysql.user TO CURRENT_USER()" },
    { statement: "CREATE DATABASE hadb_smoke", undo: "DROP DATABASE hadb_smoke" },
  ],
  postgres: [
    { statement: "SELECT rolname, rolpassword FROM pg_catalog.pg_authid" },
    { statement: "CREATE ROLE hadb_smoke", undo: "DROP ROLE hadb_smoke" },
    { statement: "ALTER ROLE postgres CONNECTION LIMIT -1" },
    { statement: "CREATE DATABASE hadb_smoke", undo: "DROP DATABASE hadb_smoke" },
  ],
};

/** The application user cannot read or change accounts and grants, nor create databases. */
export async function appCannotTouchAccounts(
  engine: SqlEngine,
  connect: Connect,
  app: Login,
): Promise<CheckResult> {
  const check = "the application user cannot read or change accounts, grants or databases";
  try {
    const problems = await withSession(connect, app, async (session) => {
      const found: string[] = [];
      for (const { statement, undo } of ACCOUNT_PROBES[engine]) {
        const problem = await refused(engine, session, statement);
        if (problem) found.push(problem);
        if (problem?.endsWith("succeeded") && undo) await session.query(undo).catch(() => undefined);
      }
      return found;
    });
    return { check, ok: problems.length === 0, detail: problems.join("; ") || `${engine}: all refused` };
  } catch (error) {
    return { check, ok: false, detail: `login failed: ${codeOf(error)} ${messageOf(error)}` };
  }
}

/**
 * The application user cannot reach `other`, a database it does not own: MySQL refuses the login and
 * its tables; PostgreSQL (pg_hba: its own database only) refuses the connection.
 */
export async function appCannotReachOtherDatabase(
  engine: SqlEngine,
  connect: Connect,
  app: Login,
  other: { database: string; table?: string },
): Promise<CheckResult> {
  const check = `the application user cannot reach database ${other.database}`;
  const problems: string[] = [];
  try {
    await (await connect({ ...app, database: other.database })).close();
    problems.push(`logging in to ${other.database} succeeded`);
  } catch (error) {
    if (!DENIED[engine].login.includes(codeOf(error)))
      problems.push(`logging in to ${other.database} failed for another reason: ${messageOf(error)}`);
  }
  if (engine === "mysql") {
    try {
      await withSession(connect, app, async (session) => {
        const visible = (await session.query("SHOW DATABASES")).map((row) => String(Object.values(row)[0]));
        const foreign = visible.filter((name) => name !== app.database && name !== "information_schema");
        if (foreign.length > 0) problems.push(`SHOW DATABASES lists ${foreign.join(", ")}`);
        const table = other.table ? `${other.database}.${other.table}` : undefined;
        const problem = table ? await refused(engine, session, `SELECT * FROM ${table}`) : undefined;
        if (problem) problems.push(problem);
      });
    } catch (error) {
      problems.push(`login to its own database failed: ${messageOf(error)}`);
    }
  }
  return { check, ok: problems.length === 0, detail: problems.join("; ") || `${engine}: refused` };
}

/** After a rotation: the current password logs in, the previous one is refused. */
export async function passwordRotated(
  engine: SqlEngine,
  connect: Connect,
  app: Login,
  previousPassword: string,
): Promise<CheckResult> {
  const check = "the new password logs in and the previous one is refused";
  const problems: string[] = [];
  try {
    await withSession(connect, app, (session) => session.query("SELECT 1 AS one"));
  } catch (error) {
    problems.push(`the new password is refused: ${codeOf(error)} ${messageOf(error)}`);
  }
  try {
    await (await connect({ ...app, password: previousPassword })).close();
    problems.push("the previous password still logs in");
  } catch (error) {
    if (!DENIED[engine].login.includes(codeOf(error)))
      problems.push(`the previous password failed for another reason: ${messageOf(error)}`);
  }
  return { check, ok: problems.length === 0, detail: problems.join("; ") || `${engine}: rotated` };
}

/** Every check at once (a deployed database: the smoke test of the real-node tier). */
export async function runAppAccountChecks(
  engine: SqlEngine,
  connect: Connect,
  app: Login,
  options: { otherDatabase: string; otherTable?: string; previousPassword?: string },
): Promise<CheckResult[]> {
  const results = [
    await appOwnsItsTables(engine, connect, app),
    await appCannotTouchAccounts(engine, connect, app),
    await appCannotReachOtherDatabase(engine, connect, app, {
      database: options.otherDatabase,
      ...(options.otherTable ? { table: options.otherTable } : {}),
    }),
  ];
  if (options.previousPassword !== undefined)
    results.push(await passwordRotated(engine, connect, app, options.previousPassword));
  return results;
}

/** Sessions over TCP with mysql2 (MySQL 8.4 and the MariaDB stand-in). */
export function mysqlConnect(host: string, port: number): Connect {
  return async (login) => {
    const connection = await createConnection({ host, port, ...login, connectTimeout: 5_000 });
    connection.on("error", () => undefined);
    return {
      query: async (sql) => {
        const [rows] = await connection.query(sql);
        return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
      },
      close: () => {
        connection.destroy();
        return Promise.resolve();
      },
    };
  };
}

/** Sessions over TCP with pg; `ssl` as pg takes it (PGO serves TLS only, with its own CA). */
export function postgresConnect(host: string, port: number, ssl: ClientConfig["ssl"]): Connect {
  return async (login) => {
    const client = new Client({ host, port, ...login, ssl, connectionTimeoutMillis: 5_000 });
    client.on("error", () => undefined);
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return {
      query: async (sql) => (await client.query(sql)).rows as Record<string, unknown>[],
      close: () => client.end(),
    };
  };
}
