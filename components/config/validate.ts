// Stack config validation: raw values in, a fully defaulted HadbConfig out, or a ConfigError listing
// every problem (key, bad value, what is allowed). Runs before any resource is registered.

import { ENGINE_CATALOG, IRIS_DEFAULT_GMHEAP_KB, IRIS_GLOBAL_BUFFER_SHARE } from "../databases/catalog";
import { CONFIG_KEYS, CONFIG_NAMESPACE, type ConfigKey, type ConfigKeySpec } from "./keys";
import { isCidr, isWholeInternet } from "./network";
import { MEBIBYTE, parseQuantity } from "./quantity";
import { KUBERNETES_DEFAULT_TOLERATION_SECONDS } from "../failover/timings";
import { readIscsi } from "./iscsi";
import { ConfigError, isEmptyObject, isRecord, oneOf, Problems } from "./problems";
import { readPortworx } from "./portworx";
import { checkDomainWithoutPair, readDisasterRecovery } from "./disaster-recovery";
import { NOT_SUPPORTED_YET } from "./support";
import { readVagrant } from "./vagrant";
import { CLOUD_RULES, readManagedCluster } from "./cloud";
import { cronProblem } from "./cron";
import {
  CLOUDS,
  ENGINES,
  EXPOSURE_TYPES,
  IMMUTABLE_NODE_OS,
  MANAGED_CLOUDS,
  NODE_OS_FAMILIES,
  RAW_DISK_BACKENDS,
  REPLICATED_BACKENDS,
  STORAGE_BACKENDS,
  type BackupSettings,
  type Cloud,
  type NodeOsFamily,
  type StorageBackend,
  type ContainerResources,
  type ManagedClusterSettings,
  type DatabaseSpec,
  type Engine,
  type Exposure,
  type HadbConfig,
  type IrisSettings,
  type IscsiSettings,
  type MysqlSettings,
  type PostgresSettings,
  type RestoreSource,
  type VagrantSettings,
  type ResourceQuantities,
} from "./types";

export { ConfigError };

/** Longest database name: derived object names append up to 23 characters and must stay DNS labels. */
export const MAX_DATABASE_NAME_LENGTH = 40;
const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const MIN_REPLICATED_NODES = 3;
const MIN_STORAGE_REPLICAS = 3;

/** CPF keys hadb manages itself; setting them through `cpfConfig` would fight the generated merge file. */
const MANAGED_CPF_KEYS = ["globals", "gmheap"];
const CPF_KEY = /^[A-Za-z][A-Za-z0-9]*$/;

const DATABASE_KEYS = [
  "engine",
  "name",
  "volumeSize",
  "version",
  "image",
  "resources",
  "exposure",
  "iris",
  "mysql",
  "postgres",
  "restoreFrom",
];
const EXPOSURE_KEYS: Record<string, string[]> = {
  clusterIP: ["type"],
  loadBalancer: ["type", "allowedSourceRanges", "annotations"],
  nodePort: ["type", "allowedSourceRanges", "nodePorts"],
};
const NODE_PORT_RANGE = { min: 30000, max: 32767 };
const SQL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,31}$/;
const IRIS_KEYS = ["globalBuffersMB", "gmheapKB", "cpfConfig"];

const withDefault = (raw: Partial<Record<ConfigKey, unknown>>, key: ConfigKey): unknown => {
  const spec: ConfigKeySpec = CONFIG_KEYS[key];
  return raw[key] ?? spec.default;
};

/**
 * Validates raw config values (keys without the `hadb:` prefix, already parsed from their string form)
 * and applies defaults. Throws ConfigError naming every problem.
 */
