// Stack config: every bad input is rejected with a message naming the key, the value and what is
// allowed; good input gets the documented defaults; Pulumi.yaml and stacks/ agree with the code
// (docs/configuration.md's table is generated from it: tests/docs.test.ts).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { reservedDatabaseReason } from "../components/config/accounts";
import { CONFIG_KEYS, CONFIG_KEY_NAMES, type ConfigKeySpec } from "../components/config/keys";
import { configFromMap } from "../components/config/load";
import { ConfigError } from "../components/config/validate";
import { configMapFromValues } from "../tools/synth/stackfile";
import { PROJECT_ROOT, STACKS } from "./helpers/synth";

/** Builds the CLI's config map from YAML-level values given without the `hadb:` prefix. */
function configOf(values: Record<string, unknown>): Record<string, string> {
  return configMapFromValues(Object.fromEntries(Object.entries(values).map(([k, v]) => [`hadb:${k}`, v])))
    .config;
}

function problemsOf(values: Record<string, unknown> | Record<string, string>, raw = false): string[] {
  try {
    configFromMap(raw ? (values as Record<string, string>) : configOf(values));
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail("config was accepted");
}

const iris = (extra: Record<string, unknown> = {}) => ({ engine: "iris", name: "iris", ...extra });

const lab = { cloud: "vagrant", storage: "iscsi", iscsi: { target: "vagrant" } };
const mysql = (extra: Record<string, unknown> = {}) => ({ engine: "mysql", name: "mysql", ...extra });
const external = (target: Record<string, unknown>) => ({
  storage: "iscsi",
  iscsi: {
    target: {
      portal: "10.0.0.5:3260",
      iqn: "iqn.2026-01.com.example:db",
      luns: [1],
      chapUser: "hadb",
      ...target,
    },
  },
  iscsiChapPassword: "0123456789abcdef",
  databases: [iris()],
});

const eksRaw = (extra: Record<string, string>): Record<string, string> => ({
  "aws:region": "eu-west-1",
  "hadb:cloud": "eks",
  "hadb:zones": '["eu-west-1a","eu-west-1b","eu-west-1c"]',
  ...extra,
});
const gkeRaw = (extra: Record<string, string>): Record<string, string> => ({
  "gcp:project": "hadb-example",
  "gcp:region": "europe-west1",
  "hadb:cloud": "gke",
  "hadb:zones": '["europe-west1-b","europe-west1-c","europe-west1-d"]',
  ...extra,
});
const aksRaw = (extra: Record<string, string>): Record<string, string> => ({
  "azure-native:location": "westeurope",
  "hadb:cloud": "aks",
  ...extra,
});

interface BadCase {
  why: string;
  values: Record<string, unknown>;
  /** The exact problem line expected (key, bad value, what is allowed). */
  message: string;
  /** Raw string config instead of YAML values (to test parsing). */
  raw?: Record<string, string>;
}

/** One site of a PX-DR pair on an existing cluster, valid as given. */
const pxSite = (extra: Record<string, unknown> = {}) => ({
  storage: "portworx",
  blockDevices: ["/dev/sdb"],
  kubeconfig: "apiVersion: v1\nkind: Config\n",
  portworx: {
    clusterName: "metro",
    clusterDomain: "site-a",
    kvdb: { endpoints: ["etcd:https://etcd.example:2379"] },
  },
  disasterRecovery: { role: "primary" },
  ...extra,
});

const BAD_CONFIGS: BadCase[] = [
  {
    why: "PX-DR with the internal KVDB",
    values: pxSite({ portworx: { clusterName: "metro", clusterDomain: "site-a" } }),
    message:
      'hadb:portworx.kvdb: (unset) is required with hadb:disasterRecovery: PX-DR forbids the internal KVDB; give {endpoints: ["etcd:https://host:2379"]}, an etcd both sites reach',
  },
  {
    why: "PX-DR site without a cluster domain",
    values: pxSite({
      portworx: { clusterName: "metro", kvdb: { endpoints: ["etcd:https://etcd.example:2379"] } },
    }),
    message:
      "hadb:portworx.clusterDomain: (unset) is required with hadb:disasterRecovery: each site is its own cluster domain, e.g. site-a and site-b",
  },
  {
    why: "DR standby without a primary stack reference",
    values: pxSite({ disasterRecovery: { role: "standby" } }),
    message:
      'hadb:disasterRecovery.primaryStack: (unset) is required for role "standby": the primary\'s stack as "org/project/stack" (the standby reads its outputs by StackReference)',
  },
  {
    why: "DR primary naming a primary",
    values: pxSite({ disasterRecovery: { role: "primary", primaryStack: "acme/hadb/other" } }),
    message:
      'hadb:disasterRecovery.primaryStack: "acme/hadb/other" only applies to role "standby" (the standby reads the primary, never the reverse)',
  },
  {
    why: "unknown DR role",
    values: pxSite({ disasterRecovery: { role: "secondary" } }),
    message: 'hadb:disasterRecovery.role: "secondary" is not allowed; allowed: primary | standby',
  },
  {
    why: "DR on a backend without a DR mode",
    values: { storage: "rook-ceph", blockDevices: ["/dev/sdb"], disasterRecovery: { role: "primary" } },
    message:
      'hadb:storage: "rook-ceph" has no disaster-recovery mode in hadb; with hadb:disasterRecovery use portworx | longhorn',
  },
  {
    why: "DR standby with its own databases",
    values: pxSite({
      disasterRecovery: { role: "standby", primaryStack: "acme/hadb/primary" },
      databases: [iris()],
    }),
    message:
      'hadb:databases: ["iris"] must stay unset on a standby: its databases are the primary\'s (read through hadb:disasterRecovery.primaryStack)',
  },
  {
    why: "Longhorn DR primary without backups",
    values: { disasterRecovery: { role: "primary" }, databases: [iris()] },
    message:
      "hadb:backups.enabled: false must be true on a Longhorn DR primary: the standby's volumes restore from its backups",
  },
  {
    why: "Longhorn DR standby backing itself up",
    values: {
      disasterRecovery: { role: "standby", primaryStack: "acme/hadb/primary" },
      backups: { enabled: true, target: { nfs: "nfs.example:/backups" } },
    },
    message:
      "hadb:backups.enabled: true must be false on a standby: it has no writer to back up; enable backups when you promote it to primary",
  },
  {
    why: "a cluster domain without a DR pair",
    values: pxSite({ disasterRecovery: {} }),
    message: 'hadb:portworx.clusterDomain: "site-a" only applies with hadb:disasterRecovery (a PX-DR pair)',
  },
  {
    why: "a KVDB endpoint without the etcd: prefix",
    values: pxSite({
      portworx: {
        clusterName: "metro",
        clusterDomain: "site-a",
        kvdb: { endpoints: ["https://etcd.example:2379"] },
      },
    }),
    message:
      'hadb:portworx.kvdb.endpoints[0]: "https://etcd.example:2379" must be "etcd:<http|https>://<host>:<port>", e.g. "etcd:https://10.0.0.5:2379"',
  },
  {
    why: "a PX-DR site on the ambient kubeconfig",
    values: pxSite({ kubeconfig: "" }),
    message:
      "hadb:kubeconfig: (unset) is required for a PX-DR site on cloud existing: each site's ClusterPair needs the other's API address (set it with --secret)",
  },
  {
    why: "unknown cloud",
    values: { cloud: "azure" },
    message: 'hadb:cloud: "azure" is not allowed; allowed: aks | eks | gke | vagrant | existing',
  },
  {
    why: "EKS without a region",
    values: { cloud: "eks", zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"] },
    message:
      'aws:region: (unset) is required for hadb:cloud "eks": set it with `pulumi config set aws:region <region>`, e.g. eu-west-1 or us-east-2',
  },
  {
    why: "EKS with fewer than 3 zones",
    values: { cloud: "eks", zones: ["eu-west-1a", "eu-west-1b"] },
    raw: eksRaw({ "hadb:zones": '["eu-west-1a","eu-west-1b"]' }),
    message:
      'hadb:zones: ["eu-west-1a","eu-west-1b"] must list 3 distinct zones of the region (a node in each), e.g. ["eu-west-1a", "eu-west-1b", "eu-west-1c"]',
  },
  {
    why: "GKE with duplicate zones",
    values: {},
    raw: gkeRaw({ "hadb:zones": '["europe-west1-b","europe-west1-b","europe-west1-c"]' }),
    message:
      'hadb:zones: ["europe-west1-b","europe-west1-b","europe-west1-c"] must list distinct zones; repeated: europe-west1-b',
  },
  {
    why: "zone outside the region",
    values: {},
    raw: eksRaw({ "hadb:zones": '["eu-west-1a","eu-west-1b","us-east-1c"]' }),
    message:
      'hadb:zones: "us-east-1c" is not a zone of region eu-west-1; expected e.g. "eu-west-1a", "eu-west-1b", "eu-west-1c"',
  },
  {
    why: "AKS zone that does not exist",
    values: {},
    raw: aksRaw({ "hadb:zones": '["1","2","4"]' }),
    message: 'hadb:zones: "4" is not a zone of region westeurope; expected e.g. "1", "2", "3"',
  },
  {
    why: "unknown AWS region format",
    values: {},
    raw: eksRaw({ "aws:region": "Ireland" }),
    message: 'aws:region: "Ireland" is not a region name; expected e.g. eu-west-1 or us-east-2',
  },
  {
    why: "Azure region written as a display name",
    values: {},
    raw: aksRaw({ "azure-native:location": "West Europe" }),
    message:
      'azure-native:location: "West Europe" is not a region name; expected e.g. westeurope or eastus2 (lowercase, no spaces)',
  },
  {
    why: "GKE region given as a zone",
    values: {},
    raw: gkeRaw({ "gcp:region": "europe-west1-b" }),
    message: 'gcp:region: "europe-west1-b" is not a region name; expected e.g. europe-west1 or us-central1',
  },
  {
    why: "GKE without a project",
    values: {},
    raw: gkeRaw({ "gcp:project": "" }),
    message:
      'gcp:project: "" is required for hadb:cloud "gke": a project ID (6-30 lowercase letters, digits, \'-\')',
  },
  {
    why: "COS node image with Longhorn",
    values: {},
    raw: gkeRaw({ "hadb:gke": '{"nodeImage":"COS_CONTAINERD"}' }),
    message:
      'hadb:gke.nodeImage: "COS_CONTAINERD" cannot run storage "longhorn": a cos node image is read-only and cannot install open-iscsi; use UBUNTU_CONTAINERD',
  },
  {
    why: "Bottlerocket node image with iSCSI",
    values: {},
    raw: eksRaw({
      "hadb:gke": "{}",
      "hadb:eks": '{"nodeImage":"Bottlerocket"}',
      "hadb:storage": "iscsi",
      "hadb:iscsi":
        '{"target":{"portal":"10.0.0.5:3260","iqn":"iqn.2026-01.com.example:db","luns":[1],"chapUser":"hadb"}}',
      "hadb:iscsiChapPassword": "0123456789abcdef",
    }),
    message:
      'hadb:eks.nodeImage: "Bottlerocket" cannot run storage "iscsi": a bottlerocket node image is read-only and cannot install open-iscsi; use AL2023',
  },
  {
    why: "cloud with fewer than 3 nodes and replicated storage",
    values: {},
    raw: aksRaw({ "hadb:nodeCount": "2" }),
    message:
      'hadb:nodeCount: 2 is too small for replicated storage "longhorn": needs at least 3 nodes so every replica has its own node',
  },
  {
    why: "cloud node count that cannot spread evenly over 3 zones",
    values: {},
    raw: aksRaw({ "hadb:nodeCount": "4" }),
    message: "hadb:nodeCount: 4 must be a multiple of 3 on aks: each zone gets the same number of nodes",
  },
  {
    why: "node OS that contradicts the cloud's node image",
    values: {},
    raw: aksRaw({ "hadb:nodeOs": "rhel" }),
    message:
      'hadb:nodeOs: "rhel" contradicts hadb:aks.nodeImage Ubuntu (a debian image): leave hadb:nodeOs unset on aks',
  },
  {
    why: "unknown key in cloud settings",
    values: {},
    raw: aksRaw({ "hadb:aks": '{"vmSize":"Standard_D4s_v5"}' }),
    message:
      'hadb:aks.vmSize: "Standard_D4s_v5" is not a known key; allowed: kubernetesVersion | nodeSize | nodeImage | nodeDiskGB | storageDiskGB | databasePool | networkCidr | apiAllowedCidrs',
  },
  {
    why: "Kubernetes version with a patch number",
    values: {},
    raw: eksRaw({ "hadb:eks": '{"kubernetesVersion":"1.35.2"}' }),
    message:
      'hadb:eks.kubernetesVersion: "1.35.2" must be a Kubernetes minor version like "1.35" (the cloud picks the newest patch)',
  },
  {
    why: "database pool that cannot spread over the zones",
    values: {},
    raw: aksRaw({ "hadb:aks": '{"databasePool":{"nodeCount":4}}' }),
    message: "hadb:aks.databasePool.nodeCount: 4 must be a multiple of 3 (one per zone)",
  },
  {
    why: "API allowlist open to the whole internet",
    values: {},
    raw: gkeRaw({ "hadb:gke": '{"apiAllowedCidrs":["0.0.0.0/0"]}' }),
    message:
      'hadb:gke.apiAllowedCidrs[0]: "0.0.0.0/0" admits every address: leave the list empty for the cloud default',
  },
  {
    why: "GKE node network overlapping the pod range",
    values: {},
    raw: gkeRaw({ "hadb:gke": '{"networkCidr":"10.112.0.0/20"}' }),
    message: 'hadb:gke.networkCidr: "10.112.0.0/20" overlaps the pods range 10.112.0.0/14',
  },
  {
    why: "settings of another cloud",
    values: {},
    raw: eksRaw({ "hadb:aks": '{"nodeSize":"Standard_D4s_v5"}' }),
    message: 'hadb:aks: {"nodeSize":"Standard_D4s_v5"} only applies to cloud "aks" (cloud is "eks")',
  },
  {
    why: "portworx with fewer than 3 nodes",
    values: { storage: "portworx", nodeCount: 2, blockDevices: ["/dev/sdb"] },
    message:
      'hadb:nodeCount: 2 is too small for replicated storage "portworx": needs at least 3 nodes so every replica has its own node',
  },
  {
    why: "portworx on AKS without a service principal",
    values: {},
    raw: aksRaw({ "hadb:storage": "portworx" }),
    message:
      "hadb:portworx.azure: (unset) is required on aks: {tenantId, clientId} of a service principal allowed to manage disks in the node resource group (docs/storage/portworx.md)",
  },
  {
    why: "portworx Azure settings on another cloud",
    values: {},
    raw: eksRaw({
      "hadb:storage": "portworx",
      "hadb:portworx":
        '{"azure":{"tenantId":"00000000-0000-4000-8000-000000000001","clientId":"00000000-0000-4000-8000-000000000002"}}',
    }),
    message:
      'hadb:portworx.azure: {"tenantId":"00000000-0000-4000-8000-000000000001","clientId":"00000000-0000-4000-8000-000000000002"} only applies to cloud "aks" (cloud is "eks")',
  },
  {
    why: "portworx settings with another backend",
    values: { portworx: { clusterName: "px" } },
    message: 'hadb:portworx: {"clusterName":"px"} only applies to storage "portworx" (storage is "longhorn")',
  },
  {
    why: "backups enabled without a target",
    values: { backups: { enabled: true } },
    message:
      'hadb:backups.target: (unset) is required when backups are enabled on cloud "existing" (hadb creates object stores on aks | eks | gke only): give {nfs: "server:/export"}',
  },
  {
    why: "backup retention 0",
    values: { backups: { enabled: true, target: { nfs: "nas:/backups" }, retain: 0 } },
    message: "hadb:backups.retain: 0 must be an integer from 1 to 1000",
  },
  {
    why: "backup retention above what Longhorn's RecurringJob webhook accepts",
    values: { backups: { enabled: true, target: { nfs: "nas:/backups" }, retain: 112 } },
    message:
      'hadb:backups.retain: 112 must be an integer from 1 to 100 on storage "longhorn": Longhorn refuses a recurring job that keeps more than its recurring-job-max-retention setting (100, Longhorn\'s default, which hadb keeps); keep fewer or take them less often',
  },
  {
    why: "snapshot retention above what Longhorn's RecurringJob webhook accepts",
    values: { backups: { enabled: true, target: { nfs: "nas:/backups" }, snapshotRetain: 101 } },
    message:
      'hadb:backups.snapshotRetain: 101 must be an integer from 1 to 100 on storage "longhorn": Longhorn refuses a recurring job that keeps more than its recurring-job-max-retention setting (100, Longhorn\'s default, which hadb keeps); keep fewer or take them less often',
  },
  {
    why: "invalid backup cron",
    values: { backups: { enabled: true, target: { nfs: "nas:/backups" }, schedule: "0 */6 * *" } },
    message:
      'hadb:backups.schedule: "0 */6 * *" must have 5 fields (minute hour day-of-month month day-of-week), found 4',
  },
  {
    why: "snapshot cron with an hour out of range",
    values: { backups: { enabled: true, target: { nfs: "nas:/backups" }, snapshotSchedule: "0 24 * * *" } },
    message: 'hadb:backups.snapshotSchedule: "0 24 * * *" has a hour outside 0-23 in "24"',
  },
  {
    why: "backup target on a cloud (hadb makes the bucket)",
    values: {},
    raw: aksRaw({ "hadb:backups": '{"enabled":true,"target":{"nfs":"nas:/backups"}}' }),
    message:
      'hadb:backups.target: {"nfs":"nas:/backups"} only applies to clusters hadb has no object store for: on "aks" hadb creates the bucket itself',
  },
  {
    why: "backups of static iSCSI LUNs",
    values: { ...external({}), backups: { enabled: true, target: { nfs: "nas:/backups" } } },
    message:
      'hadb:backups.enabled: true cannot protect storage "iscsi": static LUNs have no snapshots here; snapshot the LUNs on the target instead',
  },
  {
    why: "restore from a Longhorn backup onto another backend",
    values: {},
    raw: aksRaw({
      "hadb:storage": "rook-ceph",
      "hadb:databases": JSON.stringify([
        {
          engine: "mysql",
          name: "clone",
          restoreFrom: { longhornBackup: "s3://b@eu-west-1/?backup=backup-1&volume=pvc-1" },
        },
      ]),
    }),
    message:
      'hadb:databases[0].restoreFrom.longhornBackup: "s3://b@eu-west-1/?backup=backup-1&volume=pvc-1" is a Longhorn backup, but storage is "rook-ceph": restore it into a longhorn stack',
  },
  {
    why: "restore from a VolumeSnapshot on a cluster without snapshot support",
    values: { databases: [iris({ restoreFrom: { volumeSnapshot: "iris-data-20261101000000" } })] },
    message:
      'hadb:databases[0].restoreFrom.volumeSnapshot: "iris-data-20261101000000" needs VolumeSnapshot support, which this cluster gets only with hadb:backups.enabled (hadb then installs the snapshot controller); or restore from a longhornBackup',
  },
  {
    why: "restore from a Longhorn backup without a backup target",
    values: {
      databases: [iris({ restoreFrom: { longhornBackup: "nfs://nas:/backups/?backup=b-1&volume=pvc-1" } })],
    },
    message:
      'hadb:databases[0].restoreFrom.longhornBackup: "nfs://nas:/backups/?backup=b-1&volume=pvc-1" needs hadb:backups.enabled with the backup\'s target: Longhorn restores only from its own backup target',
  },
  {
    why: "restore from a Longhorn backup on another target",
    values: {
      backups: { enabled: true, target: { nfs: "nas:/backups" } },
      databases: [iris({ restoreFrom: { longhornBackup: "nfs://other:/backups/?backup=b-1&volume=pvc-1" } })],
    },
    message:
      'hadb:databases[0].restoreFrom.longhornBackup: "nfs://other:/backups/?backup=b-1&volume=pvc-1" is not on this stack\'s backup target nfs://nas:/backups: Longhorn restores only from its own target',
  },
  {
    why: "restore source that is not a Longhorn backup URL",
    values: {
      backups: { enabled: true, target: { nfs: "nas:/backups" } },
      databases: [iris({ restoreFrom: { longhornBackup: "s3://bucket/backup-1" } })],
    },
    message:
      'hadb:databases[0].restoreFrom.longhornBackup: "s3://bucket/backup-1" must be a Longhorn backup URL with backup= and volume= (the Backup\'s status.url)',
  },
  {
    why: "unknown storage",
    values: { storage: "nfs" },
    message: 'hadb:storage: "nfs" is not allowed; allowed: longhorn | rook-ceph | portworx | iscsi',
  },
  {
    why: "rook-ceph on an existing cluster without block devices",
    values: { storage: "rook-ceph" },
    message:
      'hadb:blockDevices: [] is required for storage "rook-ceph" on an existing cluster: list the empty raw disks every node has, e.g. ["/dev/sdb"]',
  },
  {
    why: "rook-ceph pool larger than the node count",
    values: { storage: "rook-ceph", blockDevices: ["/dev/sdb"], storageReplicas: 4 },
    message: "hadb:storageReplicas: 4 exceeds hadb:nodeCount (3): replicas are forced onto different nodes",
  },
  {
    why: "rook-ceph in a Vagrant lab with too little memory per VM",
    values: { cloud: "vagrant", storage: "rook-ceph" },
    message:
      'hadb:vagrant.memoryMB: 4096 is too small for storage "rook-ceph": a node runs a Ceph monitor, an OSD (4 GiB memory target) and a database; give at least 8192',
  },
  {
    why: "a lab VM too small for Portworx",
    values: { cloud: "vagrant", storage: "portworx", vagrant: { memoryMB: 4096 } },
    message:
      'hadb:vagrant.memoryMB: 4096 is too small for storage "portworx": a node runs Portworx (4 GB minimum per node) and a database; give at least 8192',
  },
  {
    why: "rook-ceph on COS (no rbd kernel module)",
    values: {},
    raw: gkeRaw({ "hadb:storage": "rook-ceph", "hadb:gke": '{"nodeImage":"COS_CONTAINERD"}' }),
    message:
      'hadb:storage: "rook-ceph" cannot run on Container-Optimized OS nodes: COS has no rbd kernel module; use an Ubuntu node image',
  },
  {
    why: "block devices for a backend that does not use raw disks",
    values: { blockDevices: ["/dev/sdb"] },
    message:
      'hadb:blockDevices: ["/dev/sdb"] only applies to storage rook-ceph | portworx (storage is "longhorn")',
  },
  {
    why: "block devices on a cloud (hadb creates the disks there)",
    values: {},
    raw: aksRaw({ "hadb:storage": "rook-ceph", "hadb:blockDevices": '["/dev/sdb"]' }),
    message:
      'hadb:blockDevices: ["/dev/sdb"] only applies to cloud "existing": on "aks" hadb provides the disks itself (size: hadb:aks.storageDiskGB)',
  },
  {
    why: "block device that is not a device path",
    values: { storage: "rook-ceph", blockDevices: ["sdb"] },
    message:
      'hadb:blockDevices: ["sdb"] must be a list of device paths, e.g. ["/dev/sdb"] or ["/dev/disk/by-id/..."]',
  },
  {
    why: "node count is not a number",
    values: {},
    raw: { "hadb:nodeCount": "three" },
    message: 'hadb:nodeCount: "three" must be an integer',
  },
  {
    why: "replicated storage with fewer than 3 nodes",
    values: { nodeCount: 2 },
    message:
      'hadb:nodeCount: 2 is too small for replicated storage "longhorn": needs at least 3 nodes so every replica has its own node',
  },
  {
    why: "zero nodes",
    values: { nodeCount: 0 },
    message: "hadb:nodeCount: 0 must be an integer from 1 to 100",
  },
  {
    why: "fewer than 3 storage replicas",
    values: { storageReplicas: 2 },
    message: "hadb:storageReplicas: 2 must be an integer from 3 to 20",
  },
  {
    why: "more replicas than nodes",
    values: { storageReplicas: 5 },
    message: "hadb:storageReplicas: 5 exceeds hadb:nodeCount (3): replicas are forced onto different nodes",
  },
  {
    why: "duplicate zones",
    values: { zones: ["a", "b", "a"] },
    message: 'hadb:zones: ["a","b","a"] must list distinct zones; repeated: a',
  },
  {
    why: "zones not a list",
    values: {},
    raw: { "hadb:zones": "zone-1" },
    message: 'hadb:zones: "zone-1" is not valid list config (JSON/YAML)',
  },
  {
    why: "empty zone name",
    values: { zones: ["a", ""] },
    message: 'hadb:zones: ["a",""] must be a list of zone names, e.g. ["eastus-1", "eastus-2", "eastus-3"]',
  },
  {
    why: "unknown node OS",
    values: { nodeOs: "windows" },
    message:
      'hadb:nodeOs: "windows" is not allowed; allowed: detect | debian | rhel | amazonlinux | cos | bottlerocket',
  },
  {
    why: "Container-Optimized OS with Longhorn",
    values: { nodeOs: "cos" },
    message:
      'hadb:nodeOs: "cos" cannot run storage "longhorn": a cos node image is read-only and cannot install open-iscsi; use debian (an Ubuntu image)',
  },
  {
    why: "toleration above the Kubernetes default",
    values: { evictionTolerationSeconds: 600 },
    message: "hadb:evictionTolerationSeconds: 600 must be an integer from 0 to 300",
  },
  {
    why: "negative toleration",
    values: { evictionTolerationSeconds: -1 },
    message: "hadb:evictionTolerationSeconds: -1 must be an integer from 0 to 300",
  },
  {
    why: "prepareNodes not a boolean",
    values: {},
    raw: { "hadb:prepareNodes": "yes" },
    message: 'hadb:prepareNodes: "yes" must be true or false',
  },
  {
    why: "namespace not a DNS label",
    values: { namespace: "Hadb_DB" },
    message:
      "hadb:namespace: \"Hadb_DB\" must be a DNS label (lowercase letters, digits, '-', starting with a letter)",
  },
  {
    why: "misspelled key",
    values: { nodecount: 3 },
    message: `hadb:nodecount: is not a known key (did you mean hadb:nodeCount?); known keys: ${CONFIG_KEY_NAMES.join(", ")}`,
  },
  {
    why: "near-miss key (one letter off)",
    values: { storag: "rook-ceph" },
    message: `hadb:storag: is not a known key (did you mean hadb:storage?); known keys: ${CONFIG_KEY_NAMES.join(", ")}`,
  },
  {
    why: "key with no near miss gets no guess",
    values: { replicaCount: 3 },
    message: `hadb:replicaCount: is not a known key; known keys: ${CONFIG_KEY_NAMES.join(", ")}`,
  },
  {
    why: "namespace typo (would deploy Longhorn instead of Rook-Ceph)",
    values: {},
    raw: { "hdb:storage": "rook-ceph" },
    message:
      'hdb:storage: the namespace "hdb" is not "hadb", so hadb would ignore this key (did you mean hadb:storage?)',
  },
  {
    why: "namespace in capitals",
    values: {},
    raw: { "HADB:cloud": "eks" },
    message:
      'HADB:cloud: the namespace "HADB" is not "hadb", so hadb would ignore this key (did you mean hadb:cloud?)',
  },
  {
    why: "namespace and key both misspelt",
    values: {},
    raw: { "hadbb:databses": "[]" },
    message:
      'hadbb:databses: the namespace "hadbb" is not "hadb", so hadb would ignore this key (did you mean hadb:databases?)',
  },
  {
    why: "consumer namespaces not a list",
    values: { databases: [iris({ consumerNamespaces: "shop" })] },
    message:
      'hadb:databases[0].consumerNamespaces: "shop" must be a list of namespaces, e.g. ["shop", "reporting"]',
  },
  {
    why: "consumer namespace not a namespace name",
    values: { databases: [iris({ consumerNamespaces: ["Shop_Front"] })] },
    message:
      "hadb:databases[0].consumerNamespaces[0]: \"Shop_Front\" must be a namespace name (a DNS label: lowercase letters, digits, '-', starting with a letter)",
  },
  {
    why: "consumer namespace twice",
    values: { databases: [iris({ consumerNamespaces: ["shop", "shop"] })] },
    message: 'hadb:databases[0].consumerNamespaces[1]: "shop" is listed twice: each namespace gets one copy',
  },
  {
    why: "misspelt field in a structured key",
    values: { backups: { enabled: true, shedule: "0 * * * *", target: { nfs: "nas:/x" } } },
    message:
      'hadb:backups.shedule: "0 * * * *" is not a known key (did you mean schedule?); allowed: enabled | schedule | retain | snapshotSchedule | snapshotRetain | target',
  },
  {
    why: "kube context for a cloud hadb creates",
    values: { cloud: "eks", kubeContext: "prod" },
    message: 'hadb:kubeContext: "(set)" only applies to cloud "existing" (cloud is "eks")',
  },
  {
    why: "databases not a list",
    values: { databases: { engine: "iris" } },
    message:
      'hadb:databases: {"engine":"iris"} must be a list of database entries, e.g. [{engine: iris, name: iris}]',
  },
  {
    why: "postgres with 0 instances",
    values: { databases: [{ engine: "postgres", name: "pg", postgres: { instances: 0 } }] },
    message: "hadb:databases[0].postgres.instances: 0 must be an integer from 1 to 3",
  },
  {
    why: "unsupported postgres version",
    values: { databases: [{ engine: "postgres", name: "pg", version: "15" }] },
    message:
      'hadb:databases[0].version: "15" is not a supported postgres version; expected a version like "17"',
  },
  {
    why: "postgres with an image override (the operator pins images)",
    values: { databases: [{ engine: "postgres", name: "pg", image: "postgres:17.2" }] },
    message:
      'hadb:databases[0].image: "postgres:17.2" is not used by engine "postgres": the operator pins the image of each major version; set version instead',
  },
  {
    why: "postgres exposed through a load balancer",
    values: {
      databases: [
        {
          engine: "postgres",
          name: "pg",
          exposure: { type: "loadBalancer", allowedSourceRanges: ["10.0.0.0/8"] },
        },
      ],
    },
    message:
      'hadb:databases[0].exposure.type: "loadBalancer" is not supported for engine "postgres" (the operator\'s Service has no source-range allowlist); use clusterIP',
  },
  {
    why: "postgres superuser as the application user",
    values: { databases: [{ engine: "postgres", name: "pg", postgres: { user: "postgres" } }] },
    message:
      'hadb:databases[0].postgres.user: "postgres" must not be postgres: the application gets its own, non-superuser role',
  },
  {
    why: "postgres user that cannot name a Secret",
    values: { databases: [{ engine: "postgres", name: "pg", postgres: { user: "app_user" } }] },
    message:
      "hadb:databases[0].postgres.user: \"app_user\" must be a DNS label of at most 32 characters (lowercase letters, digits, '-'): PGO names its Secret after it",
  },
  {
    why: "postgres replicas on a static iSCSI LUN",
    values: { ...external({}), databases: [{ engine: "postgres", name: "pg", postgres: { instances: 2 } }] },
    message:
      'hadb:databases[0].postgres.instances: 2 must be 1 on storage "iscsi": one LUN per database, and a replica needs a volume of its own',
  },
  {
    why: "iscsi without a target",
    values: { storage: "iscsi", databases: [mysql()] },
    message:
      'hadb:iscsi.target: (unset) is required for storage "iscsi": "vagrant" (a target VM in the lab) or {portal, iqn, luns, chapUser} of an external target',
  },
  {
    why: "fewer LUNs than databases",
    values: { ...external({ luns: [1] }), databases: [iris(), iris({ name: "second" })] },
    message: "hadb:iscsi.target.luns: [1] has 1 LUNs for 2 databases: each database needs its own LUN",
  },
  {
    why: "a LUN shared by two databases",
    values: { ...external({ luns: [3, 3] }), databases: [iris(), iris({ name: "second" })] },
    message:
      "hadb:iscsi.target.luns: [3,3] must be distinct: a LUN shared by two databases would have two writers (repeated: 3)",
  },
  {
    why: "malformed IQN",
    values: external({ iqn: "iqn.2026.example:db" }),
    message:
      'hadb:iscsi.target.iqn: "iqn.2026.example:db" must be an iSCSI qualified name, e.g. "iqn.2026-01.com.example:storage.db"',
  },
  {
    why: "malformed portal",
    values: external({ portal: "10.0.0.300:3260" }),
    message:
      'hadb:iscsi.target.portal: "10.0.0.300:3260" must be host or host:port of the target portal, e.g. "10.0.0.5:3260"',
  },
  {
    why: "external target without a CHAP secret",
    values: { ...external({}), iscsiChapPassword: "" },
    message:
      "hadb:iscsiChapPassword: (unset) must be set as a secret of at least 12 characters for an external target (pulumi config set --secret hadb:iscsiChapPassword ...)",
  },
  {
    why: "the lab's target outside the lab",
    values: { storage: "iscsi", iscsi: { target: "vagrant" }, databases: [mysql()] },
    message:
      'hadb:iscsi.target: "vagrant" needs cloud "vagrant" (cloud is "existing"); describe an external target instead',
  },
  {
    why: "iscsi settings with another backend",
    values: { iscsi: { target: "vagrant" } },
    message: 'hadb:iscsi: {"target":"vagrant"} only applies to storage "iscsi" (storage is "longhorn")',
  },
  {
    why: "Rook-Ceph with the default automatic fencing (nothing hadb ships can fence RBD)",
    values: { storage: "rook-ceph", blockDevices: ["/dev/sdb"] },
    message:
      'hadb:fencing.mode: "automatic" (the default) is not available on storage "rook-ceph": an RBD client is only fenced by Ceph\'s blocklist, which Rook applies with its network fencing (the CSI-Addons controller and enableFencing), which hadb does not install. Set hadb:fencing: {mode: off} to accept that a lost node keeps its databases\' volumes until it returns or you act on it (runbook in docs/fencing.md)',
  },
  {
    why: "an external iSCSI target with automatic fencing",
    values: { ...external({}), fencing: { mode: "automatic" } },
    message:
      'hadb:fencing.mode: "automatic" is not available on storage "iscsi" with an external target: an external target can only be fenced by the target itself (its ACL or SCSI-3 persistent reservations), which hadb does not manage; hadb\'s fence agent runs beside the lab\'s own target. Set hadb:fencing: {mode: off} to accept that a lost node keeps its databases\' volumes until it returns or you act on it (runbook in docs/fencing.md)',
  },
  {
    why: "fencing turned off on Longhorn (it fences by itself)",
    values: { fencing: { mode: "off" } },
    message:
      'hadb:fencing.mode: "off" cannot be set on storage "longhorn": Longhorn fences a lost node by itself (it deletes the lost node\'s pods and attachments, and the node\'s engine loses the healthy replicas) and hadb cannot turn that off; remove hadb:fencing',
  },
  {
    why: "a fence agent detection time on Portworx",
    values: { storage: "portworx", blockDevices: ["/dev/sdb"], fencing: { detectionSeconds: 5 } },
    message:
      'hadb:fencing.detectionSeconds: 5 only applies to hadb\'s fence agent (storage "iscsi" with the lab\'s target); storage "portworx" fences by itself',
  },
  {
    why: "a detection time with fencing off",
    values: { ...lab, databases: [mysql()], fencing: { mode: "off", detectionSeconds: 5 } },
    message: 'hadb:fencing.detectionSeconds: 5 only applies with mode "automatic"',
  },
  {
    why: "a detection time out of range",
    values: { ...lab, databases: [mysql()], fencing: { detectionSeconds: -1 } },
    message: "hadb:fencing.detectionSeconds: -1 must be an integer from 0 to 600",
  },
  {
    why: "an unknown fencing mode",
    values: { ...lab, databases: [mysql()], fencing: { mode: "manual" } },
    message: 'hadb:fencing.mode: "manual" is not allowed; allowed: automatic | off',
  },
  {
    why: "an unknown fencing field",
    values: { ...lab, databases: [mysql()], fencing: { detectionSecond: 5 } },
    message:
      "hadb:fencing.detectionSecond: 5 is not a known key (did you mean detectionSeconds?); allowed: mode | detectionSeconds",
  },
  {
    why: "fencing that is not an object",
    values: { fencing: ["off"] },
    message: 'hadb:fencing: ["off"] must be {mode: automatic | off, detectionSeconds}',
  },
  {
    why: "vagrant settings on another cloud",
    values: { vagrant: { cpus: 4 } },
    message: 'hadb:vagrant: {"cpus":4} only applies to cloud "vagrant" (cloud is "existing")',
  },
  {
    why: "node failure detection faster than 4 heartbeats",
    values: {
      ...lab,
      vagrant: { nodeMonitorGracePeriodSeconds: 10, nodeStatusUpdateFrequencySeconds: 4 },
      databases: [mysql()],
    },
    message:
      "hadb:vagrant.nodeMonitorGracePeriodSeconds: 10 must be at least 4 × nodeStatusUpdateFrequencySeconds (4): fewer missed heartbeats would fail over on a busy laptop",
  },
  {
    why: "lab network with host bits set",
    values: { ...lab, vagrant: { network: "192.168.56.10/24" }, databases: [mysql()] },
    message:
      'hadb:vagrant.network: "192.168.56.10/24" must be an IPv4 /24 network address for the lab (host part .0, which the iSCSI target ACL needs), e.g. "192.168.56.0/24"',
  },
  {
    why: "unknown Vagrant provider",
    values: { ...lab, vagrant: { provider: "hyperv" }, databases: [mysql()] },
    message: 'hadb:vagrant.provider: "hyperv" is not allowed; allowed: virtualbox | libvirt',
  },
  {
    why: "node port outside the node port range",
    values: {
      databases: [
        mysql({
          exposure: {
            type: "nodePort",
            allowedSourceRanges: ["192.168.56.0/24"],
            nodePorts: { mysql: 3306 },
          },
        }),
      ],
    },
    message: "hadb:databases[0].exposure.nodePorts.mysql: 3306 must be an integer from 30000 to 32767",
  },
  {
    why: "node port for a port the engine does not have",
    values: {
      databases: [
        mysql({
          exposure: { type: "nodePort", allowedSourceRanges: ["192.168.56.0/24"], nodePorts: { web: 30080 } },
        }),
      ],
    },
    message: "hadb:databases[0].exposure.nodePorts.web: 30080 names no port of this engine; ports: mysql",
  },
  {
    why: "one node port for two databases",
    values: {
      databases: [
        mysql({
          exposure: { type: "nodePort", allowedSourceRanges: ["10.0.0.0/8"], nodePorts: { mysql: 30306 } },
        }),
        mysql({
          name: "other",
          exposure: { type: "nodePort", allowedSourceRanges: ["10.0.0.0/8"], nodePorts: { mysql: 30306 } },
        }),
      ],
    },
    message: "hadb:databases[1].exposure.nodePorts.mysql: 30306 is already used by mysql.mysql",
  },
  {
    why: "node port without an allowlist",
    values: { databases: [mysql({ exposure: { type: "nodePort" } })] },
    message:
      'hadb:databases[0].exposure.allowedSourceRanges: (unset) is required for a nodePort: list the CIDRs allowed to connect, e.g. ["10.0.0.0/8"]; databases are private by default',
  },
  {
    why: "MySQL application user root",
    values: { databases: [mysql({ mysql: { user: "root" } })] },
    message:
      'hadb:databases[0].mysql.user: "root" must not be root: the application gets its own user; root stays in the credentials Secret',
  },
  {
    why: "MySQL application database named after the grant tables' schema",
    values: { databases: [mysql({ mysql: { database: "mysql" } })] },
    message:
      'hadb:databases[0].mysql.database: "mysql" is a MySQL system schema (mysql | sys | information_schema | performance_schema): the image grants the application user ALL on its database, so it could rewrite the grant tables; choose another name',
  },
  {
    why: "MySQL application database named after a system schema in another case",
    values: { databases: [mysql({ mysql: { database: "Information_Schema" } })] },
    message:
      'hadb:databases[0].mysql.database: "Information_Schema" is a MySQL system schema (mysql | sys | information_schema | performance_schema): the image grants the application user ALL on its database, so it could rewrite the grant tables; choose another name',
  },
  {
    why: "PostgreSQL application database that is a template",
    values: { databases: [{ engine: "postgres", name: "pg", postgres: { database: "template1" } }] },
    message:
      'hadb:databases[0].postgres.database: "template1" is a PostgreSQL system database (postgres | template0 | template1): the operator administers through postgres and templates are copied into every new database; choose another name',
  },
  {
    why: "PostgreSQL user PGO creates no schema for",
    values: { databases: [{ engine: "postgres", name: "pg", postgres: { user: "pgbouncer" } }] },
    message:
      'hadb:databases[0].postgres.user: "pgbouncer" must not be pgbouncer: PGO reserves it for its connection pooler and creates no schema for it',
  },
  {
    why: "IRIS application namespace that is an InterSystems one",
    values: { databases: [iris({ iris: { namespace: "IRISSYS" } })] },
    message:
      'hadb:databases[0].iris.namespace: "IRISSYS" is an InterSystems namespace or database (USER | ENSLIB | HSLIB | HSSYS | HSCUSTOM | HSAUDIT | IRIS*): the application gets a namespace of its own; choose another name',
  },
  {
    why: "IRIS application user that is a predefined account",
    values: { databases: [iris({ iris: { user: "superuser" } })] },
    message:
      'hadb:databases[0].iris.user: "superuser" is a predefined IRIS account or the instance owner (admin | superuser | cspsystem | iam | unknownuser | irisowner): the application gets an account of its own',
  },
  {
    why: "IRIS application user that is not a plain name",
    values: { databases: [iris({ iris: { user: "_SYSTEM" } })] },
    message:
      'hadb:databases[0].iris.user: "_SYSTEM" must be an IRIS username: lowercase letters, digits and _, at most 32, starting with a letter',
  },
  {
    why: "password revision that is not a label",
    values: { databases: [mysql({ passwordRevision: "next week" })] },
    message:
      'hadb:databases[0].passwordRevision: "next week" must be a label of letters, digits, ".", "_" or "-" (at most 63), e.g. "2026-06" or 2; change it to rotate the passwords',
  },
  {
    why: "MySQL version outside the 8.4 LTS line",
    values: { databases: [mysql({ version: "9.1.0" })] },
    message:
      'hadb:databases[0].version: "9.1.0" is not a supported mysql version; expected a version like "8.4.11"',
  },
  {
    why: "MySQL settings on an IRIS database",
    values: { databases: [iris({ mysql: { user: "app" } })] },
    message: 'hadb:databases[0].mysql: {"user":"app"} only applies to engine "mysql" (engine is "iris")',
  },
  {
    why: "unknown engine",
    values: { databases: [{ engine: "oracle", name: "db" }] },
    message: 'hadb:databases[0].engine: "oracle" is not allowed; allowed: iris | mysql | postgres',
  },
  {
    why: "database without a name",
    values: { databases: [{ engine: "iris" }] },
    message:
      "hadb:databases[0].name: (unset) must be a DNS label of at most 40 characters (lowercase letters, digits, '-', starting with a letter)",
  },
  {
    why: "database name too long",
    values: { databases: [iris({ name: "a".repeat(41) })] },
    message: `hadb:databases[0].name: "${"a".repeat(41)}" must be a DNS label of at most 40 characters (lowercase letters, digits, '-', starting with a letter)`,
  },
  {
    why: "duplicate database names",
    values: { databases: [iris(), iris()] },
    message:
      'hadb:databases[1].name: "iris" duplicates hadb:databases[0].name: database names must be unique',
  },
  {
    why: "volume size not a quantity",
    values: { databases: [iris({ volumeSize: "10GB" })] },
    message:
      'hadb:databases[0].volumeSize: "10GB" must be a positive Kubernetes quantity string, e.g. "512Mi" or "10Gi"',
  },
  {
    why: "volume too small",
    values: { databases: [iris({ volumeSize: "512Mi" })] },
    message:
      'hadb:databases[0].volumeSize: "512Mi" must be at least 1Gi (a database volume holds data, journals and logs)',
  },
  {
    why: "version and image together",
    values: { databases: [iris({ version: "2026.1", image: "repo/iris:2026.1" })] },
    message:
      'hadb:databases[0].image: "repo/iris:2026.1" cannot be combined with version: give either a version or a full image',
  },
  {
    why: "moving image tag",
    values: { databases: [iris({ image: "intersystems/iris-community:latest" })] },
    message:
      'hadb:databases[0].image: "intersystems/iris-community:latest" must not use the moving tag "latest": pin a version',
  },
  {
    why: "image without tag",
    values: { databases: [iris({ image: "intersystems/iris-community" })] },
    message:
      'hadb:databases[0].image: "intersystems/iris-community" must be a pinned image reference with a tag or digest, e.g. registry/repo:2026.1',
  },
  {
    why: "malformed version",
    values: { databases: [iris({ version: "latest" })] },
    message:
      'hadb:databases[0].version: "latest" is not a supported iris version; expected a version like "2026.1"',
  },
  {
    why: "requests above limits",
    values: {
      databases: [iris({ resources: { requests: { cpu: "4" }, limits: { cpu: "2", memory: "4Gi" } } })],
    },
    message: 'hadb:databases[0].resources.requests.cpu: "4" exceeds limits.cpu (2)',
  },
  {
    why: "memory limit too small",
    values: { databases: [iris({ resources: { limits: { memory: "512Mi" } } })] },
    message: 'hadb:databases[0].resources.limits.memory: "512Mi" must be at least 1Gi for a database server',
  },
  {
    why: "load balancer without allowlist",
    values: { databases: [iris({ exposure: { type: "loadBalancer" } })] },
    message:
      'hadb:databases[0].exposure.allowedSourceRanges: (unset) is required for a loadBalancer: list the CIDRs allowed to connect, e.g. ["10.0.0.0/8"]; databases are private by default',
  },
  {
    why: "load balancer open to the internet",
    values: { databases: [iris({ exposure: { type: "loadBalancer", allowedSourceRanges: ["0.0.0.0/0"] } })] },
    message:
      'hadb:databases[0].exposure.allowedSourceRanges[0]: "0.0.0.0/0" opens the database to every address: list only the networks that need access',
  },
  {
    why: "malformed CIDR",
    values: {
      databases: [iris({ exposure: { type: "loadBalancer", allowedSourceRanges: ["10.0.0.0/33"] } })],
    },
    message:
      'hadb:databases[0].exposure.allowedSourceRanges[0]: "10.0.0.0/33" must be a CIDR such as 203.0.113.0/24',
  },
  {
    why: "unknown exposure type",
    values: { databases: [iris({ exposure: { type: "public" } })] },
    message:
      'hadb:databases[0].exposure.type: "public" is not allowed; allowed: clusterIP | loadBalancer | nodePort',
  },
  {
    why: "misspelled database key",
    values: { databases: [iris({ volumSize: "10Gi" })] },
    message:
      'hadb:databases[0].volumSize: "10Gi" is not a known key (did you mean volumeSize?); allowed: engine | name | volumeSize | version | image | resources | exposure | iris | mysql | postgres | restoreFrom | passwordRevision | consumerNamespaces | failoverMeasured',
  },
  {
    why: "measured failover spans without their source",
    values: {
      databases: [
        mysql({ failoverMeasured: { attachSeconds: 3.1, containerStartSeconds: 19.4, readySeconds: 10.7 } }),
      ],
    },
    message:
      "hadb:databases[0].failoverMeasured.source: (unset) must say where the figures were measured (the budget prints it beside each step)",
  },
  {
    why: "measured failover span in milliseconds",
    values: {
      databases: [
        mysql({
          failoverMeasured: {
            attachSeconds: 3.1,
            containerStartSeconds: 19400,
            readySeconds: 10.7,
            source: "drill",
          },
        }),
      ],
    },
    message:
      "hadb:databases[0].failoverMeasured.containerStartSeconds: 19400 must be a number of seconds from 0 to 3600 (volume attached -> database container running (login, mount, container start))",
  },
  {
    why: "measured failover spans for PostgreSQL (Patroni's own timeline)",
    values: {
      databases: [
        {
          engine: "postgres",
          name: "pg",
          failoverMeasured: {
            attachSeconds: 3,
            containerStartSeconds: 19,
            readySeconds: 10,
            source: "drill",
          },
        },
      ],
    },
    message:
      'hadb:databases[0].failoverMeasured: {"attachSeconds":3,"containerStartSeconds":19,"readySeconds":10,"source":"drill"} only applies to engines iris | mysql (engine is "postgres": its failover budget follows Patroni)',
  },
  {
    why: "CPF key managed by hadb",
    values: { databases: [iris({ iris: { cpfConfig: { globals: "0,0,100,0,0,0" } } })] },
    message:
      'hadb:databases[0].iris.cpfConfig.globals: "0,0,100,0,0,0" is managed by hadb: use hadb:databases[0].iris.globalBuffersMB / gmheapKB',
  },
  {
    why: "CPF value smuggling a new section",
    values: { databases: [iris({ iris: { cpfConfig: { locksiz: "1\n[Startup]\nPasswordHash=x" } } })] },
    message:
      'hadb:databases[0].iris.cpfConfig.locksiz: "1\\n[Startup]\\nPasswordHash=x" must be a single-line string or number (no newlines or brackets)',
  },
  {
    why: "global buffers larger than the memory limit allows",
    values: { databases: [iris({ iris: { globalBuffersMB: 100000 } })] },
    message: "hadb:databases[0].iris.globalBuffersMB: 100000 must be an integer from 16 to 3276",
  },
  {
    why: "a MySQL application user named like hadb's exporter account",
    values: { databases: [{ engine: "mysql", name: "shop", mysql: { user: "hadb_exporter" } }] },
    message:
      'hadb:databases[0].mysql.user: "hadb_exporter" is hadb\'s metrics exporter account (hadb:monitoring): the application gets a user of its own',
  },
  {
    why: "monitoring mode not offered",
    values: { monitoring: { mode: "prometheus" } },
    message: 'hadb:monitoring.mode: "prometheus" is not allowed; allowed: off | operator | install',
  },
  {
    why: "monitoring given as a switch",
    values: { monitoring: true },
    message:
      'hadb:monitoring: true must be an object like {mode: "install"}; modes: off | operator | install',
  },
  {
    why: "monitoring with a misspelt key",
    values: { monitoring: { mode: "operator", label: { release: "prom" } } },
    message:
      'hadb:monitoring.label: {"release":"prom"} is not a known key (did you mean labels?); allowed: mode | labels | namespace',
  },
  {
    why: "monitoring labels that are not Kubernetes labels",
    values: { monitoring: { mode: "operator", labels: { release: "kube prometheus" } } },
    message:
      "hadb:monitoring.labels.release: \"kube prometheus\" must be a Kubernetes label value (a string of at most 63 letters, digits, '-', '_', '.')",
  },
  {
    why: "monitoring labels while monitoring is off",
    values: { monitoring: { labels: { release: "prom" } } },
    message: 'hadb:monitoring.labels: {"release":"prom"} only applies with mode "operator" or "install"',
  },
  {
    why: "a monitoring namespace for a Prometheus hadb does not install",
    values: { monitoring: { mode: "operator", namespace: "monitoring" } },
    message:
      'hadb:monitoring.namespace: "monitoring" only applies with mode "install" (mode is "operator"): it is where hadb installs kube-prometheus-stack',
  },
  {
    why: "databases is not valid structured config",
    values: {},
    raw: { "hadb:databases": "[{engine: iris" },
    message: 'hadb:databases: "[{engine: iris" is not valid structured config (JSON/YAML)',
  },
  {
    why: "a bare mode for monitoring (`pulumi config set hadb:monitoring install`)",
    values: {},
    raw: { "hadb:monitoring": "install" },
    message:
      'hadb:monitoring: "install" must be an object like {mode: "install"}; modes: off | operator | install',
  },
];

describe("config validation rejects bad stack config with a clear message", () => {
  assert.ok(BAD_CONFIGS.length >= 25);
  for (const bad of BAD_CONFIGS) {
    it(bad.why, () => {
      const problems = bad.raw ? problemsOf(bad.raw, true) : problemsOf(bad.values);
      assert.ok(
        problems.includes(bad.message),
        `expected:\n  ${bad.message}\ngot:\n  ${problems.join("\n  ")}`,
      );
    });
  }

  it("reports every problem at once", () => {
    const problems = problemsOf({
      cloud: "azure",
      storage: "nfs",
      databases: [{ engine: "oracle", name: "X" }],
    });
    assert.equal(problems.length, 4);
  });

  it("never echoes a kubeconfig (it holds credentials)", () => {
    const problems = problemsOf({ cloud: "eks", kubeconfig: "apiVersion: v1\nusers: [{token: s3cr3t}]" });
    assert.ok(problems.some((p) => p.startsWith("hadb:kubeconfig:")));
    assert.ok(problems.every((p) => !p.includes("s3cr3t")));
  });
});

describe("config defaults", () => {
  it("an empty stack is a private, 3-node Longhorn setup on the current cluster", () => {
    const config = configFromMap({});
    assert.equal(config.cloud, "existing");
    assert.equal(config.storage, "longhorn");
    assert.equal(config.nodeCount, 3);
    assert.equal(config.storageReplicas, 3);
    assert.equal(config.evictionTolerationSeconds, 15);
    assert.equal(config.prepareNodes, true);
    assert.equal(config.kubeconfig, undefined);
    assert.deepEqual(config.databases, []);
    // Monitoring is asked for: "operator" needs CRDs hadb cannot see before deploying, "install" a stack.
    assert.deepEqual(config.monitoring, { mode: "off", labels: {}, namespace: "monitoring" });
  });

  it("an IRIS entry gets the pinned EM image, Guaranteed resources, 25% global buffers and a private Service", () => {
    const [database] = configFromMap(configOf({ databases: [iris()] })).databases;
    assert.ok(database);
    assert.equal(database.image, "containers.intersystems.com/intersystems/iris-community:2026.1");
    assert.deepEqual(database.resources.requests, database.resources.limits);
    assert.equal(database.iris?.globalBuffersMB, 1024);
    assert.deepEqual(database.exposure, { type: "clusterIP" });
    assert.equal(database.volumeSize, "10Gi");
  });

  it("a version override changes only the tag; numbers are accepted as CPU quantities", () => {
    const [database] = configFromMap(
      configOf({
        databases: [iris({ version: "2025.1", resources: { limits: { cpu: 2, memory: "8Gi" } } })],
      }),
    ).databases;
    assert.equal(database?.image, "containers.intersystems.com/intersystems/iris-community:2025.1");
    assert.deepEqual(database.resources.requests, { cpu: "2", memory: "8Gi" });
  });

  it("application databases default to the entry's name, or app when that name is the engine's own", () => {
    const databases = configFromMap(
      configOf({
        databases: [
          mysql(),
          mysql({ name: "shop-db" }),
          { engine: "postgres", name: "postgres" },
          { engine: "postgres", name: "billing-db" },
          iris(),
        ],
      }),
    ).databases;
    assert.deepEqual(databases[0]?.mysql, { database: "app", user: "app" });
    assert.deepEqual(databases[1]?.mysql, { database: "shop_db", user: "app" });
    assert.equal(databases[2]?.postgres?.database, "app");
    assert.equal(databases[3]?.postgres?.database, "billing_db");
    const irisAccount = databases[4]?.iris;
    assert.deepEqual([irisAccount?.namespace, irisAccount?.user], ["APP", "app"]);
  });

  it("no stack in stacks/ gives an application a system schema or database", () => {
    for (const stack of STACKS) {
      const document = parse(readFileSync(join(PROJECT_ROOT, "stacks", `${stack}.yaml`), "utf8")) as {
        config: Record<string, unknown>;
      };
      for (const database of configFromMap(configMapFromValues(document.config).config).databases) {
        const name = database.mysql?.database ?? database.postgres?.database ?? database.iris?.namespace;
        assert.ok(name, `${stack}/${database.name}: no application database`);
        assert.equal(
          reservedDatabaseReason(database.engine, name),
          undefined,
          `${stack}/${database.name}: ${name}`,
        );
      }
    }
  });

  it("a password revision may be a number or a label (it only has to change to rotate)", () => {
    const [numbered, labelled, unset] = configFromMap(
      configOf({
        databases: [
          mysql({ passwordRevision: 2 }),
          iris({ name: "b", passwordRevision: "2026-06" }),
          iris({ name: "c" }),
        ],
      }),
    ).databases;
    assert.equal(numbered?.passwordRevision, "2");
    assert.equal(labelled?.passwordRevision, "2026-06");
    assert.equal(unset?.passwordRevision, undefined);
  });

  it("fencing: storage that fences itself, hadb's agent on the lab's target, an explicit opt-out", () => {
    assert.deepEqual(configFromMap({}).fencing, { mode: "automatic", by: "storage", detectionSeconds: 10 });
    assert.deepEqual(configFromMap(configOf({ ...lab, databases: [mysql()] })).fencing, {
      mode: "automatic",
      by: "target-agent",
      detectionSeconds: 10,
    });
    assert.deepEqual(
      configFromMap(configOf({ ...lab, databases: [mysql()], fencing: { detectionSeconds: 0 } })).fencing,
      { mode: "automatic", by: "target-agent", detectionSeconds: 0 },
    );
    assert.equal(configFromMap(configOf({ ...external({}), fencing: { mode: "off" } })).fencing.by, "none");
    const rook = { storage: "rook-ceph", blockDevices: ["/dev/sdb"], fencing: { mode: "off" } };
    assert.deepEqual(configFromMap(configOf(rook)).fencing, {
      mode: "off",
      by: "none",
      detectionSeconds: 10,
    });
  });

  it("other namespaces' keys (e.g. kubernetes:, aws:) are left alone", () => {
    assert.doesNotThrow(() =>
      configFromMap({
        "aws:region": "eu-west-1",
        "kubernetes:context": "x",
        "gcp:project": "p",
        "azure-native:location": "westeurope",
        "pulumi:tags": "{}",
        "random:x": "y",
      }),
    );
  });
});

describe("Pulumi.yaml and stacks/ agree with the config table", () => {
  const project = parse(readFileSync(join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")) as {
    name: string;
    config: Record<
      string,
      { type?: string; items?: { type: string }; default?: unknown; description: string; secret?: boolean }
    >;
  };

  it("Pulumi.yaml declares exactly the keys of components/config/keys.ts with the same type, default and description", () => {
    assert.equal(project.name, "hadb");
    assert.deepEqual(Object.keys(project.config).sort(), [...CONFIG_KEY_NAMES].sort());
    for (const name of CONFIG_KEY_NAMES) {
      const spec: ConfigKeySpec = CONFIG_KEYS[name];
      const declared = project.config[name];
      assert.ok(declared, name);
      // Pulumi's typed config has no object type: such keys are declared untyped.
      assert.equal(declared.type, spec.type === "object" ? undefined : spec.type, `${name} type`);
      if (spec.items) assert.deepEqual(declared.items, { type: spec.items }, `${name} items`);
      assert.deepEqual(declared.default, spec.default, `${name} default`);
      assert.equal(declared.description, spec.description, `${name} description`);
      // Never `secret: true` there: the CLI applies a key's project default and then requires a secret
      // key's stack value to be encrypted, so a declared secret with a default breaks every stack that
      // does not set it (found by the real-engine tier). The description says to set it with --secret.
      assert.equal(declared.secret, undefined, `${name}: secret keys are not declared secret in Pulumi.yaml`);
      if (spec.secret === true) assert.match(declared.description, /--secret/, `${name} description`);
      // A typed key without a default is required by the Pulumi CLI: every hadb key is optional.
      assert.ok("default" in declared, `${name} must have a default`);
    }
  });

  it("Pulumi.dev.yaml is the stacks/dev.yaml configuration", () => {
    const dev = parse(readFileSync(join(PROJECT_ROOT, "Pulumi.dev.yaml"), "utf8")) as unknown;
    const template = parse(readFileSync(join(PROJECT_ROOT, "stacks", "dev.yaml"), "utf8")) as unknown;
    assert.deepEqual(dev, template);
  });

  it("every stack in stacks/ is valid config", () => {
    assert.ok(STACKS.includes("dev"));
    for (const stack of STACKS) {
      const document = parse(readFileSync(join(PROJECT_ROOT, "stacks", `${stack}.yaml`), "utf8")) as {
        config: Record<string, unknown>;
      };
      assert.doesNotThrow(() => configFromMap(configMapFromValues(document.config).config), stack);
    }
  });
});
