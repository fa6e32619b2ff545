// Copies of a database's connection in the namespaces of the applications that use it
// (`consumerNamespaces`): a Secret `hadb-<database>` each, rewritten by every `pulumi up`, so a rotated
// password reaches them in the same run. The namespaces belong to the applications and must exist.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterHandle } from "../cluster/handle";
import type { DatabaseSpec } from "../config/types";
import { recommendedLabels } from "../shared/labels";
import type { DatabaseConnection } from "./databases";

export const consumerSecretName = (database: string): string => `hadb-${database}`;

/** The keys of a connection Secret (`database` only when the engine has one): applications rely on them. */
export const CONNECTION_SECRET_KEYS = ["database", "host", "jdbc-url", "password", "port", "uri", "username"];

/** The Secret one consumer namespace gets: the connection's parts and URIs, one key each. */
export function consumerSecret(
  database: DatabaseSpec,
  namespace: string,
  connection: pulumi.Output<DatabaseConnection>,
): k8s.types.input.core.v1.Secret {
  return {
    metadata: {
      name: consumerSecretName(database.name),
      namespace,
      labels: recommendedLabels({ name: database.engine, instance: database.name, component: "connection" }),
    },
    type: "Opaque",
    stringData: pulumi.secret(
      connection.apply((c) => ({
        host: c.host,
        port: String(c.port),
        username: c.username,
        password: c.password,
        ...(c.database === null ? {} : { database: c.database }),
        uri: c.uri,
        "jdbc-url": c.jdbcUrl,
      })),
    ),
  };
}

export interface ConsumerSecretsArgs {
  cluster: ClusterHandle;
  databases: DatabaseSpec[];
  connections: Record<string, pulumi.Output<DatabaseConnection>>;
}

export class ConsumerSecrets extends pulumi.ComponentResource {
  /** Per database: namespace -> Secret name. */
  readonly secrets: Record<string, Record<string, string>> = {};

  constructor(name: string, args: ConsumerSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hadb:outputs:ConsumerSecrets", name, {}, opts);
    for (const database of args.databases) {
      const connection = args.connections[database.name];
      const copies: Record<string, string> = {};
      this.secrets[database.name] = copies;
      if (connection === undefined) continue;
      for (const namespace of database.consumerNamespaces) {
        new k8s.core.v1.Secret(
          `${database.name}-for-${namespace}`,
          consumerSecret(database, namespace, connection),
          {
            parent: this,
            provider: args.cluster.provider,
          },
        );
        copies[namespace] = consumerSecretName(database.name);
      }
    }
    this.registerOutputs({ secrets: this.secrets });
  }
}