export function validateConfig(
  raw: Partial<Record<ConfigKey, unknown>>,
  earlierProblems: string[] = [],
  providerConfig: Record<string, string> = {},
): HadbConfig {
  const problems = new Problems();
  problems.list.push(...earlierProblems);
  const key = (name: ConfigKey): string => `${CONFIG_NAMESPACE}:${name}`;

  const cloud = problems.choice(
    key("cloud"),
    withDefault(raw, "cloud"),
    CLOUDS,
    NOT_SUPPORTED_YET.cloud,
    "existing",
  );
  const storage = problems.choice(
    key("storage"),
    withDefault(raw, "storage"),
    STORAGE_BACKENDS,
    NOT_SUPPORTED_YET.storage,
    "longhorn",
  );
  const declaredNodeOs = problems.choice(
    key("nodeOs"),
    withDefault(raw, "nodeOs"),
    NODE_OS_FAMILIES,
    {},
    "detect",
  );
  const nodeCount = problems.integer(key("nodeCount"), withDefault(raw, "nodeCount"), 1, 100, 3);
  const storageReplicas = problems.integer(
    key("storageReplicas"),
    withDefault(raw, "storageReplicas"),
    MIN_STORAGE_REPLICAS,
    20,
    MIN_STORAGE_REPLICAS,
  );
  const evictionTolerationSeconds = problems.integer(
    key("evictionTolerationSeconds"),
    withDefault(raw, "evictionTolerationSeconds"),
    0,
    KUBERNETES_DEFAULT_TOLERATION_SECONDS,
    15,
  );

  const prepareNodesRaw = withDefault(raw, "prepareNodes");
  if (typeof prepareNodesRaw !== "boolean")
    problems.add(key("prepareNodes"), prepareNodesRaw, "must be true or false");
  const prepareNodes = prepareNodesRaw !== false;

  const namespace =
    problems.string(
      key("namespace"),
      withDefault(raw, "namespace"),
      DNS_LABEL,
      "must be a DNS label (lowercase letters, digits, '-', starting with a letter)",
    ) ?? "hadb";

  const givenZones = readZones(problems, key("zones"), withDefault(raw, "zones"));

  // Managed clouds: the cluster's own settings decide zones (defaults) and the node OS (its image).
  let managedCluster: ManagedClusterSettings | undefined;
  let zones = givenZones;
  let nodeOs = declaredNodeOs;
  for (const managed of MANAGED_CLOUDS) {
    const settingsRaw = withDefault(raw, managed);
    if (cloud !== managed) {
      if (!isEmptyObject(settingsRaw))
        problems.add(key(managed), settingsRaw, `only applies to cloud "${managed}" (cloud is "${cloud}")`);
      continue;
    }
    const result = readManagedCluster(problems, key(managed), {
      cloud: managed,
      value: settingsRaw,
      providerConfig,
      zones: givenZones,
      nodeCount,
    });
    managedCluster = result.settings;
    zones = result.zones;
    nodeOs = result.nodeOs;
    if (declaredNodeOs !== "detect" && declaredNodeOs !== result.nodeOs) {
      problems.add(
        key("nodeOs"),
        declaredNodeOs,
        `contradicts ${key(managed)}.nodeImage ${result.settings.nodeImage} (a ${result.nodeOs} image): leave hadb:nodeOs unset on ${managed}`,
      );
    }
  }

  // Never echo these values: a kubeconfig holds credentials.
  const optionalText = (name: "kubeconfig" | "kubeContext"): string | undefined => {
    const value = raw[name];
    if (value === undefined || value === "") return undefined;
    if (typeof value !== "string" || value.trim() === "") {
      problems.add(key(name), "(set)", "must be a non-empty string");
      return undefined;
    }
    if (cloud !== "existing") {
      problems.add(key(name), "(set)", `only applies to cloud "existing" (cloud is "${cloud}")`);
    }
    return value;
  };
  const kubeconfig = optionalText("kubeconfig");
  const kubeContext = optionalText("kubeContext");

  if (REPLICATED_BACKENDS.includes(storage)) {
    if (nodeCount < MIN_REPLICATED_NODES) {
      problems.add(
        key("nodeCount"),
        nodeCount,
        `is too small for replicated storage "${storage}": needs at least ${MIN_REPLICATED_NODES} nodes so every replica has its own node`,
      );
    } else if (storageReplicas > nodeCount) {
      problems.add(
        key("storageReplicas"),
        storageReplicas,
        `exceeds hadb:nodeCount (${nodeCount}): replicas are forced onto different nodes`,
      );
    }
  }
  if (IMMUTABLE_NODE_OS.includes(nodeOs) && (storage === "longhorn" || storage === "iscsi")) {
    const imageKey = managedCluster ? `${key(managedCluster.cloud)}.nodeImage` : key("nodeOs");
    const image = managedCluster ? managedCluster.nodeImage : nodeOs;
    const alternative = managedCluster
      ? (CLOUD_RULES[managedCluster.cloud].nodeImages.find(
          (candidate) =>
            !IMMUTABLE_NODE_OS.includes(CLOUD_RULES[managedCluster.cloud].nodeOsOf[candidate] ?? "detect"),
        ) ?? "an Ubuntu image")
      : "debian (an Ubuntu image)";
    problems.add(
      imageKey,
      image,
      `cannot run storage "${storage}": a ${nodeOs} node image is read-only and cannot install open-iscsi; use ${alternative}`,
    );
  }

  const databases = readDatabases(problems, key("databases"), withDefault(raw, "databases"), storage);
  checkNodePorts(problems, key("databases"), databases);

  const vagrantRaw = withDefault(raw, "vagrant");
  let vagrant: VagrantSettings | undefined;
  if (cloud === "vagrant") {
    vagrant = readVagrant(problems, key("vagrant"), vagrantRaw, nodeCount);
    if (RAW_DISK_BACKENDS.includes(storage) && vagrant.memoryMB < MIN_CEPH_NODE_MEMORY_MB)
      problems.add(
        `${key("vagrant")}.memoryMB`,
        vagrant.memoryMB,
        `is too small for storage "${storage}": a node runs ${storage === "portworx" ? "Portworx (4 GB minimum per node)" : "a Ceph monitor, an OSD (4 GiB memory target)"} and a database; give at least ${MIN_CEPH_NODE_MEMORY_MB}`,
      );
  } else if (!isEmptyObject(vagrantRaw))
    problems.add(key("vagrant"), vagrantRaw, `only applies to cloud "vagrant" (cloud is "${cloud}")`);

  const iscsiRaw = withDefault(raw, "iscsi");
  // A string key: the loader never hands over anything else.
  const chapPassword =
    typeof raw.iscsiChapPassword === "string" && raw.iscsiChapPassword !== ""
      ? raw.iscsiChapPassword
      : undefined;
  let iscsi: IscsiSettings | undefined;
  if (storage === "iscsi")
    iscsi = readIscsi(problems, key("iscsi"), iscsiRaw, { cloud, databases, chapPassword });
  else {
    if (!isEmptyObject(iscsiRaw))
      problems.add(key("iscsi"), iscsiRaw, `only applies to storage "iscsi" (storage is "${storage}")`);
    if (chapPassword !== undefined)
      problems.add(
        key("iscsiChapPassword"),
        "(set)",
        `only applies to storage "iscsi" (storage is "${storage}")`,
      );
  }

  const blockDevices = readBlockDevices(problems, key("blockDevices"), withDefault(raw, "blockDevices"), {
    cloud,
    storage,
    nodeOs,
  });
  const portworx = readPortworx(problems, raw, { cloud, storage });
  const backups = readBackups(problems, key("backups"), withDefault(raw, "backups"), {
    cloud,
    storage,
    databases,
  });
  // Clouds serve VolumeSnapshots; elsewhere hadb installs the controller along with backups.
  const snapshotsServed = (MANAGED_CLOUDS as readonly string[]).includes(cloud) || backups.enabled;
  checkRestores(problems, key("databases"), databases, storage, backups, snapshotsServed);
  const disasterRecovery = readDisasterRecovery(
    problems,
    key("disasterRecovery"),
    withDefault(raw, "disasterRecovery"),
    {
      storage,
      portworx,
      backups,
      databases,
      databasesSet: raw.databases !== undefined,
      ambientKubeconfig: cloud === "existing" && kubeconfig === undefined,
    },
  );
  if (!disasterRecovery) checkDomainWithoutPair(problems, portworx);

  if (problems.list.length > 0) throw new ConfigError(problems.list);
  return {
    cloud,
    storage,
    nodeCount,
    zones,
    nodeOs,
    kubeconfig,
    kubeContext,
    prepareNodes,
    storageReplicas,
    namespace,
    evictionTolerationSeconds,
    databases,
    ...(vagrant ? { vagrant } : {}),
    ...(iscsi ? { iscsi } : {}),
    ...(managedCluster ? { managedCluster } : {}),
    blockDevices,
    ...(portworx ? { portworx } : {}),
    backups,
    ...(disasterRecovery ? { disasterRecovery } : {}),
  };
}

