// The per-database stack outputs another project consumes by StackReference: `databases` (plain: where,
// who, how exposed) and `databaseConnections` (secret: everything a client needs, URI included), with the
// same keys on every database of every stack; absent values are null, never missing.
import * as pulumi from "@pulumi/pulumi";
import type { DatabaseSpec } from "../config/types";
import type { DatabaseEndpoint } from "../databases/endpoint";
import { ENGINE_CLIENTS, connectionUri, jdbcUrl, type ExposureOutput } from "./connection";

export interface DatabaseOutput {
  engine: DatabaseSpec["engine"];
  namespace: string;
  /** In-cluster DNS name. */
  host: string;
  /** The port clients connect to (IRIS superserver, MySQL, PostgreSQL). */
  port: number;
  /** Every port of the Service by name (IRIS also has its web server). */
  ports: Record<string, number>;
  /** The application account. */
  username: string;
  database: string | null;
  /** Secret in `namespace` with `username` and `password` (PostgreSQL: PGO's, with `uri` and `jdbc-uri`). */
  credentialsSecret: string;
  exposure: ExposureOutput;
  /** Copies of the connection for applications elsewhere: namespace -> Secret name (`consumerNamespaces`). */
  consumerSecrets: Record<string, string>;
}

export interface ClientEndpoint {
  host: string;
  port: number;
  uri: string;
  jdbcUrl: string;
}

/** Secret: what an application needs to connect, in parts and as URIs. */
export interface DatabaseConnection extends ClientEndpoint {
  username: string;
  password: string;
  database: string | null;
  /** Through the load balancer, once it has an address; null for private databases and node ports. */
  external: ClientEndpoint | null;
}

function exposureOf(spec: DatabaseSpec, address: string | null): ExposureOutput {
  const exposure = spec.exposure;
  switch (exposure.type) {
    case "clusterIP":
      return { type: "clusterIP", allowedSourceRanges: [], nodePorts: {}, address: null };
    case "loadBalancer":
      return {
        type: "loadBalancer",
        allowedSourceRanges: exposure.allowedSourceRanges,
        nodePorts: {},
        address,
      };
    case "nodePort":
      return {
        type: "nodePort",
        allowedSourceRanges: exposure.allowedSourceRanges,
        nodePorts: exposure.nodePorts,
        address: null,
      };
  }
}

const clientPort = (endpoint: DatabaseEndpoint): number => {
  const port = endpoint.ports[ENGINE_CLIENTS[endpoint.engine].port];
  if (port === undefined)
    throw new Error(`${endpoint.engine} endpoint has no ${ENGINE_CLIENTS[endpoint.engine].port} port`);
  return port;
};

export function databaseOutput(
  spec: DatabaseSpec,
  endpoint: DatabaseEndpoint,
  consumerSecrets: Record<string, string>,
): pulumi.Output<DatabaseOutput> {
  return endpoint.externalAddress.apply((address) => ({
    engine: endpoint.engine,
    namespace: endpoint.namespace,
    host: endpoint.host,
    port: clientPort(endpoint),
    ports: endpoint.ports,
    username: endpoint.username,
    database: endpoint.database ?? null,
    credentialsSecret: endpoint.credentialsSecret,
    exposure: exposureOf(spec, address),
    consumerSecrets,
  }));
}

export function databaseConnection(endpoint: DatabaseEndpoint): pulumi.Output<DatabaseConnection> {
  const port = clientPort(endpoint);
  const database = endpoint.database ?? null;
  return pulumi.secret(
    pulumi.all([endpoint.password, endpoint.externalAddress]).apply(([password, address]) => {
      const parts = { engine: endpoint.engine, username: endpoint.username, password, database, port };
      const client = (host: string): ClientEndpoint => ({
        host,
        port,
        uri: connectionUri({ ...parts, host }),
        jdbcUrl: jdbcUrl({ ...parts, host }),
      });
      return {
        ...client(endpoint.host),
        username: endpoint.username,
        password,
        database,
        external: address === null ? null : client(address),
      };
    }),
  );
}
