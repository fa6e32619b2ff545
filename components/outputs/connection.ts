// How a client connects to one database: the URI and JDBC URL each engine's drivers take, built from the
// endpoint's parts. Pure: tests and the example consumer check them against the drivers' formats.
import type { Engine, ExposureType } from "../config/types";

interface EngineClient {
  /** The port clients connect to (the endpoint's `ports` may hold others, e.g. IRIS's web port). */
  port: string;
  uriScheme: string;
  jdbcScheme: string;
  /** Query string every URI and JDBC URL carries. */
  query: string;
}

/** How each engine's clients connect (a new engine without an entry does not compile). */
export const ENGINE_CLIENTS: Record<Engine, EngineClient> = {
  iris: { port: "superserver", uriScheme: "iris", jdbcScheme: "jdbc:IRIS", query: "" },
  mysql: { port: "mysql", uriScheme: "mysql", jdbcScheme: "jdbc:mysql", query: "" },
  // PGO serves TLS only and hadb's clients must use it.
  postgres: {
    port: "postgres",
    uriScheme: "postgresql",
    jdbcScheme: "jdbc:postgresql",
    query: "?sslmode=require",
  },
};

export interface ConnectionParts {
  engine: Engine;
  host: string;
  port: number;
  username: string;
  password: string;
  /** MySQL/PostgreSQL database, IRIS namespace; null when the engine has none configured. */
  database: string | null;
}

/** `scheme://user:password@host:port/database`: the form SQLAlchemy, node-postgres, mysql2 and libpq take. */
export function connectionUri(parts: ConnectionParts): string {
  const scheme = ENGINE_CLIENTS[parts.engine].uriScheme;
  const credentials = `${encodeURIComponent(parts.username)}:${encodeURIComponent(parts.password)}`;
  return `${scheme}://${credentials}@${parts.host}:${parts.port}${pathAndQuery(parts)}`;
}

/** The JDBC URL (credentials go as driver properties, never in the URL). */
export function jdbcUrl(parts: Omit<ConnectionParts, "username" | "password">): string {
  const scheme = ENGINE_CLIENTS[parts.engine].jdbcScheme;
  return `${scheme}://${parts.host}:${parts.port}${pathAndQuery(parts)}`;
}

function pathAndQuery(parts: Pick<ConnectionParts, "engine" | "database">): string {
  const path = parts.database === null ? "" : `/${encodeURIComponent(parts.database)}`;
  return `${path}${ENGINE_CLIENTS[parts.engine].query}`;
}

/** How the database is reachable from outside the cluster (the `exposure` of its `databases` output). */
export interface ExposureOutput {
  type: ExposureType;
  /** CIDRs allowed in (empty for clusterIP). */
  allowedSourceRanges: string[];
  /** nodePort: node port per port name (empty when Kubernetes assigns them, or for other types). */
  nodePorts: Record<string, number>;
  /** loadBalancer: the load balancer's IP or host name once the cloud assigned it; otherwise null. */
  address: string | null;
}