/** Lab VM memory that fits a Ceph monitor + OSD next to a database. */
const MIN_CEPH_NODE_MEMORY_MB = 8192;
const DEVICE_PATH = /^\/dev\/[A-Za-z0-9][A-Za-z0-9/_.:-]*$/;

function readBlockDevices(
  problems: Problems,
  key: string,
  value: unknown,
  context: { cloud: Cloud; storage: StorageBackend; nodeOs: NodeOsFamily },
): string[] {
  const { cloud, storage, nodeOs } = context;
  if (!Array.isArray(value) || value.some((path) => typeof path !== "string" || !DEVICE_PATH.test(path))) {
    problems.add(key, value, 'must be a list of device paths, e.g. ["/dev/sdb"] or ["/dev/disk/by-id/..."]');
    return [];
  }
  const paths = value as string[];
  const usesRawDisks = RAW_DISK_BACKENDS.includes(storage);
  if (paths.length > 0 && !usesRawDisks) {
    problems.add(key, paths, `only applies to storage ${oneOf(RAW_DISK_BACKENDS)} (storage is "${storage}")`);
  } else if (paths.length > 0 && cloud !== "existing") {
    problems.add(
      key,
      paths,
      `only applies to cloud "existing": on "${cloud}" hadb provides the disks itself${(MANAGED_CLOUDS as readonly string[]).includes(cloud) ? ` (size: hadb:${cloud}.storageDiskGB)` : ""}`,
    );
  }
  if (!usesRawDisks) return paths;
  if (cloud === "existing" && paths.length === 0) {
    problems.add(
      key,
      paths,
      `is required for storage "${storage}" on an existing cluster: list the empty raw disks every node has, e.g. ["/dev/sdb"]`,
    );
  }
  if (nodeOs === "cos" && storage === "rook-ceph") {
    problems.add(
      "hadb:storage",
      storage,
      "cannot run on Container-Optimized OS nodes: COS has no rbd kernel module; use an Ubuntu node image",
    );
  }
  return paths;
}

