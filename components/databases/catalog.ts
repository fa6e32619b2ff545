// What hadb knows about each database engine: the pinned default image and default sizing. Pure data, read by config validation and the engine builders.

import type { ContainerResources, Engine } from "../config/types";

export interface EngineCatalogEntry {
  /** Repository without tag; a `version` override in config replaces only the tag. */
  imageRepository: string;
  /**
   * Pinned default tag. IRIS: 2026.1 is the current extended-maintenance (EM, YYYY.1) release, which
   * receives maintenance builds; CD releases (YYYY.2/.3) do not. Community images carry a 13-month
   * built-in licence, so this pin is bumped yearly.
   */
  defaultVersion: string;
  /** Service/container ports by name (names are what exposure.nodePorts refers to). */
  ports: Record<string, number>;
  /** Accepted shape of a `version` override. */
  versionPattern: RegExp;
  versionExample: string;
  defaultResources: ContainerResources;
  /**
   * Worst-case start on an existing data directory including crash recovery, used by the failover
   * budget. An estimate until the failover benchmark measures real starts.
   */
  startSecondsEstimate: number;
}

export const IRIS_PORTS = { superserver: 1972, webserver: 52773 } as const;
export const MYSQL_PORTS = { mysql: 3306 } as const;
export const POSTGRES_PORTS = { postgres: 5432 } as const;

export const ENGINE_CATALOG: Record<Engine, EngineCatalogEntry> = {
  iris: {
    imageRepository: "containers.intersystems.com/intersystems/iris-community",
    defaultVersion: "2026.1",
    ports: IRIS_PORTS,
    versionPattern: /^\d{4}\.\d+(\.\d+){0,3}$/,
    versionExample: "2026.1",
    // requests = limits: Guaranteed QoS, so the kubelet evicts the database last under node pressure.
    defaultResources: { requests: { cpu: "1", memory: "4Gi" }, limits: { cpu: "1", memory: "4Gi" } },
    // The seed article saw IRIS up 10-90 s after a failure, most of it Kubernetes; journal replay adds more.
    startSecondsEstimate: 30,
  },
  mysql: {
    imageRepository: "mysql",
    // 8.4 is the LTS line (durable behaviour, no feature churn); 8.4.11 its newest patch release.
    defaultVersion: "8.4.11",
    ports: MYSQL_PORTS,
    versionPattern: /^8\.4\.\d+$/,
    versionExample: "8.4.11",
    defaultResources: { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "1", memory: "2Gi" } },
    startSecondsEstimate: 20,
  },
  postgres: {
    // Informational: PGO runs the crunchy-postgres image it was released with for the chosen major
    // (RELATED_IMAGE_POSTGRES_<major>), so the image is pinned by the operator chart version.
    imageRepository: "registry.developers.crunchydata.com/crunchydata/crunchy-postgres",
    defaultVersion: "17",
    ports: POSTGRES_PORTS,
    versionPattern: /^1[678]$/,
    versionExample: "17",
    defaultResources: { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "1", memory: "2Gi" } },
    startSecondsEstimate: 20,
  },
};

/** Share of the memory limit given to IRIS global buffers when not configured (rest: gmheap, processes, OS cache). */
export const IRIS_GLOBAL_BUFFER_SHARE = 0.25;
/** IRIS generic memory heap default in KB (the seed's value; enough for the default lock table and caches). */
export const IRIS_DEFAULT_GMHEAP_KB = 256000;
