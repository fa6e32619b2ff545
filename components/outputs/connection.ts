// How a client connects to one database: the URI and JDBC URL each engine's drivers take, built from the
// endpoint's parts. Pure: tests and the example consumer check them against the drivers' formats.
import type { Engine, ExposureType } from "../config/types";

/** The port clients connect to, by engine (the endpoint's `ports` may hold others, e.g. IRIS's web port). */
export const CLIENT_PORT_NAME: Record<Engine, string> = {
  iris: "superserver",
  mysql: "mysql",
  postgres: "postgres",
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
  const scheme = { iris: "iris", mysql: "mysql", postgres: "postgresql" }[parts.engine];
  const credentials = `${encodeURIComponent(parts.username)}:${encodeURIComponent(parts.password)}`;
  return `${scheme}://${credentials}@${parts.host}:${parts.port}${pathAndQuery(parts)}`;
}

/** The JDBC URL (credentials go as driver properties, never in the URL). */
export function jdbcUrl(parts: Omit<ConnectionParts, "username" | "password">): string {
  const scheme = { iris: "jdbc:IRIS", mysql: "jdbc:mysql", postgres: "jdbc:postgresql" }[parts.engine];
  return `${scheme}://${parts.host}:${parts.port}${pathAndQuery(parts)}`;
}

/** PostgreSQL: PGO serves TLS only and hadb's clients must use it. */
function pathAndQuery(parts: Pick<ConnectionParts, "engine" | "database">): string {
  const path = parts.database === null ? "" : `/${encodeURIComponent(parts.database)}`;
  return parts.engine === "postgres" ? `${path}?sslmode=require` : path;
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