export const BACKUP_DEFAULTS: BackupSettings = {
  enabled: false,
  // Every 6 hours, kept 4 weeks; hourly local snapshots, kept a day.
  schedule: "0 */6 * * *",
  retain: 112,
  snapshotSchedule: "0 * * * *",
  snapshotRetain: 24,
};
const BACKUP_KEYS = ["enabled", "schedule", "retain", "snapshotSchedule", "snapshotRetain", "target"];
const NFS_EXPORT = /^[A-Za-z0-9.-]+:\/[A-Za-z0-9._/-]*$/;

function readBackups(
  problems: Problems,
  key: string,
  value: unknown,
  context: { cloud: Cloud; storage: StorageBackend; databases: DatabaseSpec[] },
): BackupSettings {
  const { cloud, storage, databases } = context;
  if (!isRecord(value)) {
    problems.add(key, value, 'must be an object like {enabled: true, schedule: "0 */6 * * *", retain: 112}');
    return BACKUP_DEFAULTS;
  }
  problems.unknownKeys(key, value, BACKUP_KEYS);
  const settings: BackupSettings = { ...BACKUP_DEFAULTS };
  const enabled = value.enabled ?? false;
  if (typeof enabled !== "boolean") problems.add(`${key}.enabled`, enabled, "must be true or false");
  else settings.enabled = enabled;
  for (const field of ["schedule", "snapshotSchedule"] as const) {
    const cron = value[field];
    if (cron === undefined) continue;
    const problem = typeof cron === "string" ? cronProblem(cron) : "must be a cron string";
    if (problem !== undefined) problems.add(`${key}.${field}`, cron, problem);
    else settings[field] = cron as string;
  }
  for (const field of ["retain", "snapshotRetain"] as const) {
    if (value[field] !== undefined)
      settings[field] = problems.integer(`${key}.${field}`, value[field], 1, 1000, BACKUP_DEFAULTS[field]);
  }
  const managed = (MANAGED_CLOUDS as readonly string[]).includes(cloud);
  if (value.target !== undefined) {
    const target = value.target;
    if (managed) {
      problems.add(
        `${key}.target`,
        target,
        `only applies to clusters hadb has no object store for: on "${cloud}" hadb creates the bucket itself`,
      );
    } else if (!isRecord(target) || typeof target.nfs !== "string" || !NFS_EXPORT.test(target.nfs)) {
      problems.add(
        `${key}.target`,
        target,
        'must be {nfs: "server:/export"}, an NFS export outside the cluster',
      );
    } else settings.nfsTarget = target.nfs;
  }
  if (!settings.enabled) return settings;
  if (!managed && settings.nfsTarget === undefined) {
    problems.add(
      `${key}.target`,
      value.target,
      `is required when backups are enabled on cloud "${cloud}" (hadb creates object stores on aks | eks | gke only): give {nfs: "server:/export"}`,
    );
  }
  if (storage === "iscsi") {
    problems.add(
      `${key}.enabled`,
      settings.enabled,
      'cannot protect storage "iscsi": static LUNs have no snapshots here; snapshot the LUNs on the target instead',
    );
  }
  if (settings.nfsTarget !== undefined && databases.some((database) => database.engine === "postgres"))
    problems.add(
      `${key}.target`,
      value.target,
      "cannot hold pgBackRest repositories (they need object storage): PostgreSQL backups need a cloud stack",
    );
  return settings;
}

