// Rook-Ceph: chart pins and values, and typed builders for the custom resources hadb creates. Field
// names follow the ceph.rook.io/v1 CRDs and Rook's RBD CSI examples (release 1.20), read upstream.
import type * as k8s from "@pulumi/kubernetes";
import type { BlockDeviceSource } from "../../cluster/handle";
import { volumeSnapshotClass } from "../../shared/snapshot-class";
import type { CustomObject } from "../../shared/custom-object";
import { FENCING_ANNOTATION } from "../../config/fencing";

/** Operator namespace = cluster namespace: the CSI driver name and secret namespaces derive from it. */
export const ROOK_NAMESPACE = "rook-ceph";

export const ROOK_CHARTS = {
  // Rook v1.20.6: newest tag of the current stable line (needs Kubernetes >= 1.31) in rook/rook as read
  // on 2026-11-29 (tagged 2026-08-20; no v1.20.7). From 1.20 on the CSI drivers come from the
  // ceph-csi-drivers chart below, the operator chart only installs the ceph-csi operator.
  operator: { chart: "rook-ceph", version: "v1.20.6", repo: "https://charts.rook.io/release" },
  // The drivers chart Rook 1.20.x documents and tests with (ceph-csi-operator 1.0.4).
  csiDrivers: {
    chart: "ceph-csi-drivers",
    version: "1.0.4",
    repo: "https://ceph.github.io/ceph-csi-operator",
  },
} as const;

/**
 * Ceph Tentacle 20.2.4: the default of Rook v1.20.5+ (deploy/examples/cluster.yaml). 20.2.0 had a
 * read-affinity data corruption bug; on 20.2.2-20.2.4 Rook force-disables its own mgr module (memory
 * leak on .2, mgr crash on .3/.4).
 */
export const CEPH_IMAGE = "quay.io/ceph/ceph:v20.2.4";

export const RBD_DRIVER = `${ROOK_NAMESPACE}.rbd.csi.ceph.com`;
export const BLOCK_POOL = "hadb-pool";

/** The commands a user runs when a node is lost for good (docs/storage/rook-ceph.md, node loss). */
export const ROOK_RUNBOOK = {
  nodeLost:
    "kubectl taint nodes <node> node.kubernetes.io/out-of-service=nodeshutdown:NoExecute  # after confirming the node is powered off",
  nodeBack: "kubectl taint nodes <node> node.kubernetes.io/out-of-service=nodeshutdown:NoExecute-",
  fenceManually: `kubectl -n ${ROOK_NAMESPACE} exec deploy/rook-ceph-operator -- ceph --conf=/var/lib/rook/${ROOK_NAMESPACE}/${ROOK_NAMESPACE}.config osd blocklist add <node-ip>`,
} as const;

export function rookOperatorValues(): Record<string, unknown> {
  return {
    crds: { enabled: true },
    // Devices are listed explicitly (or are PVCs): no hot-plug discovery daemon on every node.
    enableDiscoveryDaemon: false,
    csi: { installCsiOperator: true },
    monitoring: { enabled: false },
    resources: { requests: { cpu: "200m", memory: "128Mi" }, limits: { memory: "512Mi" } },
  };
}

/** Rook's recommended drivers values, with RBD only and VolumeSnapshot support switched on. */
export function cephCsiDriverValues(): Record<string, unknown> {
  return {
    operatorConfig: {
      namespace: ROOK_NAMESPACE,
      driverSpecDefaults: {
        // Created by the rook-ceph chart from its csi.* image values.
        imageSet: { name: "rook-csi-operator-image-set-configmap" },
        nodePlugin: { priorityClassName: "system-node-critical" },
        controllerPlugin: { priorityClassName: "system-cluster-critical" },
      },
    },
    drivers: {
      // The name must equal the StorageClass provisioner.
      rbd: { enabled: true, name: RBD_DRIVER, snapshotPolicy: "volumeSnapshot" },
      cephfs: { enabled: false, name: `${ROOK_NAMESPACE}.cephfs.csi.ceph.com` },
      nfs: { enabled: false, name: `${ROOK_NAMESPACE}.nfs.csi.ceph.com` },
      nvmeof: { enabled: false, name: `${ROOK_NAMESPACE}.nvmeof.csi.ceph.com` },
    },
  };
}

export interface CephClusterInput {
  nodeCount: number;
  zones: string[];
  blockDevices: BlockDeviceSource;
}

const ZONE_KEY = "topology.kubernetes.io/zone";
const HOST_KEY = "kubernetes.io/hostname";

/** Spreads the pods matching `app` one per node (and evenly over zones when the cluster has 3+). */
function spread(apps: string[], zoned: boolean): Record<string, unknown>[] {
  const labelSelector = { matchExpressions: [{ key: "app", operator: "In", values: apps }] };
  return [
    { maxSkew: 1, topologyKey: HOST_KEY, whenUnsatisfiable: "DoNotSchedule", labelSelector },
    ...(zoned
      ? [{ maxSkew: 1, topologyKey: ZONE_KEY, whenUnsatisfiable: "DoNotSchedule", labelSelector }]
      : []),
  ];
}

/** "/dev/sdb" -> "sdb" (Rook's device names); by-id/by-path links stay full paths. */
export function rookDeviceName(path: string): string {
  return /^\/dev\/[a-z0-9]+$/.test(path) ? path.slice("/dev/".length) : path;
}

