// What the upstream software does with hadb's manifests when it sets up accounts, modelled from its source
// so the tests can run the same SQL against real servers. Read at the versions hadb pins:
// - docker-library/mysql 8.4 `docker-entrypoint.sh`: docker_setup_db (first start on an empty data
//   directory only; the time-zone import is left out, it touches no account).
// - Crunchy PGO 5.8.9 (account code unchanged since 5.8.6): CreateDatabasesInPostgreSQL (internal/postgres/databases.go),
//   WriteUsersInPostgreSQL and WriteUsersSchemasInPostgreSQL (internal/postgres/users.go, the latter only
//   with the AutoCreateUserSchema gate, on by default, and the cluster annotation), generatePostgresHBAs
//   and HostBasedAuthentication.String (internal/controller/postgrescluster/postgres.go,
//   internal/postgres/hba.go).
// The SQL text is rebuilt here from that reading; no upstream file is copied.

/** A container's environment as the kubelet resolves it: literal values and keys of one Secret. */
export function resolvedEnv(
  container: { env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { key: string } } }[] },
  secretData: Record<string, string>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    const key = variable.valueFrom?.secretKeyRef?.key;
    const value = key === undefined ? variable.value : secretData[key];
    if (value === undefined) throw new Error(`${variable.name}: no value (Secret key ${key ?? "-"})`);
    env[variable.name] = value;
  }
  return env;
}

/**
 * docker_setup_db's statements for an environment (MYSQL_ROOT_HOST defaults to '%'); the entrypoint
 * sends them through the mysql client as root of the temporary server.
 */
export function mysqlEntrypointSetupSql(env: Record<string, string>): string[] {
  const root = env.MYSQL_ROOT_PASSWORD;
  if (!root) throw new Error("the entrypoint refuses to initialise without MYSQL_ROOT_PASSWORD");
  const rootHost = env.MYSQL_ROOT_HOST ?? "%";
  const statements = [
    "SET autocommit = 1;",
    "SET @@SESSION.SQL_LOG_BIN=0;",
    `ALTER USER 'root'@'localhost' IDENTIFIED BY '${root}' ;`,
    "GRANT ALL ON *.* TO 'root'@'localhost' WITH GRANT OPTION ;",
    "FLUSH PRIVILEGES ;",
    ...(rootHost !== "localhost"
      ? [
          `CREATE USER 'root'@'${rootHost}' IDENTIFIED BY '${root}' ;`,
          `GRANT ALL ON *.* TO 'root'@'${rootHost}' WITH GRANT OPTION ;`,
        ]
      : []),
    "DROP DATABASE IF EXISTS test ;",
  ];
  const database = env.MYSQL_DATABASE;
  if (database) statements.push(`CREATE DATABASE IF NOT EXISTS \`${database}\` ;`);
  if (env.MYSQL_USER && env.MYSQL_PASSWORD) {
    statements.push(`CREATE USER '${env.MYSQL_USER}'@'%' IDENTIFIED BY '${env.MYSQL_PASSWORD}' ;`);
    if (database)
      statements.push(`GRANT ALL ON \`${database.replace(/_/g, "\\_")}\`.* TO '${env.MYSQL_USER}'@'%' ;`);
  }
  return statements;
}

/** The parts of a PostgresCluster PGO reads for accounts. */
export interface PostgresClusterAccounts {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: {
    users: { name: string; databases?: string[]; options?: string }[];
    authentication?: {
      rules: { hba?: string; connection?: string; databases?: string[]; users?: string[]; method?: string }[];
    };
  };
}

/** A statement PGO builds with pg_catalog.format (identifiers %I, literals %L): format string + args. */
export interface FormattedStatement {
  format: string;
  args: string[];
}

/** CreateDatabasesInPostgreSQL: every database named by a user, created by the superuser if missing. */
export function pgoDatabaseStatements(cluster: PostgresClusterAccounts): FormattedStatement[] {
  const databases = [...new Set(cluster.spec.users.flatMap((user) => user.databases ?? []))].sort();
  return databases.map((database) => ({ format: "CREATE DATABASE %I", args: [database] }));
}

/**
 * WriteUsersInPostgreSQL in one transaction: CREATE USER if missing, then for every user
 * `ALTER ROLE %I WITH %s PASSWORD %L` with the Secret's verifier, then GRANT ALL on its databases.
 * (PGO re-runs it whenever this SQL, verifiers included, changes.)
 */
export function pgoUserStatements(
  cluster: PostgresClusterAccounts,
  verifiers: Record<string, string>,
): { createIfMissing: string[]; statements: FormattedStatement[] } {
  const users = cluster.spec.users;
  return {
    createIfMissing: users.map((user) => user.name),
    statements: [
      ...users.map((user) => ({
        format: "ALTER ROLE %I WITH %s PASSWORD %L",
        args: [user.name, user.options ?? "", verifiers[user.name] ?? ""],
      })),
      ...users.flatMap((user) =>
        (user.databases ?? []).map((database) => ({
          format: "GRANT ALL PRIVILEGES ON DATABASE %I TO %I",
          args: [database, user.name],
        })),
      ),
    ],
  };
}

const PGO_RESERVED_SCHEMAS = ["public", "pgbouncer", "monitor"];

/**
 * WriteUsersSchemasInPostgreSQL: with the annotation set to "true" (any case), per user and database,
 * `CREATE SCHEMA IF NOT EXISTS :"username" AUTHORIZATION :"username"` in that database.
 */
export function pgoSchemaStatements(cluster: PostgresClusterAccounts): { database: string; user: string }[] {
  const annotation = cluster.metadata.annotations?.["postgres-operator.crunchydata.com/autoCreateUserSchema"];
  if (annotation?.toLowerCase() !== "true") return [];
  return cluster.spec.users
    .filter((user) => !PGO_RESERVED_SCHEMAS.includes(user.name))
    .flatMap((user) => (user.databases ?? []).map((database) => ({ database, user: user.name })));
}

const hbaQuote = (value: string): string => `"${value.replace(/"/g, '""')}"`;

/**
 * pg_hba.conf after PGO's mandatory rules: the cluster's rules as PGO renders them, or, without any,
 * its default `hostssl all all all scram-sha-256`.
 */
export function pgoHbaRules(cluster: PostgresClusterAccounts): string[] {
  const rules = cluster.spec.authentication?.rules ?? [];
  if (rules.length === 0) return ["hostssl all all all scram-sha-256"];
  return rules.map((rule) => {
    if (rule.hba) return rule.hba.trim();
    const databases = rule.databases?.length ? rule.databases.map(hbaQuote).join(",") : "all";
    const users = rule.users?.length ? rule.users.map(hbaQuote).join(",") : "all";
    // "password" is upgraded to scram-sha-256 by PGO.
    const method = rule.method === "password" ? "scram-sha-256" : (rule.method ?? "");
    return `${hbaQuote(rule.connection ?? "")} ${databases} ${users} all ${hbaQuote(method)}`;
  });
}
