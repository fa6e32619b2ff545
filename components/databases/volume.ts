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

/**
 * The claim as created: protection labels added, and, for a restore, started from a VolumeSnapshot
 * (dataSource) or from a Longhorn backup (the storage layer's per-database restore class).
 */
export function claimWithRestore(
  claim: k8s.types.input.core.v1.PersistentVolumeClaim,
  database: DatabaseSpec,
  extras: { labels: Record<string, string>; restoreClassName?: string },
): k8s.types.input.core.v1.PersistentVolumeClaim {
  const metadata = claim.metadata as { name: string; namespace: string; labels?: Record<string, string> };
  const spec = claim.spec as k8s.types.input.core.v1.PersistentVolumeClaimSpec;
  const source = database.restoreFrom;
  return {
    ...claim,
    metadata: { ...metadata, labels: { ...metadata.labels, ...extras.labels } },
    spec: {
      ...spec,
      ...(source?.kind === "volumeSnapshot"
        ? { dataSource: { apiGroup: "snapshot.storage.k8s.io", kind: "VolumeSnapshot", name: source.name } }
        : {}),
      ...(source?.kind === "longhornBackup" && extras.restoreClassName
        ? { storageClassName: extras.restoreClassName }
        : {}),
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