/** The OSD part of the CephCluster spec: one OSD per node, on cloud volumes or on raw disks. */
export function osdStorage(input: CephClusterInput): Record<string, unknown> {
  const { blockDevices } = input;
  if (blockDevices.kind === "none")
    throw new Error(`Rook-Ceph needs raw block devices: ${blockDevices.reason}`);
  if (blockDevices.kind === "devices") {
    return {
      useAllNodes: true,
      useAllDevices: false,
      devices: blockDevices.paths.map((path) => ({ name: rookDeviceName(path) })),
    };
  }
  return {
    useAllNodes: false,
    useAllDevices: false,
    storageClassDeviceSets: [
      {
        name: "hadb-osd",
        count: input.nodeCount,
        // Cloud disks follow the OSD to another node of the same zone.
        portable: true,
        encrypted: false,
        placement: {
          topologySpreadConstraints: spread(
            ["rook-ceph-osd", "rook-ceph-osd-prepare"],
            input.zones.length >= 3,
          ),
        },
        volumeClaimTemplates: [
          {
            metadata: { name: "data" },
            spec: {
              resources: { requests: { storage: `${blockDevices.sizeGB}Gi` } },
              storageClassName: blockDevices.storageClassName,
              volumeMode: "Block",
              accessModes: ["ReadWriteOnce"],
            },
          },
        ],
      },
    ],
  };
}

export function cephCluster(input: CephClusterInput): CustomObject {
  const zoned = input.zones.length >= 3;
  return {
    apiVersion: "ceph.rook.io/v1",
    kind: "CephCluster",
    metadata: { name: ROOK_NAMESPACE, namespace: ROOK_NAMESPACE },
    spec: {
      cephVersion: { image: CEPH_IMAGE, allowUnsupported: false },
      dataDirHostPath: "/var/lib/rook",
      // Three monitors, never two on one node: losing any node (or zone) keeps quorum.
      mon: { count: 3, allowMultiplePerNode: false },
      // Rook's own mgr module off, as Rook release-1.20 ships it ("not recommended"; only a few
      // dashboard features need it): set explicitly so clusters made with it on turn it off too.
      mgr: { count: 2, allowMultiplePerNode: false, modules: [{ name: "rook", enabled: false }] },
      dashboard: { enabled: true, ssl: true },
      placement: {
        mon: { topologySpreadConstraints: spread(["rook-ceph-mon"], zoned) },
        mgr: { topologySpreadConstraints: spread(["rook-ceph-mgr"], zoned) },
      },
      priorityClassNames: {
        mon: "system-node-critical",
        osd: "system-node-critical",
        mgr: "system-cluster-critical",
      },
      // PodDisruptionBudgets: drains never take more OSDs down than the pool can lose.
      disruptionManagement: { managePodBudgets: true },
      // Set confirmation to "yes-really-destroy-data" only right before deleting (docs/teardown.md).
      cleanupPolicy: {
        confirmation: "",
        sanitizeDisks: { method: "quick", dataSource: "zero", iteration: 1 },
      },
      storage: osdStorage(input),
    },
  };
}

export function cephBlockPool(args: { replicas: number; zones: string[] }): CustomObject {
  return {
    apiVersion: "ceph.rook.io/v1",
    kind: "CephBlockPool",
    metadata: { name: BLOCK_POOL, namespace: ROOK_NAMESPACE },
    spec: {
      // One copy per zone when the cluster spans zones, else one per node.
      failureDomain: args.zones.length >= args.replicas ? "zone" : "host",
      replicated: { size: args.replicas, requireSafeReplicaSize: true },
    },
  };
}

const secretParameters = (roles: [string, string][]): Record<string, string> =>
  Object.fromEntries(
    roles.flatMap(([role, secret]) => [
      [`csi.storage.k8s.io/${role}-secret-name`, secret],
      [`csi.storage.k8s.io/${role}-secret-namespace`, ROOK_NAMESPACE],
    ]),
  );

/** RBD StorageClass for database volumes: ext4, expandable, Retain (data outlives its claim). */
export function rbdStorageClass(name: string): k8s.storage.v1.StorageClassArgs {
  return {
    metadata: {
      name,
      // hadb does not fence RBD clients (hadb:fencing must be off on Rook-Ceph): the policy pack reads it.
      annotations: { [FENCING_ANNOTATION]: "off" },
    },
    provisioner: RBD_DRIVER,
    parameters: {
      clusterID: ROOK_NAMESPACE,
      pool: BLOCK_POOL,
      imageFormat: "2",
      imageFeatures: "layering",
      "csi.storage.k8s.io/fstype": "ext4",
      ...secretParameters([
        ["provisioner", "rook-csi-rbd-provisioner"],
        ["controller-expand", "rook-csi-rbd-provisioner"],
        ["node-stage", "rook-csi-rbd-node"],
      ]),
    },
    allowVolumeExpansion: true,
    reclaimPolicy: "Retain",
    volumeBindingMode: "Immediate",
  };
}

/**
 * `Retain` for snapshots people take (the RBD snapshot outlives a deleted object); `Delete` for the
 * class hadb's scheduled jobs use, whose retention deletes old snapshots by deleting their objects.
 */
export function rbdSnapshotClass(name: string, deletionPolicy: "Retain" | "Delete" = "Retain"): CustomObject {
  return volumeSnapshotClass(name, RBD_DRIVER, deletionPolicy, {
    clusterID: ROOK_NAMESPACE,
    ...secretParameters([["snapshotter", "rook-csi-rbd-provisioner"]]),
  });
}
