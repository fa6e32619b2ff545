// Stack config validation: raw values in, a fully defaulted HadbConfig out, or a ConfigError listing
// every problem (key, bad value, what is allowed). Runs before any resource is registered.
// The readers live by concern: databases.ts (with iris/mysql/postgres/resources/exposure/restores.ts),
// backups.ts, storage-needs.ts (what a backend needs from the cluster), cloud.ts, vagrant.ts, iscsi.ts,
// portworx.ts, disaster-recovery.ts, monitoring.ts. This file reads the top-level keys and runs them in order.

import { CONFIG_KEYS, CONFIG_NAMESPACE, type ConfigKey, type ConfigKeySpec } from "./keys";
import { KUBERNETES_DEFAULT_TOLERATION_SECONDS } from "../failover/timings";
import { readFencing } from "./fencing";
import { readIscsi } from "./iscsi";
import { ConfigError, DNS_LABEL, isEmptyObject, Problems } from "./problems";
import { readPortworx } from "./portworx";
import { checkDomainWithoutPair, readDisasterRecovery } from "./disaster-recovery";
import { NOT_SUPPORTED_YET } from "./support";
import { readVagrant } from "./vagrant";
import { readManagedCluster } from "./cloud";
import { readDatabases } from "./databases";
import { checkNodePorts } from "./exposure";
import { readBackups } from "./backups";
import { readMonitoring } from "./monitoring";
import { checkRestores } from "./restores";
import { checkNodeImage, checkReplicaNodes, checkVagrantMemory, readBlockDevices } from "./storage-needs";
import { readDeployment } from "./deployment";
import {
  CLOUDS,
  MANAGED_CLOUDS,
  NODE_OS_FAMILIES,
  STORAGE_BACKENDS,
  type ManagedClusterSettings,
  type HadbConfig,
  type IscsiSettings,
  type VagrantSettings,
} from "./types";

export { ConfigError };

const MIN_STORAGE_REPLICAS = 3;

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

  checkReplicaNodes(problems, { storage, nodeCount, storageReplicas });
  checkNodeImage(problems, { storage, nodeOs, managedCluster });

  const databases = readDatabases(problems, key("databases"), withDefault(raw, "databases"), storage);
  checkNodePorts(problems, key("databases"), databases);

  const vagrantRaw = withDefault(raw, "vagrant");
  let vagrant: VagrantSettings | undefined;
  if (cloud === "vagrant") {
    vagrant = readVagrant(problems, key("vagrant"), vagrantRaw, nodeCount);
    checkVagrantMemory(problems, `${key("vagrant")}.memoryMB`, storage, vagrant);
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

  const fencing = readFencing(problems, key("fencing"), withDefault(raw, "fencing"), {
    storage,
    iscsiTarget: iscsi?.target.kind,
  });

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
  const monitoring = readMonitoring(problems, key("monitoring"), withDefault(raw, "monitoring"));

  const deployment = readDeployment(problems, (name) => withDefault(raw, name));

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
    monitoring,
    fencing,
    deployment,
  };
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
