// The claim holding a database's data, on whatever the storage layer provides.
import type * as k8s from "@pulumi/kubernetes";
import type { DatabaseSpec } from "../config/types";
import type { StorageHandle } from "../storage/handle";

/** Where the claim's volume comes from (storage handle, protection plan, restore source). */
export interface DataVolume {
  storageClassName: string;
  /** A pre-created PersistentVolume to bind to (static backends such as iSCSI); undefined = provisioned. */
  volumeName?: string;
  /** Extra claim labels (Longhorn recurring-job groups of the protection plan). */
  labels?: Record<string, string>;
  /** Start from this VolumeSnapshot instead of empty. */
  snapshot?: string;
}

export function dataClaim(
  database: DatabaseSpec,
  metadata: { name: string; namespace: string; labels: Record<string, string> },
  volume: DataVolume,
): k8s.types.input.core.v1.PersistentVolumeClaim {
  return {
    metadata: { ...metadata, labels: { ...metadata.labels, ...volume.labels } },
    spec: {
      // One node at a time: with a single writer, no second pod can mount the volume elsewhere.
      accessModes: ["ReadWriteOnce"],
      storageClassName: volume.storageClassName,
      ...(volume.volumeName ? { volumeName: volume.volumeName } : {}),
      ...(volume.snapshot !== undefined
        ? {
            dataSource: {
              apiGroup: "snapshot.storage.k8s.io",
              kind: "VolumeSnapshot",
              name: volume.snapshot,
            },
          }
        : {}),
      resources: { requests: { storage: database.volumeSize } },
    },
  };
}

/**
 * The volume a database's claim asks for: the storage layer's class (or its per-database class that
 * restores a Longhorn backup), a static PV if the backend has one, the protection plan's labels, and
 * the VolumeSnapshot to start from.
 */
export function dataVolumeOf(
  storage: Pick<StorageHandle, "storageClassName" | "volumeNameFor" | "restoreClassFor">,
  database: DatabaseSpec,
  labels: Record<string, string>,
): DataVolume {
  const source = database.restoreFrom;
  const restoreClass =
    source?.kind === "longhornBackup" ? storage.restoreClassFor?.(database.name) : undefined;
  const volumeName = storage.volumeNameFor?.(database.name);
  return {
    storageClassName: restoreClass ?? storage.storageClassName,
    ...(volumeName !== undefined ? { volumeName } : {}),
    labels,
    ...(source?.kind === "volumeSnapshot" ? { snapshot: source.name } : {}),
  };
}
