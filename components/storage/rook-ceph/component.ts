import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ReplicatedStorageArgs, StorageHandle } from "../handle";
import { pinnedRelease } from "../../shared/helm";
import { snapshotController } from "../../shared/snapshot-controller";
import { storageNamespace } from "../namespace";
import {
  cephBlockPool,
  cephCluster,
  cephCsiDriverValues,
  rbdSnapshotClass,
  rbdStorageClass,
  ROOK_CHARTS,
  ROOK_NAMESPACE,
  ROOK_RUNBOOK,
  rookOperatorValues,
} from "./manifests";
import type { CustomObject } from "../../shared/custom-object";

/**
 * Rook-Ceph: operator chart, ceph-csi drivers chart, a CephCluster (3 monitors on 3 nodes, 2 managers,
 * one OSD per node), a replicated block pool and the RBD StorageClass + VolumeSnapshotClass.
 */
export class RookCeph extends pulumi.ComponentResource {
  readonly handle: StorageHandle;

  constructor(name: string, args: ReplicatedStorageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hadb:storage:RookCeph", name, {}, opts);
    const childOpts = { parent: this, provider: args.cluster.provider };
    const { blockDevices } = args.cluster;
    const namespace = storageNamespace(
      `${name}-ns`,
      { namespace: ROOK_NAMESPACE, app: "rook-ceph", instance: name },
      childOpts,
    );
    const release = (
      releaseName: string,
      chart: (typeof ROOK_CHARTS)[keyof typeof ROOK_CHARTS],
      values: Record<string, unknown>,
      after: pulumi.Resource[],
    ) =>
      pinnedRelease(
        releaseName,
        { name: chart.chart, chart, namespace: ROOK_NAMESPACE, values, timeout: 900 },
        { ...childOpts, dependsOn: after },
      );
    const operator = release(name, ROOK_CHARTS.operator, rookOperatorValues(), [
      namespace,
      ...args.nodePrep.ready,
    ]);
    // The drivers chart creates Driver CRs the operator chart's ceph-csi operator serves.
    const drivers = release(`${name}-csi-drivers`, ROOK_CHARTS.csiDrivers, cephCsiDriverValues(), [operator]);
    const volumesReady = blockDevices.kind === "volumes" ? blockDevices.ready : [];

    const custom = (resourceName: string, object: CustomObject, after: pulumi.Resource[]) =>
      new k8s.apiextensions.CustomResource(resourceName, object, {
        ...childOpts,
        dependsOn: after,
      });
    const cluster = custom(
      `${name}-cluster`,
      cephCluster({ nodeCount: args.cluster.nodeCount, zones: args.cluster.zones, blockDevices }),
      [operator, drivers, ...volumesReady],
    );
    const pool = custom(
      `${name}-pool`,
      cephBlockPool({ replicas: args.replicas, zones: args.cluster.zones }),
      [cluster],
    );
    const storageClassName = `hadb-${name}`;
    const storageClass = new k8s.storage.v1.StorageClass(`${name}-class`, rbdStorageClass(storageClassName), {
      ...childOpts,
      dependsOn: [pool, drivers],
    });
    // The class is a snapshot.storage.k8s.io object: bring the CRDs + controller where they are missing.
    const snapshotsReady = args.cluster.volumeSnapshots
      ? []
      : [snapshotController(`${name}-snapshot-controller`, childOpts)];
    const snapshotClassName = `${storageClassName}-snapshots`;
    custom(`${name}-snapshot-class`, rbdSnapshotClass(snapshotClassName), [drivers, ...snapshotsReady]);
    const scheduledSnapshotClassName = `${storageClassName}-scheduled`;
    custom(`${name}-scheduled-snapshot-class`, rbdSnapshotClass(scheduledSnapshotClassName, "Delete"), [
      drivers,
      ...snapshotsReady,
    ]);

    this.handle = {
      backend: "rook-ceph",
      storageClassName,
      replicaCount: args.replicas,
      ready: [storageClass],
      snapshotClassName,
      scheduledSnapshotClassName,
      runbook: { ...ROOK_RUNBOOK },
    };
    this.registerOutputs({ storageClassName, chartVersion: ROOK_CHARTS.operator.version });
  }
}
