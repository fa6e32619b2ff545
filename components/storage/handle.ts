import type * as pulumi from "@pulumi/pulumi";
import type { ClusterHandle, FenceAgentHost } from "../cluster/handle";
import type { NodePrepHandle } from "../nodeprep/component";
import type { StorageBackend } from "../config/types";

/** What the storage layer hands to the databases: where volumes come from and when they can be asked for. */
export interface StorageHandle {
  backend: StorageBackend;
  /** StorageClass for database volumes (single-writer RWO, Retain, expandable). */
  storageClassName: string;
  /** Copies kept of each volume. */
  replicaCount: number;
  /** Databases create their PVCs only after these exist. */
  ready: pulumi.Resource[];
  /** VolumeSnapshotClass of this backend, when the cluster serves VolumeSnapshots. */
  snapshotClassName?: string;
  /** Rook-Ceph/Portworx: the class (deletionPolicy Delete) of hadb's scheduled, retained snapshots. */
  scheduledSnapshotClassName?: string;
  /** Commands for failures the backend cannot handle alone (exported as `storageRunbook`). */
  runbook?: Record<string, string>;
  /** Longhorn: the StorageClass restoring a database's volume from its configured backup. */
  restoreClassFor?: (databaseName: string) => string | undefined;
  /** Static backends (iSCSI): the PersistentVolume pre-bound to a database's claim. */
  volumeNameFor?: (databaseName: string) => string;
  /** iSCSI on the lab's target with hadb:fencing automatic: where hadb's fence agent goes (docs/fencing.md). */
  fenceAgentTarget?: FenceAgentTarget;
}

export interface FenceAgentTarget {
  host: FenceAgentHost;
  iqn: string;
  /** The target and the namespace of the agent's ServiceAccount exist after these. */
  ready: pulumi.Resource[];
}

/** What a replicated backend (Longhorn, Rook-Ceph) is built from. */
export interface ReplicatedStorageArgs {
  cluster: ClusterHandle;
  nodePrep: NodePrepHandle;
  /** Copies of every volume, each on a different node (or zone). */
  replicas: number;
}
