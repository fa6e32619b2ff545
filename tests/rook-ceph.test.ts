// Rook-Ceph builders: OSD placement per block-device source, pool failure domain, RBD classes wired to
// the operator's namespace. Field names follow the ceph.rook.io/v1 CRDs of Rook 1.20 (read upstream).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  cephBlockPool,
  cephCluster,
  cephCsiDriverValues,
  osdStorage,
  rbdSnapshotClass,
  rbdStorageClass,
  RBD_DRIVER,
  rookDeviceName,
  ROOK_NAMESPACE,
} from "../components/storage/rook-ceph/manifests";

const volumes = {
  kind: "volumes" as const,
  storageClassName: "gp3",
  sizeGB: 200,
  portworxDeviceSpec: "type=gp3,size=200",
  ready: [],
};

describe("Rook-Ceph OSDs", () => {
  it("clouds: one portable Block-mode claim per node from the cloud's class, spread one per host", () => {
    const storage = osdStorage({ nodeCount: 6, zones: ["a", "b", "c"], blockDevices: volumes }) as any;
    assert.equal(storage.useAllDevices, false);
    const [set] = storage.storageClassDeviceSets;
    assert.equal(set.count, 6);
    assert.equal(set.portable, true);
    const [claim] = set.volumeClaimTemplates;
    assert.equal(claim.metadata.name, "data");
    assert.deepEqual(claim.spec, {
      resources: { requests: { storage: "200Gi" } },
      storageClassName: "gp3",
      volumeMode: "Block",
      accessModes: ["ReadWriteOnce"],
    });
    const keys = set.placement.topologySpreadConstraints.map((c: any) => c.topologyKey);
    assert.deepEqual(keys, ["kubernetes.io/hostname", "topology.kubernetes.io/zone"]);
  });

  it("existing clusters: the declared raw disks on every node, by Rook device name", () => {
    const storage = osdStorage({
      nodeCount: 3,
      zones: [],
      blockDevices: { kind: "devices", paths: ["/dev/sdb", "/dev/disk/by-id/nvme-x"] },
    }) as any;
    assert.equal(storage.useAllNodes, true);
    assert.deepEqual(storage.devices, [{ name: "sdb" }, { name: "/dev/disk/by-id/nvme-x" }]);
    assert.equal(rookDeviceName("/dev/nvme1n1"), "nvme1n1");
  });

  it("refuses a cluster without block devices, naming why", () => {
    assert.throws(
      () => osdStorage({ nodeCount: 3, zones: [], blockDevices: { kind: "none", reason: "no disks" } }),
      /raw block devices: no disks/,
    );
  });
});

describe("CephCluster", () => {
  it("3 monitors and 2 managers that never share a node; zone spread only with 3 zones", () => {
    const flat = cephCluster({ nodeCount: 3, zones: [], blockDevices: volumes }) as any;
    assert.deepEqual(flat.spec.mon, { count: 3, allowMultiplePerNode: false });
    assert.equal(flat.spec.mgr.allowMultiplePerNode, false);
    assert.equal(flat.spec.placement.mon.topologySpreadConstraints.length, 1);
    const zoned = cephCluster({ nodeCount: 3, zones: ["a", "b", "c"], blockDevices: volumes }) as any;
    assert.equal(
      zoned.spec.placement.mon.topologySpreadConstraints[1].topologyKey,
      "topology.kubernetes.io/zone",
    );
    assert.equal(zoned.spec.cleanupPolicy.confirmation, "", "never pre-confirms data destruction");
    assert.equal(zoned.metadata.namespace, ROOK_NAMESPACE);
  });
});

describe("CephBlockPool", () => {
  it("one copy per zone when there are enough zones, else per host", () => {
    assert.equal((cephBlockPool({ replicas: 3, zones: ["a", "b", "c"] }) as any).spec.failureDomain, "zone");
    assert.equal((cephBlockPool({ replicas: 3, zones: ["a", "b"] }) as any).spec.failureDomain, "host");
    assert.deepEqual((cephBlockPool({ replicas: 4, zones: [] }) as any).spec.replicated, {
      size: 4,
      requireSafeReplicaSize: true,
    });
  });
});

describe("RBD classes", () => {
  it("StorageClass and VolumeSnapshotClass use the drivers chart's driver and the operator namespace's secrets", () => {
    const storageClass = rbdStorageClass("hadb-rook-ceph") as any;
    const snapshotClass = rbdSnapshotClass("snaps") as any;
    const driverName = (cephCsiDriverValues() as any).drivers.rbd.name;
    assert.equal(storageClass.provisioner, driverName);
    assert.equal(snapshotClass.driver, driverName);
    assert.equal(RBD_DRIVER, `${ROOK_NAMESPACE}.rbd.csi.ceph.com`);
    assert.equal((cephCsiDriverValues() as any).drivers.rbd.snapshotPolicy, "volumeSnapshot");
    for (const cls of [storageClass, snapshotClass]) {
      const secrets = Object.entries(cls.parameters as Record<string, string>).filter(([k]) =>
        k.includes("-secret-"),
      );
      assert.ok(secrets.length >= 2);
      for (const [parameter, value] of secrets)
        if (parameter.endsWith("-namespace")) assert.equal(value, ROOK_NAMESPACE, parameter);
    }
    assert.equal(storageClass.reclaimPolicy, "Retain");
    assert.equal(snapshotClass.deletionPolicy, "Retain");
  });
});
