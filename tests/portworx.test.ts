// Portworx builders: the StorageCluster per platform (annotation, cloud drives or raw devices, secrets
// only by reference), the 3-replica database class and snapshot class. Field names follow
// core.libopenstorage.org/v1 (libopenstorage/operator) as read upstream.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  PORTWORX_DRIVER,
  portworxOperatorValues,
  portworxSnapshotClass,
  portworxStorageClass,
  storageCluster,
} from "../components/storage/portworx/manifests";

const drives = (spec: string) => ({
  kind: "volumes" as const,
  storageClassName: "unused",
  sizeGB: 150,
  portworxDeviceSpec: spec,
  ready: [],
});

const base = { name: "px", nodesPerZone: 1, volumeSnapshots: true, licensed: false, azureCredentials: false };

describe("Portworx StorageCluster", () => {
  for (const [platform, spec] of [
    ["aks", "type=Premium_LRS,size=150"],
    ["eks", "type=gp3,size=150"],
    ["gke", "type=pd-ssd,size=150"],
  ] as const) {
    it(`${platform}: platform annotation and cloud drives from the cluster handle`, () => {
      const cluster = storageCluster({ ...base, platform, blockDevices: drives(spec) }) as any;
      assert.deepEqual(cluster.metadata.annotations, { [`portworx.io/is-${platform}`]: "true" });
      assert.deepEqual(cluster.spec.cloudStorage, { deviceSpecs: [spec], maxStorageNodesPerZone: 1 });
      assert.equal(cluster.spec.storage, undefined);
    });
  }

  it("existing / Vagrant: the raw devices, no cloud annotation", () => {
    const cluster = storageCluster({
      ...base,
      platform: "vagrant",
      blockDevices: { kind: "devices", paths: ["/dev/sdb"] },
    }) as any;
    assert.equal(cluster.metadata.annotations, undefined);
    assert.deepEqual(cluster.spec.storage, { devices: ["/dev/sdb"] });
    assert.equal(cluster.spec.cloudStorage, undefined);
  });

  it("licence and Azure credentials only as Secret references; snapshot controller only where missing", () => {
    const cluster = storageCluster({
      ...base,
      platform: "aks",
      blockDevices: drives("type=Premium_LRS,size=150"),
      licensed: true,
      azureCredentials: true,
      volumeSnapshots: false,
    }) as any;
    const env = cluster.spec.env as any[];
    assert.deepEqual(
      env.map((e) => [e.name, e.valueFrom.secretKeyRef.name]),
      [
        ["SAAS_ACCOUNT_KEY_STRING", "px-license"],
        ["AZURE_TENANT_ID", "px-azure"],
        ["AZURE_CLIENT_ID", "px-azure"],
        ["AZURE_CLIENT_SECRET", "px-azure"],
      ],
    );
    assert.ok(
      env.every((e) => e.value === undefined),
      "no literal secret",
    );
    assert.equal(cluster.spec.csi.installSnapshotController, true);
    assert.equal(cluster.spec.kvdb.internal, true);
  });

  it("refuses a cluster without block devices", () => {
    assert.throws(
      () =>
        storageCluster({
          ...base,
          platform: "existing",
          blockDevices: { kind: "none", reason: "none declared" },
        }),
      /block devices: none declared/,
    );
  });

  it("the operator chart does not deploy a cluster of its own", () => {
    // Only values chart 9.1.1 reads with deployCluster false (clusterName would be dead there).
    assert.deepEqual(portworxOperatorValues(), { deployOperator: true, deployCluster: false });
  });
});

describe("Portworx classes", () => {
  it("database class: N synchronous replicas, database I/O profile, Retain; snapshots through the same driver", () => {
    const storageClass = portworxStorageClass("hadb-portworx", 3) as any;
    assert.equal(storageClass.provisioner, PORTWORX_DRIVER);
    assert.deepEqual(storageClass.parameters, { repl: "3", io_profile: "db_remote", priority_io: "high" });
    assert.equal(storageClass.reclaimPolicy, "Retain");
    assert.equal((portworxSnapshotClass("s") as any).driver, PORTWORX_DRIVER);
  });
});
