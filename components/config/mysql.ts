// Validation of a database entry's `mysql` settings: the application database and user.
import { isRecord, Problems } from "./problems";
import type { MysqlSettings } from "./types";

const SQL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,31}$/;

export function readMysql(
  problems: Problems,
  key: string,
  value: unknown,
  databaseName: string,
): MysqlSettings {
  const defaults: MysqlSettings = { database: databaseName.replace(/-/g, "_"), user: "app" };
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
  if (user === "root")
    problems.add(
      `${key}.user`,
      user,
      "must not be root: the application gets its own user; root stays in the credentials Secret",
    );
  return { database: database ?? defaults.database, user: user ?? defaults.user };
}
