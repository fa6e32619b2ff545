// What the example application is made of, as pure functions of hadb's outputs: which database, which
// Secret holds its connection, and a Deployment that reads it. The test calls them directly.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

/** One entry of a hadb stack's `databases` output (docs/outputs.md in the hadb repository). */
export interface HadbDatabase {
  engine: "iris" | "mysql" | "postgres";
  namespace: string;
  host: string;
  port: number;
  username: string;
  database: string | null;
  exposure: { type: string; address: string | null };
  consumerSecrets: Record<string, string>;
}

/** One entry of the secret `databaseConnections` output. */
export interface HadbConnection {
  host: string;
  port: number;
  username: string;
  password: string;
  database: string | null;
  uri: string;
  jdbcUrl: string;
}

/** The entry the application uses; a wrong name fails with the names the stack has. */
export function pickDatabase(
  databases: Record<string, HadbDatabase>,
  name: string,
  stack: string,
): HadbDatabase {
  const database = databases[name];
  if (database === undefined) {
    const names = Object.keys(databases);
    throw new Error(
      `hadb stack ${stack} has no database "${name}"; it has: ${names.length > 0 ? names.join(", ") : "none"}`,
    );
  }
  return database;
}

/**
 * The Secret this stack writes when hadb does not already keep one in the application's namespace
 * (hadb's `consumerNamespaces`): the same keys as hadb's copies, so the Deployment reads either.
 */
export function connectionSecret(
  name: string,
  namespace: string,
  connection: pulumi.Output<HadbConnection>,
): k8s.types.input.core.v1.Secret {
  return {
    metadata: { name, namespace },
    type: "Opaque",
    stringData: connection.apply((c) => ({
      host: c.host,
      port: String(c.port),
      username: c.username,
      password: c.password,
      ...(c.database === null ? {} : { database: c.database }),
      uri: c.uri,
      "jdbc-url": c.jdbcUrl,
    })),
  };
}

/**
 * A client per engine whose readiness probe runs a real query with the Secret's credentials, passed in
 * the environment (never on a command line). IRIS ships no small SQL client: its probe checks the port.
 * Images: the engines' own, at the versions hadb deploys by default.
 */
const CLIENTS = {
  postgres: {
    image: "postgres:17.6", // PostgreSQL 17 client, hadb's default major
    env: {
      PGHOST: "host",
      PGPORT: "port",
      PGUSER: "username",
      PGPASSWORD: "password",
      PGDATABASE: "database",
    },
    extraEnv: { PGSSLMODE: "require" }, // hadb's PostgreSQL (PGO) serves TLS
    check: ["psql", "--no-psqlrc", "--command", "SELECT 1"],
  },
  mysql: {
    image: "mysql:8.4.11", // hadb's MySQL image
    env: {
      MYSQL_HOST: "host",
      MYSQL_TCP_PORT: "port",
      MYSQL_PWD: "password",
      DB_USER: "username",
      DB_NAME: "database",
    },
    extraEnv: {},
    check: ["sh", "-c", 'exec mysql --user="$DB_USER" --database="$DB_NAME" --execute="SELECT 1"'],
  },
  iris: {
    image: "containers.intersystems.com/intersystems/iris-community:2026.1", // hadb's IRIS image
    env: {
      DATABASE_HOST: "host",
      DATABASE_PORT: "port",
      DATABASE_USER: "username",
      DATABASE_PASSWORD: "password",
    },
    extraEnv: {},
    check: undefined,
  },
} as const;

export function appDeployment(
  name: string,
  namespace: string,
  database: Pick<HadbDatabase, "engine" | "port">,
  secretName: string,
): k8s.types.input.apps.v1.Deployment {
  const client = CLIENTS[database.engine];
  const labels = { "app.kubernetes.io/name": name };
  const fromSecret = (key: string) => ({ secretKeyRef: { name: secretName, key } });
  return {
    metadata: { name, namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 999,
            runAsGroup: 999,
            seccompProfile: { type: "RuntimeDefault" },
          },
          containers: [
            {
              name: "app",
              image: client.image,
              command: ["sleep", "infinity"],
              env: [
                ...Object.entries(client.env).map(([variable, key]) => ({
                  name: variable,
                  valueFrom: fromSecret(key),
                })),
                ...Object.entries(client.extraEnv).map(([variable, value]) => ({ name: variable, value })),
                { name: "DATABASE_URL", valueFrom: fromSecret("uri") },
              ],
              readinessProbe: {
                ...(client.check === undefined
                  ? { tcpSocket: { port: database.port } }
                  : { exec: { command: [...client.check] } }),
                periodSeconds: 10,
                timeoutSeconds: 5,
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
              },
              resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
            },
          ],
        },
      },
    },
  };
}
