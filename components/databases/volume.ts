// The claim holding a database's data, on whatever the storage layer provides.
import type * as k8s from "@pulumi/kubernetes";
import type { DatabaseSpec } from "../config/types";

/** Where the claim's volume comes from (from the StorageHandle). */
export interface DataVolume {
  storageClassName: string;
  /** A pre-created PersistentVolume to bind to (static backends such as iSCSI); undefined = provisioned. */
  volumeName?: string;
}

export function dataClaim(
  database: DatabaseSpec,
  metadata: { name: string; namespace: string; labels: Record<string, string> },
  volume: DataVolume,
): k8s.types.input.core.v1.PersistentVolumeClaim {
  return {
    metadata,
    spec: {
      // One node at a time: with a single writer, no second pod can mount the volume elsewhere.
      accessModes: ["ReadWriteOnce"],
      storageClassName: volume.storageClassName,
      ...(volume.volumeName ? { volumeName: volume.volumeName } : {}),
      resources: { requests: { storage: database.volumeSize } },
    },
  };
}

/** The volume a database's claim asks for, from the storage layer's handle. */
export function dataVolumeOf(
  storage: { storageClassName: string; volumeNameFor?: (databaseName: string) => string },
  databaseName: string,
): DataVolume {
  return { storageClassName: storage.storageClassName, volumeName: storage.volumeNameFor?.(databaseName) };
}
