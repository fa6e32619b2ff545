import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { pinnedRelease } from "./helm";

// VolumeSnapshot support for clusters that lack it (existing, Vagrant). Kubernetes-csi publishes no Helm
// chart; Piraeus maintains the widely used one (CRDs + snapshot-controller from external-snapshotter).

export const SNAPSHOT_CONTROLLER_CHART = {
  // 5.2.0: newest snapshot-controller tag in piraeusdatastore/helm-charts (checked 2026-11-29; tagged
  // 2026-07-21). Ships external-snapshotter v8.6.0 with the snapshot.storage.k8s.io/v1 CRDs, the
  // version the CRD tier generates them from (test/crds/snapshot); it only turned the group-snapshot
  // conversion webhook off by default, which hadb sets off anyway.
  chart: "snapshot-controller",
  version: "5.2.0",
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

/** Installs the CRDs + controller in kube-system (only where the platform has none). */
export function snapshotController(name: string, opts: pulumi.CustomResourceOptions): k8s.helm.v3.Release {
  return pinnedRelease(
    name,
    {
      name: "snapshot-controller",
      chart: SNAPSHOT_CONTROLLER_CHART,
      namespace: "kube-system",
      values: snapshotControllerValues(),
    },
    opts,
  );
}