/** Fixed node ports are cluster-wide: two databases cannot claim the same one. */
function checkNodePorts(problems: Problems, key: string, databases: DatabaseSpec[]): void {
  const owners = new Map<number, string>();
  databases.forEach((database, index) => {
    if (database.exposure.type !== "nodePort") return;
    for (const [portName, nodePort] of Object.entries(database.exposure.nodePorts)) {
      const owner = owners.get(nodePort);
      if (owner !== undefined) {
        problems.add(
          `${key}[${index}].exposure.nodePorts.${portName}`,
          nodePort,
          `is already used by ${owner}`,
        );
      }
      owners.set(nodePort, `${database.name}.${portName}`);
    }
  });
}

function readZones(problems: Problems, key: string, value: unknown): string[] {
  if (!Array.isArray(value) || value.some((zone) => typeof zone !== "string" || zone.trim() === "")) {
    problems.add(key, value, 'must be a list of zone names, e.g. ["eastus-1", "eastus-2", "eastus-3"]');
    return [];
  }
  const zones = value as string[];
  const duplicates = zones.filter((zone, index) => zones.indexOf(zone) !== index);
  if (duplicates.length > 0)
    problems.add(key, zones, `must list distinct zones; repeated: ${[...new Set(duplicates)].join(", ")}`);
  return zones;
}

function readDatabases(
  problems: Problems,
  key: string,
  value: unknown,
  storage: StorageBackend,
): DatabaseSpec[] {
  if (!Array.isArray(value)) {
    problems.add(key, value, "must be a list of database entries, e.g. [{engine: iris, name: iris}]");
    return [];
  }
  const databases: DatabaseSpec[] = [];
  const seen = new Map<string, number>();
  value.forEach((entry: unknown, index) => {
    const entryKey = `${key}[${index}]`;
    const database = readDatabase(problems, entryKey, entry, storage);
    if (!database) return;
    const first = seen.get(database.name);
    if (first !== undefined) {
      problems.add(
        `${entryKey}.name`,
        database.name,
        `duplicates ${key}[${first}].name: database names must be unique`,
      );
    } else {
      seen.set(database.name, index);
    }
    databases.push(database);
  });
  return databases;
}

function readDatabase(
  problems: Problems,
  key: string,
  entry: unknown,
  storageForPostgres: StorageBackend,
): DatabaseSpec | undefined {
  if (!isRecord(entry)) {
    problems.add(key, entry, "must be an object with at least engine and name");
    return undefined;
  }
  problems.unknownKeys(key, entry, DATABASE_KEYS);
  const engine = problems.choice(`${key}.engine`, entry.engine, ENGINES, NOT_SUPPORTED_YET.engine, "iris");
  const catalog = ENGINE_CATALOG[engine];
  const name = problems.string(
    `${key}.name`,
    entry.name,
    new RegExp(`^(?=.{1,${MAX_DATABASE_NAME_LENGTH}}$)${DNS_LABEL.source.slice(1, -1)}$`),
    `must be a DNS label of at most ${MAX_DATABASE_NAME_LENGTH} characters (lowercase letters, digits, '-', starting with a letter)`,
  );
  const volumeSize = entry.volumeSize ?? "10Gi";
  const volumeBytes = problems.quantity(`${key}.volumeSize`, volumeSize, "storage");
  if (volumeBytes > 0 && volumeBytes < 1024 * MEBIBYTE) {
    problems.add(
      `${key}.volumeSize`,
      volumeSize,
      "must be at least 1Gi (a database volume holds data, journals and logs)",
    );
  }
  const image = readImage(problems, key, entry, engine);
  const resources = readResources(problems, `${key}.resources`, entry.resources, catalog.defaultResources);
  const exposure = readExposure(problems, `${key}.exposure`, entry.exposure, Object.keys(catalog.ports));

  let iris: IrisSettings | undefined;
  if (engine === "iris") {
    iris = readIris(problems, `${key}.iris`, entry.iris, parseQuantity(resources.limits.memory) ?? 0);
  } else if (entry.iris !== undefined) {
    problems.add(`${key}.iris`, entry.iris, `only applies to engine "iris" (engine is "${engine}")`);
  }
  let mysql: MysqlSettings | undefined;
  if (engine === "mysql") {
    mysql = readMysql(problems, `${key}.mysql`, entry.mysql, name ?? "app");
  } else if (entry.mysql !== undefined) {
    problems.add(`${key}.mysql`, entry.mysql, `only applies to engine "mysql" (engine is "${engine}")`);
  }
  let postgres: PostgresSettings | undefined;
  if (engine === "postgres") {
    postgres = readPostgres(problems, `${key}.postgres`, entry.postgres, name ?? "app", image);
    if (entry.image !== undefined)
      problems.add(
        `${key}.image`,
        entry.image,
        'is not used by engine "postgres": the operator pins the image of each major version; set version instead',
      );
    if (storageForPostgres === "iscsi" && postgres.instances > 1)
      problems.add(
        `${key}.postgres.instances`,
        postgres.instances,
        'must be 1 on storage "iscsi": one LUN per database, and a replica needs a volume of its own',
      );
    if (exposure.type !== "clusterIP")
      problems.add(
        `${key}.exposure.type`,
        exposure.type,
        'is not supported for engine "postgres" (the operator\'s Service has no source-range allowlist); use clusterIP',
      );
  } else if (entry.postgres !== undefined) {
    problems.add(
      `${key}.postgres`,
      entry.postgres,
      `only applies to engine "postgres" (engine is "${engine}")`,
    );
  }
  const restoreFrom = readRestoreFrom(problems, `${key}.restoreFrom`, entry.restoreFrom, engine);
  if (name === undefined) return undefined;
  return {
    ...(restoreFrom ? { restoreFrom } : {}),
    engine,
    name,
    volumeSize: typeof volumeSize === "string" ? volumeSize : "10Gi",
    image,
    resources,
    exposure,
    ...(iris ? { iris } : {}),
    ...(mysql ? { mysql } : {}),
    ...(postgres ? { postgres } : {}),
  };
}

