// VolumeSnapshot support for clusters that lack it (existing, Vagrant). Kubernetes-csi publishes no Helm
// chart; Piraeus maintains the widely used one (CRDs + snapshot-controller from external-snapshotter).

export const SNAPSHOT_CONTROLLER_CHART = {
  // 5.1.1 ships external-snapshotter v8.6.0 with the snapshot.storage.k8s.io/v1 CRDs. Its known issue
  // concerns VolumeGroupSnapshots only, which hadb does not use.
  chart: "snapshot-controller",
  version: "5.1.1",
  repo: "https://piraeus.io/helm-charts/",
} as const;

export function snapshotControllerValues(): Record<string, unknown> {
  return {
    installCRDs: true,
    controller: { enabled: true },
    // The conversion webhook serves group snapshots only.
    webhook: { enabled: false },
  };
}
