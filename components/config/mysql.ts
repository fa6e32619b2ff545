// Validation of a database entry's `mysql` settings: the application database and user (accounts.ts:
// never a system schema, never root).
import { isRecord, Problems } from "./problems";
import type { MysqlSettings } from "./types";
import { APP_ACCOUNT, defaultDatabaseName, reservedDatabaseReason, reservedUserReason } from "./accounts";

const SQL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,31}$/;

export function readMysql(
  problems: Problems,
  key: string,
  value: unknown,
  databaseName: string,
): MysqlSettings {
  const defaults: MysqlSettings = { database: defaultDatabaseName("mysql", databaseName), user: APP_ACCOUNT };
  if (value === undefined) return defaults;
  if (!isRecord(value)) {
    problems.add(key, value, "must be an object with database and/or user");
    return defaults;
  }
  problems.unknownKeys(key, value, ["database", "user"]);
  const identifier =
    "must be a MySQL identifier: letters, digits and _, at most 32 characters, not starting with a digit";
  const database =
    value.database === undefined
      ? defaults.database
      : problems.string(`${key}.database`, value.database, SQL_IDENTIFIER, identifier);
  const user =
    value.user === undefined
      ? defaults.user
      : problems.string(`${key}.user`, value.user, SQL_IDENTIFIER, identifier);
  const userProblem = user === undefined ? undefined : reservedUserReason("mysql", user);
  if (userProblem !== undefined) problems.add(`${key}.user`, user, userProblem);
  const databaseProblem = database === undefined ? undefined : reservedDatabaseReason("mysql", database);
  if (databaseProblem !== undefined) problems.add(`${key}.database`, database, databaseProblem);
  return { database: database ?? defaults.database, user: user ?? defaults.user };
}