/** PostgreSQL majors PGO 5.8 ships images for (it supports 18 since 5.8.4). */
export const POSTGRES_VERSIONS = [16, 17, 18];
const MAX_POSTGRES_INSTANCES = 3;

function readPostgres(
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
    database: databaseName.replace(/-/g, "_"),
    user: "app",
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
  if (user === "postgres")
    problems.add(
      `${key}.user`,
      user,
      "must not be postgres: the application gets its own, non-superuser role",
    );
  return { version, instances, database: read("database"), user };
}

function readMysql(problems: Problems, key: string, value: unknown, databaseName: string): MysqlSettings {
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

function readImage(problems: Problems, key: string, entry: Record<string, unknown>, engine: Engine): string {
  const catalog = ENGINE_CATALOG[engine];
  if (entry.version !== undefined && entry.image !== undefined) {
    problems.add(
      `${key}.image`,
      entry.image,
      "cannot be combined with version: give either a version or a full image",
    );
  }
  if (entry.image !== undefined) {
    const image = problems.string(
      `${key}.image`,
      entry.image,
      /^[a-z0-9][a-z0-9._\-/:]*(:[A-Za-z0-9_][A-Za-z0-9._-]{0,127}|@sha256:[a-f0-9]{64})$/,
      "must be a pinned image reference with a tag or digest, e.g. registry/repo:2026.1",
    );
    if (image !== undefined && /:latest(@|$)/.test(image)) {
      problems.add(`${key}.image`, image, 'must not use the moving tag "latest": pin a version');
    }
    return image ?? "";
  }
  if (entry.version !== undefined) {
    const version = problems.string(
      `${key}.version`,
      entry.version,
      catalog.versionPattern,
      `is not a supported ${engine} version; expected a version like "${catalog.versionExample}"`,
    );
    return `${catalog.imageRepository}:${version ?? catalog.defaultVersion}`;
  }
  return `${catalog.imageRepository}:${catalog.defaultVersion}`;
}

/** YAML `cpu: 2` arrives as a number: accept it as "2". Anything else stays visible so its check fails. */
function quantityText(value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value === "string") return value;
  return typeof value === "number" ? String(value) : JSON.stringify(value);
}

function readResources(
  problems: Problems,
  key: string,
  value: unknown,
  defaults: ContainerResources,
): ContainerResources {
  if (value === undefined) return defaults;
  if (!isRecord(value)) {
    problems.add(key, value, 'must be an object like {requests: {cpu: "1", memory: "4Gi"}, limits: {...}}');
    return defaults;
  }
  problems.unknownKeys(key, value, ["requests", "limits"]);
  const read = (part: "requests" | "limits"): ResourceQuantities => {
    const given = value[part];
    if (given === undefined) return defaults[part];
    if (!isRecord(given)) {
      problems.add(`${key}.${part}`, given, "must be an object with cpu and/or memory");
      return defaults[part];
    }
    problems.unknownKeys(`${key}.${part}`, given, ["cpu", "memory"]);
    return {
      cpu: quantityText(given.cpu, defaults[part].cpu),
      memory: quantityText(given.memory, defaults[part].memory),
    };
  };
  // A partial override applies to both sides unless both are given: requests = limits keeps Guaranteed QoS.
  const requests = read("requests");
  const limits = value.limits === undefined ? requests : read("limits");
  const finalRequests = value.requests === undefined ? limits : requests;
  for (const resource of ["cpu", "memory"] as const) {
    const request = problems.quantity(`${key}.requests.${resource}`, finalRequests[resource], resource);
    const limit = problems.quantity(`${key}.limits.${resource}`, limits[resource], resource);
    if (request > 0 && limit > 0 && request > limit) {
      problems.add(
        `${key}.requests.${resource}`,
        finalRequests[resource],
        `exceeds limits.${resource} (${limits[resource]})`,
      );
    }
  }
  const memoryLimit = parseQuantity(limits.memory) ?? 0;
  if (memoryLimit > 0 && memoryLimit < 1024 * MEBIBYTE) {
    problems.add(`${key}.limits.memory`, limits.memory, "must be at least 1Gi for a database server");
  }
  return { requests: finalRequests, limits };
}

