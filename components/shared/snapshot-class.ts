// A VolumeSnapshotClass (snapshot.storage.k8s.io/v1) of one CSI driver: every backend's classes, people's
// (usually Retain) and those of hadb's scheduled jobs (Delete: their retention frees the storage).
import type { CustomObject } from "./custom-object";

export function volumeSnapshotClass(
  name: string,
  driver: string,
  deletionPolicy: "Retain" | "Delete",
  parameters?: Record<string, string>,
): CustomObject {
  return {
    apiVersion: "snapshot.storage.k8s.io/v1",
    kind: "VolumeSnapshotClass",
    metadata: { name },
    driver,
    ...(parameters ? { parameters } : {}),
    deletionPolicy,
  };
}
