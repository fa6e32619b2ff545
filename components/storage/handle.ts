import type * as pulumi from "@pulumi/pulumi";
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
  /** Static backends (iSCSI): the PersistentVolume pre-bound to a database's claim. */
  volumeNameFor?: (databaseName: string) => string;
}
