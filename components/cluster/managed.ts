import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { ManagedClusterSettings, NodeOsFamily } from "../config/types";
import type { BackupStoreHandle, ClusterHandle, NodePreparation } from "./handle";
import { DATABASE_POOL_LABEL } from "./pools";

/** What every cloud cluster component (AKS, EKS, GKE) is built from. */
export interface ManagedClusterArgs {
  settings: ManagedClusterSettings;
  /** Validated: exactly 3 distinct zones of the region. */
  zones: string[];
  /** Validated: a multiple of the zone count. */
  nodeCount: number;
  nodeOs: NodeOsFamily;
  /** Create the private object store for backups. */
  backups: boolean;
  /** Give the nodes the cloud permissions Portworx needs to create and attach its drives. */
  portworx: boolean;
}

export interface ManagedClusterParts {
  provider: k8s.Provider;
  kubeconfig: pulumi.Output<string>;
  /** The cloud's name of the cluster (known after deploy). */
  clusterName: pulumi.Output<string>;
  nodePreparation: NodePreparation;
  /** The cloud's block StorageClass that OSD claims use, and the Portworx drive type of that disk. */
  blockStorage: { storageClassName: string; portworxDriveType: string; ready: pulumi.Resource[] };
  backupStore: BackupStoreHandle | undefined;
}

/**
 * The handle every cloud cluster hands up: what differs per cloud comes in `parts`, the rest (zones,
 * disk sizes, database pool selector, summary) follows from the validated settings the same way.
 */
export function managedClusterHandle(args: ManagedClusterArgs, parts: ManagedClusterParts): ClusterHandle {
  const { settings } = args;
  return {
    platform: settings.cloud,
    provider: parts.provider,
    kubeconfig: parts.kubeconfig,
    zones: args.zones,
    nodeOs: args.nodeOs,
    nodeCount: args.nodeCount,
    // AKS (snapshot controller), EKS (add-on created by hadb) and GKE all serve VolumeSnapshots.
    volumeSnapshots: true,
    nodePreparation: parts.nodePreparation,
    blockDevices: {
      kind: "volumes",
      storageClassName: parts.blockStorage.storageClassName,
      sizeGB: settings.storageDiskGB,
      portworxDeviceSpec: `type=${parts.blockStorage.portworxDriveType},size=${settings.storageDiskGB}`,
      ready: parts.blockStorage.ready,
    },
    ...(parts.backupStore ? { backupStore: parts.backupStore } : {}),
    ...(settings.databasePool ? { databaseNodeSelector: { ...DATABASE_POOL_LABEL } } : {}),
    summary: {
      platform: settings.cloud,
      name: parts.clusterName,
      region: settings.region,
      zones: args.zones,
      nodeCount: args.nodeCount,
      nodeImage: settings.nodeImage,
    },
  };
}
