// The MySQL accounts, re-applied at every start with the current passwords (mysqld --init-file): the
// official image (docker-library/mysql 8.4 docker-entrypoint.sh, docker_setup_db) sets passwords only
// when it initialises an empty data directory, so without this a rotated password never reaches the
// server. Same accounts and grants as the entrypoint creates, written so that re-running changes nothing
// but the passwords: root@localhost and root@'%' (all privileges), the application database, and the
// application user with ALL on that database only.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { MysqlSettings } from "../../config/types";

export interface MysqlPasswords {
  root: string;
  app: string;
}

/** A MySQL string literal (default sql_mode: backslash escapes). */
export function sqlString(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** A backquoted identifier. */
export function sqlIdentifier(value: string): string {
  return `\`${value.replace(/`/g, "``")}\``;
}

/**
 * The database part of a database-level GRANT: `_` and `%` are wildcards there, so they are escaped, as
 * the entrypoint does (`${MYSQL_DATABASE//_/\\_}`); the grant then covers exactly this database.
 */
export function grantDatabase(database: string): string {
  return sqlIdentifier(database.replace(/([_%])/g, "\\$1"));
}

/**
 * The init file: one statement per line, no comments (mysqld reads `--init-file` line by line).
 * Root stays reachable from anywhere in the cluster as the entrypoint's default MYSQL_ROOT_HOST='%'
 * makes it; the application user gets its database and nothing else.
 */
export function mysqlAccountsSql(settings: MysqlSettings, passwords: MysqlPasswords): string {
  const root = sqlString(passwords.root);
  const app = sqlString(passwords.app);
  const user = `${sqlString(settings.user)}@'%'`;
  return [
    // Account changes are local to this server (as in the entrypoint): nothing to replicate.
    "SET @@SESSION.SQL_LOG_BIN=0;",
    `ALTER USER 'root'@'localhost' IDENTIFIED BY ${root};`,
    `CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY ${root};`,
    `ALTER USER 'root'@'%' IDENTIFIED BY ${root};`,
    "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;",
    `CREATE DATABASE IF NOT EXISTS ${sqlIdentifier(settings.database)};`,
    `CREATE USER IF NOT EXISTS ${user} IDENTIFIED BY ${app};`,
    `ALTER USER ${user} IDENTIFIED BY ${app};`,
    `GRANT ALL ON ${grantDatabase(settings.database)}.* TO ${user};`,
    "",
  ].join("\n");
}

/** The container command's script (start.sh, shellchecked and run for real by the tests). */
export const MYSQL_START_SCRIPT = readFileSync(join(__dirname, "start.sh"), "utf8");
