// What hadb knows about each database engine: the pinned default image, default sizing, who runs it
// and how its copies are made consistent. Pure data, read by config validation, the engine builders,
// protection, DR and the iSCSI backend. An engine without an entry does not compile (Record<Engine, ...>);
// its builders (component, failover budget) are the entry of engines.ts.

import { ENGINES, type ContainerResources, type Engine } from "../config/types";

/** How a database's data is made consistent before it leaves the cluster. */
export type Consistency = "iris-freeze" | "crash-consistent" | "pgbackrest";

/** Who runs the database and owns its data claim. */
export type EngineWorkload =
  | {
      /** hadb's single-writer Deployment (databases/deployment.ts) on one claim hadb creates. */
      kind: "single-writer";
      /** The image's non-root user; also the volume's group and the user of restic copy jobs. */
      uid: number;
      /** The database container, whose probes the failover budget reads. */
      container: string;
    }
  | {
      /** An operator's custom resource: the operator creates the pods and claims. */
      kind: "operator";
      operator: string;
      /** The database container of the operator's pods. */
      container: string;
    };

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
  workload: EngineWorkload;
  consistency: Consistency;
}

export const IRIS_PORTS = { superserver: 1972, webserver: 52773 } as const;
export const MYSQL_PORTS = { mysql: 3306 } as const;
export const POSTGRES_PORTS = { postgres: 5432 } as const;
/** irisowner, the non-root user the image runs IRIS as; fsGroup makes the volume writable for it. */
export const IRIS_UID = 51773;
/** The `mysql` user of the official image. */
export const MYSQL_UID = 999;

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
    workload: { kind: "single-writer", uid: IRIS_UID, container: "iris" },
    // ExternalFreeze/Thaw around the snapshot: a copy IRIS itself calls consistent.
    consistency: "iris-freeze",
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
    workload: { kind: "single-writer", uid: MYSQL_UID, container: "mysql" },
    // MySQL/InnoDB recovers from a crash-consistent copy like from a power cut (redo log).
    consistency: "crash-consistent",
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
    // PGO names the PostgreSQL container of its instance pods "database".
    workload: { kind: "operator", operator: "Crunchy PGO", container: "database" },
    // PGO's pgBackRest takes its own backups into the cluster's object store.
    consistency: "pgbackrest",
  },
};

/** Share of the memory limit given to IRIS global buffers when not configured (rest: gmheap, processes, OS cache). */
export const IRIS_GLOBAL_BUFFER_SHARE = 0.25;
/** IRIS generic memory heap default in KB (the seed's value; enough for the default lock table and caches). */
export const IRIS_DEFAULT_GMHEAP_KB = 256000;

/** Engines hadb runs in its own single-writer Deployment (their claims and volumes are hadb's). */
export const SINGLE_WRITER_ENGINES: readonly Engine[] = ENGINES.filter(
  (engine) => ENGINE_CATALOG[engine].workload.kind === "single-writer",
);

/** The single-writer facts of an engine (uid, container); an operator-run engine has none. */
export function singleWriterOf(engine: Engine): Extract<EngineWorkload, { kind: "single-writer" }> {
  const workload = ENGINE_CATALOG[engine].workload;
  if (workload.kind !== "single-writer") throw new Error(`engine ${engine} is run by ${workload.operator}`);
  return workload;
}
