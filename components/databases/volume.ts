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
