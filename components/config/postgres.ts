// Validation of a database entry's `postgres` settings: version, instances, database and user.
import { isRecord, Problems } from "./problems";
import type { PostgresSettings } from "./types";
import { APP_ACCOUNT, defaultDatabaseName, reservedDatabaseReason, reservedUserReason } from "./accounts";

/** PostgreSQL majors PGO 5.8 ships images for (it supports 18 since 5.8.4). */
export const POSTGRES_VERSIONS = [16, 17, 18];
const MAX_POSTGRES_INSTANCES = 3;

export function readPostgres(
  problems: Problems,
  key: string,
  value: unknown,
  databaseName: string,
  image: string,
): PostgresSettings {
  // readImage already checked `version` against the catalog pattern; the tag is the major version.
  const version = Number(image.slice(image.lastIndexOf(":") + 1)) || 17;
  const defaults: PostgresSettings = {
    version,
    instances: 1,
    database: defaultDatabaseName("postgres", databaseName),
    user: APP_ACCOUNT,
  };
  if (value === undefined) return defaults;
  if (!isRecord(value)) {
    problems.add(key, value, "must be an object with instances, database and/or user");
    return defaults;
  }
  problems.unknownKeys(key, value, ["instances", "database", "user"]);
  const instances =
    value.instances === undefined
      ? defaults.instances
      : problems.integer(`${key}.instances`, value.instances, 1, MAX_POSTGRES_INSTANCES, 1);
  // PGO names the user's Secret `<cluster>-pguser-<user>`: user names must be DNS labels.
  const patterns = {
    database: {
      pattern: /^[a-z_][a-z0-9_]{0,62}$/,
      expected:
        "must be a PostgreSQL database name: lowercase letters, digits and _, not starting with a digit",
    },
    user: {
      pattern: /^[a-z]([-a-z0-9]{0,30}[a-z0-9])?$/,
      expected:
        "must be a DNS label of at most 32 characters (lowercase letters, digits, '-'): PGO names its Secret after it",
    },
  };
  const read = (field: "database" | "user"): string =>
    value[field] === undefined
      ? defaults[field]
      : (problems.string(
          `${key}.${field}`,
          value[field],
          patterns[field].pattern,
          patterns[field].expected,
        ) ?? defaults[field]);

  const user = read("user");
  const userProblem = reservedUserReason("postgres", user);
  if (userProblem !== undefined) problems.add(`${key}.user`, user, userProblem);
  const database = read("database");
  const databaseProblem = reservedDatabaseReason("postgres", database);
  if (databaseProblem !== undefined) problems.add(`${key}.database`, database, databaseProblem);
  return { version, instances, database, user };
}