function readExposure(problems: Problems, key: string, value: unknown, portNames: string[]): Exposure {
  if (value === undefined) return { type: "clusterIP" };
  if (!isRecord(value)) {
    problems.add(key, value, `must be an object with type ${oneOf(EXPOSURE_TYPES)}`);
    return { type: "clusterIP" };
  }
  const type = problems.choice(`${key}.type`, value.type, EXPOSURE_TYPES, {}, "clusterIP");
  problems.unknownKeys(key, value, EXPOSURE_KEYS[type] ?? []);
  if (type === "clusterIP") return { type: "clusterIP" };

  const ranges = value.allowedSourceRanges;
  if (!Array.isArray(ranges) || ranges.length === 0) {
    problems.add(
      `${key}.allowedSourceRanges`,
      ranges,
      `is required for a ${type}: list the CIDRs allowed to connect, e.g. ["10.0.0.0/8"]; databases are private by default`,
    );
    return { type: "clusterIP" };
  }
  ranges.forEach((range: unknown, index) => {
    const rangeKey = `${key}.allowedSourceRanges[${index}]`;
    if (typeof range !== "string" || !isCidr(range))
      problems.add(rangeKey, range, "must be a CIDR such as 203.0.113.0/24");
    else if (isWholeInternet(range)) {
      problems.add(
        rangeKey,
        range,
        "opens the database to every address: list only the networks that need access",
      );
    }
  });
  const allowedSourceRanges = ranges.map(String);
  if (type === "nodePort") {
    const nodePorts: Record<string, number> = {};
    const given = value.nodePorts ?? {};
    if (!isRecord(given))
      problems.add(`${key}.nodePorts`, given, `must map port names (${oneOf(portNames)}) to node ports`);
    else {
      for (const [portName, nodePort] of Object.entries(given)) {
        const portKey = `${key}.nodePorts.${portName}`;
        if (!portNames.includes(portName))
          problems.add(portKey, nodePort, `names no port of this engine; ports: ${oneOf(portNames)}`);
        else {
          nodePorts[portName] = problems.integer(
            portKey,
            nodePort,
            NODE_PORT_RANGE.min,
            NODE_PORT_RANGE.max,
            NODE_PORT_RANGE.min,
          );
        }
      }
    }
    return { type: "nodePort", allowedSourceRanges, nodePorts };
  }
  const annotations = value.annotations ?? {};
  if (!isRecord(annotations) || Object.values(annotations).some((v) => typeof v !== "string")) {
    problems.add(`${key}.annotations`, annotations, "must be a map of string annotation values");
  }
  return {
    type: "loadBalancer",
    allowedSourceRanges,
    annotations: isRecord(annotations) ? (annotations as Record<string, string>) : {},
  };
}

function readIris(problems: Problems, key: string, value: unknown, memoryLimitBytes: number): IrisSettings {
  const defaults: IrisSettings = {
    globalBuffersMB: Math.max(64, Math.floor((memoryLimitBytes * IRIS_GLOBAL_BUFFER_SHARE) / MEBIBYTE)),
    gmheapKB: IRIS_DEFAULT_GMHEAP_KB,
    cpfConfig: {},
  };
  if (value === undefined) return defaults;
  if (!isRecord(value)) {
    problems.add(key, value, `must be an object with ${oneOf(IRIS_KEYS)}`);
    return defaults;
  }
  problems.unknownKeys(key, value, IRIS_KEYS);
  const limitMB = Math.floor(memoryLimitBytes / MEBIBYTE);
  const globalBuffersMB =
    value.globalBuffersMB === undefined
      ? defaults.globalBuffersMB
      : problems.integer(
          `${key}.globalBuffersMB`,
          value.globalBuffersMB,
          16,
          Math.max(16, Math.floor(limitMB * 0.8)),
          0,
        );
  const gmheapKB =
    value.gmheapKB === undefined
      ? defaults.gmheapKB
      : problems.integer(`${key}.gmheapKB`, value.gmheapKB, 16384, 1073741760, 0);

  const cpfConfig: Record<string, string> = {};
  const cpf = value.cpfConfig ?? {};
  if (!isRecord(cpf)) {
    problems.add(`${key}.cpfConfig`, cpf, "must be a map of [config] keys to values");
  } else {
    for (const [name, setting] of Object.entries(cpf)) {
      const settingKey = `${key}.cpfConfig.${name}`;
      if (!CPF_KEY.test(name))
        problems.add(settingKey, setting, "has an invalid CPF key name (letters and digits only)");
      else if (MANAGED_CPF_KEYS.includes(name.toLowerCase())) {
        problems.add(settingKey, setting, `is managed by hadb: use ${key}.globalBuffersMB / gmheapKB`);
      } else if (
        (typeof setting !== "string" && typeof setting !== "number") ||
        /[\r\n[\]]/.test(String(setting))
      ) {
        problems.add(settingKey, setting, "must be a single-line string or number (no newlines or brackets)");
      } else cpfConfig[name] = String(setting);
    }
  }
  return { globalBuffersMB, gmheapKB, cpfConfig };
}

