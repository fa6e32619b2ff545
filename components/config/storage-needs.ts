// Cross-key rules: what each storage backend needs from the cluster (nodes, node image, memory, disks),
// as its entry in the storage catalog says.
import { RAW_DISK_BACKENDS, STORAGE_CATALOG } from "../storage/catalog";
import { CLOUD_RULES } from "./cloud-rules";
import { CONFIG_NAMESPACE, type ConfigKey } from "./keys";
import { oneOf, Problems } from "./problems";
import {
  IMMUTABLE_NODE_OS,
  MANAGED_CLOUDS,
  type Cloud,
  type ManagedClusterSettings,
  type NodeOsFamily,
  type StorageBackend,
  type VagrantSettings,
} from "./types";

const MIN_REPLICATED_NODES = 3;
const DEVICE_PATH = /^\/dev\/[A-Za-z0-9][A-Za-z0-9/_.:-]*$/;

export function readBlockDevices(
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
  const usesRawDisks = STORAGE_CATALOG[storage].needs.rawDisks;
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
  if (nodeOs === "cos" && STORAGE_CATALOG[storage].needs.rbdKernelModule) {
    problems.add(
      "hadb:storage",
      storage,
      "cannot run on Container-Optimized OS nodes: COS has no rbd kernel module; use an Ubuntu node image",
    );
  }
  return paths;
}

const key = (name: ConfigKey): string => `${CONFIG_NAMESPACE}:${name}`;

/** Replicated backends put every replica on its own node. */
export function checkReplicaNodes(
  problems: Problems,
  context: { storage: StorageBackend; nodeCount: number; storageReplicas: number },
): void {
  const { storage, nodeCount, storageReplicas } = context;
  if (!STORAGE_CATALOG[storage].needs.replicatedNodes) return;
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

/** Longhorn and iSCSI need open-iscsi on the node, which a read-only image cannot install. */
export function checkNodeImage(
  problems: Problems,
  context: {
    storage: StorageBackend;
    nodeOs: NodeOsFamily;
    managedCluster: ManagedClusterSettings | undefined;
  },
): void {
  const { storage, nodeOs, managedCluster } = context;
  if (IMMUTABLE_NODE_OS.includes(nodeOs) && STORAGE_CATALOG[storage].needs.iscsiInitiator) {
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
}

/** A lab VM running the storage system (Ceph, Portworx) next to a database needs the memory for both. */
export function checkVagrantMemory(
  problems: Problems,
  memoryKey: string,
  storage: StorageBackend,
  vagrant: VagrantSettings,
): void {
  const needed = STORAGE_CATALOG[storage].needs.labNodeMemory;
  if (needed && vagrant.memoryMB < needed.minimumMB)
    problems.add(
      memoryKey,
      vagrant.memoryMB,
      `is too small for storage "${storage}": a node runs ${needed.runs} and a database; give at least ${needed.minimumMB}`,
    );
}
