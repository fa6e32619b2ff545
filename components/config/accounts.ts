// The application account and database each engine creates: defaults that never collide with what the
// engine owns itself, the reserved names validation rejects (saying why), and the password revision that
// rotates an entry's passwords.
import type { Engine } from "./types";
import type { Problems } from "./problems";

/** Default application user (every engine) and fallback database name. */
export const APP_ACCOUNT = "app";
/** Default IRIS namespace (and database) of the application. */
export const IRIS_APP_NAMESPACE = "APP";

/**
 * MySQL's own schemas. docker-library/mysql 8.4 `docker-entrypoint.sh` runs
 * ``GRANT ALL ON `<MYSQL_DATABASE>`.* TO '<MYSQL_USER>'@'%'``: with `mysql` the application user could
 * rewrite the grant tables (and `information_schema` makes the first start fail).
 */
export const MYSQL_SYSTEM_SCHEMAS = ["mysql", "sys", "information_schema", "performance_schema"] as const;

/**
 * PostgreSQL's own databases: PGO, Patroni and pgBackRest administer through `postgres`, and whatever a
 * template holds is copied into every new database.
 */
export const POSTGRES_SYSTEM_DATABASES = ["postgres", "template0", "template1"] as const;

/**
 * Role names the application cannot have: the superuser, and the schema names PGO 5.8 skips when it
 * creates the user's own schema (`RESERVED_SCHEMA_NAMES` in internal/postgres/users.go), which would
 * leave the user without a schema it can create tables in.
 */
export const POSTGRES_RESERVED_USERS: Record<string, string> = {
  postgres: "the application gets its own, non-superuser role",
  public: "PGO creates no schema for it, so the user could not create tables",
  pgbouncer: "PGO reserves it for its connection pooler and creates no schema for it",
  monitor: "PGO reserves it for monitoring and creates no schema for it",
};

/** Namespaces and databases InterSystems ships (plus everything named IRIS*, its system databases). */
export const IRIS_RESERVED_NAMESPACES = ["USER", "ENSLIB", "HSLIB", "HSSYS", "HSCUSTOM", "HSAUDIT"] as const;
/** IRIS predefined accounts (shared admin password) and the instance owner. Usernames ignore case. */
export const IRIS_RESERVED_USERS = [
  "admin",
  "superuser",
  "cspsystem",
  "iam",
  "unknownuser",
  "irisowner",
] as const;

/** Case-insensitive: MySQL's system schemas and IRIS usernames ignore case. */
const isIn = (names: readonly string[], value: string): boolean => names.includes(value.toLowerCase());

/** Per engine: why a name cannot be the application's database or user (undefined: it can). */
interface AccountRules {
  database(name: string): string | undefined;
  user(name: string): string | undefined;
}

/** The MySQL account of hadb's mysqld_exporter (hadb:monitoring): its init step sets its password. */
export const MYSQL_EXPORTER_USER = "hadb_exporter";

const ACCOUNT_RULES: Record<Engine, AccountRules> = {
  iris: {
    database: (name) =>
      name.toUpperCase().startsWith("IRIS") ||
      (IRIS_RESERVED_NAMESPACES as readonly string[]).includes(name.toUpperCase())
        ? `is an InterSystems namespace or database (${IRIS_RESERVED_NAMESPACES.join(" | ")} | IRIS*): the application gets a namespace of its own; choose another name`
        : undefined,
    user: (name) =>
      isIn(IRIS_RESERVED_USERS, name)
        ? `is a predefined IRIS account or the instance owner (${IRIS_RESERVED_USERS.join(" | ")}): the application gets an account of its own`
        : undefined,
  },
  mysql: {
    database: (name) =>
      isIn(MYSQL_SYSTEM_SCHEMAS, name)
        ? `is a MySQL system schema (${MYSQL_SYSTEM_SCHEMAS.join(" | ")}): the image grants the application user ALL on its database, so it could rewrite the grant tables; choose another name`
        : undefined,
    user: (name) =>
      name === "root"
        ? "must not be root: the application gets its own user; root stays in the credentials Secret"
        : name === MYSQL_EXPORTER_USER
          ? "is hadb's metrics exporter account (hadb:monitoring): the application gets a user of its own"
          : undefined,
  },
  postgres: {
    database: (name) =>
      isIn(POSTGRES_SYSTEM_DATABASES, name)
        ? `is a PostgreSQL system database (${POSTGRES_SYSTEM_DATABASES.join(" | ")}): the operator administers through postgres and templates are copied into every new database; choose another name`
        : undefined,
    user: (name) => {
      const reason = POSTGRES_RESERVED_USERS[name];
      return reason === undefined ? undefined : `must not be ${name}: ${reason}`;
    },
  },
};

/** Why `database` cannot be the application database (IRIS: namespace) of `engine`, or undefined. */
export const reservedDatabaseReason = (engine: Engine, database: string): string | undefined =>
  ACCOUNT_RULES[engine].database(database);

/** Why `user` cannot be the application user of `engine`, or undefined when it can. */
export const reservedUserReason = (engine: Engine, user: string): string | undefined =>
  ACCOUNT_RULES[engine].user(user);

/**
 * The application database when none is configured: the entry's name (`-` → `_`), or `app` when that
 * name is one the engine owns (an entry named `mysql` or `postgres`).
 */
export function defaultDatabaseName(engine: Engine, entryName: string): string {
  const fromName = entryName.replace(/-/g, "_");
  return reservedDatabaseReason(engine, fromName) === undefined ? fromName : APP_ACCOUNT;
}

const REVISION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/**
 * `passwordRevision`: any label (a date, a counter); changing it generates new passwords for every
 * account of the entry on the next `pulumi up`. Unset: the passwords generated first are kept.
 */
export function readPasswordRevision(problems: Problems, key: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "number" && Number.isInteger(value) && value >= 0) return String(value);
  return problems.string(
    key,
    value,
    REVISION,
    'must be a label of letters, digits, ".", "_" or "-" (at most 63), e.g. "2026-06" or 2; change it to rotate the passwords',
  );
}