const LONGHORN_BACKUP_URL =
  /^(s3|azblob|nfs|cifs):\/\/[^\s?]+\?(?=.*\bbackup=[\w.-]+)(?=.*\bvolume=[\w.-]+)[^\s]*$/;

function readRestoreFrom(
  problems: Problems,
  key: string,
  value: unknown,
  engine: Engine,
): RestoreSource | undefined {
  if (value === undefined) return undefined;
  if (engine === "postgres") {
    problems.add(key, value, 'is not used by engine "postgres": PGO restores from its pgBackRest repository');
    return undefined;
  }
  if (!isRecord(value) || Object.keys(value).length !== 1) {
    problems.add(key, value, 'must be {volumeSnapshot: "<name>"} or {longhornBackup: "<backup URL>"}');
    return undefined;
  }
  if (value.volumeSnapshot !== undefined) {
    const name = problems.string(
      `${key}.volumeSnapshot`,
      value.volumeSnapshot,
      DNS_LABEL,
      "must name a VolumeSnapshot in the databases' namespace",
    );
    return name === undefined ? undefined : { kind: "volumeSnapshot", name };
  }
  if (value.longhornBackup !== undefined) {
    const url = problems.string(
      `${key}.longhornBackup`,
      value.longhornBackup,
      LONGHORN_BACKUP_URL,
      "must be a Longhorn backup URL with backup= and volume= (the Backup's status.url)",
    );
    return url === undefined ? undefined : { kind: "longhornBackup", url };
  }
  problems.add(key, value, 'must be {volumeSnapshot: "<name>"} or {longhornBackup: "<backup URL>"}');
  return undefined;
}

/** A restore source must be one the stack's storage can read. */
function checkRestores(
  problems: Problems,
  key: string,
  databases: DatabaseSpec[],
  storage: StorageBackend,
  backups: BackupSettings,
  snapshotsServed: boolean,
): void {
  databases.forEach((database, index) => {
    const source = database.restoreFrom;
    if (!source) return;
    const entryKey = `${key}[${index}].restoreFrom`;
    if (source.kind === "longhornBackup" && storage === "longhorn") {
      if (!backups.enabled)
        problems.add(
          `${entryKey}.longhornBackup`,
          source.url,
          "needs hadb:backups.enabled with the backup's target: Longhorn restores only from its own backup target",
        );
      else if (backups.nfsTarget !== undefined && !source.url.startsWith(`nfs://${backups.nfsTarget}`))
        problems.add(
          `${entryKey}.longhornBackup`,
          source.url,
          `is not on this stack's backup target nfs://${backups.nfsTarget}: Longhorn restores only from its own target`,
        );
    }
    if (source.kind === "longhornBackup" && storage !== "longhorn")
      problems.add(
        `${entryKey}.longhornBackup`,
        source.url,
        `is a Longhorn backup, but storage is "${storage}": restore it into a longhorn stack`,
      );
    if (source.kind === "volumeSnapshot" && storage !== "iscsi" && !snapshotsServed)
      problems.add(
        `${entryKey}.volumeSnapshot`,
        source.name,
        "needs VolumeSnapshot support, which this cluster gets only with hadb:backups.enabled (hadb then installs the snapshot controller); or restore from a longhornBackup",
      );
    if (source.kind === "volumeSnapshot" && storage === "iscsi")
      problems.add(
        `${entryKey}.volumeSnapshot`,
        source.name,
        'cannot be restored onto storage "iscsi": static LUNs have no snapshots',
      );
  });
}
