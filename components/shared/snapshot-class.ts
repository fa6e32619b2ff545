// A VolumeSnapshotClass (snapshot.storage.k8s.io/v1) of one CSI driver: every backend's classes, people's
// (usually Retain) and those of hadb's scheduled jobs (Delete: their retention frees the storage).
export function volumeSnapshotClass(
  name: string,
  driver: string,
  deletionPolicy: "Retain" | "Delete",
  parameters?: Record<string, string>,
): Record<string, unknown> {
  return {
    apiVersion: "snapshot.storage.k8s.io/v1",
    kind: "VolumeSnapshotClass",
    metadata: { name },
    driver,
    ...(parameters ? { parameters } : {}),
    deletionPolicy,
  };
}
