// Portworx Enterprise: operator chart pin and values, and typed builders for the StorageCluster and the
// database classes. Field names follow core.libopenstorage.org/v1 (libopenstorage/operator) and the
// Portworx 3.6 docs (read upstream).
import type * as k8s from "@pulumi/kubernetes";
import type { BlockDeviceSource } from "../../cluster/handle";
import type { Cloud } from "../../config/types";
import { volumeSnapshotClass } from "../../shared/snapshot-class";
import type { CustomObject } from "../../shared/custom-object";

export const PORTWORX_NAMESPACE = "portworx";
export const PORTWORX_DRIVER = "pxd.portworx.com";

/**
 * Chart 9.1.1 = Portworx Enterprise 3.6.1, operator 26.2.1: newest in the official stable index as read
 * on 2026-11-29 (index generated 2026-06-12). Only its operator is installed (deployCluster false):
 * hadb writes the StorageCluster itself.
 */
export const PORTWORX_CHART = {
  chart: "portworx",
  version: "9.1.1",
  repo: "https://raw.githubusercontent.com/portworx/helm/master/stable/",
} as const;

/** The Portworx image chart 9.1.1 deploys (its `imageVersion`, 3.6.1). */
export const PORTWORX_IMAGE = "portworx/oci-monitor:3.6.1";

/** Secret holding a SaaS licence key (Portworx reads SAAS_ACCOUNT_KEY_STRING from it). */
export const LICENSE_SECRET = "px-license";
/** Secret with an Azure service principal allowed to manage disks (AKS cloud drives). */
export const AZURE_CREDENTIALS_SECRET = "px-azure";

/**
 * The chart reads `clusterName` only for its own StorageCluster (deployCluster) and the restricted-RBAC
 * hook (stork.restrictDataProtectionRBAC, off): hadb sets neither, so it passes no name.
 */
export function portworxOperatorValues(): Record<string, unknown> {
  return { deployOperator: true, deployCluster: false };
}

export interface StorageClusterInput {
  name: string;
  platform: Cloud;
  blockDevices: BlockDeviceSource;
  /** Nodes per zone that carry drives (all of them: every node stores a replica). */
  nodesPerZone: number;
  /** The platform serves VolumeSnapshots already (else Portworx installs the controller). */
  volumeSnapshots: boolean;
  licensed: boolean;
  azureCredentials: boolean;
  /** External etcd shared by both PX-DR sites; undefined = the internal KVDB (one cluster). */
  kvdbEndpoints?: string[];
  /** PX-DR: this site's cluster domain. */
  clusterDomain?: string;
}

const PLATFORM_ANNOTATION: Partial<Record<Cloud, string>> = {
  aks: "portworx.io/is-aks",
  eks: "portworx.io/is-eks",
  gke: "portworx.io/is-gke",
};

const secretEnv = (secret: string, keys: [string, string][]) =>
  keys.map(([name, key]) => ({ name, valueFrom: { secretKeyRef: { name: secret, key } } }));

export function storageCluster(input: StorageClusterInput): CustomObject {
  const { blockDevices } = input;
  if (blockDevices.kind === "none") throw new Error(`Portworx needs block devices: ${blockDevices.reason}`);
  const annotation = PLATFORM_ANNOTATION[input.platform];
  const annotations = {
    ...(annotation ? { [annotation]: "true" } : {}),
    // PX-DR: the operator hands misc-args to Portworx; both sites share the name and the etcd.
    ...(input.clusterDomain !== undefined
      ? { "portworx.io/misc-args": `-cluster_domain ${input.clusterDomain}` }
      : {}),
  };
  return {
    apiVersion: "core.libopenstorage.org/v1",
    kind: "StorageCluster",
    metadata: {
      name: input.name,
      namespace: PORTWORX_NAMESPACE,
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    spec: {
      image: PORTWORX_IMAGE,
      // One cluster per stack: the key-value store runs inside Portworx. PX-DR forbids that: both
      // sites use one external etcd (endpoints take precedence over internal).
      kvdb: input.kvdbEndpoints ? { endpoints: input.kvdbEndpoints } : { internal: true },
      ...(blockDevices.kind === "volumes"
        ? {
            cloudStorage: {
              deviceSpecs: [blockDevices.portworxDeviceSpec],
              maxStorageNodesPerZone: input.nodesPerZone,
            },
          }
        : { storage: { devices: blockDevices.paths } }),
      secretsProvider: "k8s",
      // Stork: storage-aware scheduling and the health monitor that moves pods off dead Portworx nodes.
      stork: { enabled: true },
      csi: { enabled: true, installSnapshotController: !input.volumeSnapshots },
      autopilot: { enabled: false },
      deleteStrategy: { type: "Uninstall" },
      env: [
        ...(input.licensed ? secretEnv(LICENSE_SECRET, [["SAAS_ACCOUNT_KEY_STRING", "accountKey"]]) : []),
        ...(input.azureCredentials
          ? secretEnv(AZURE_CREDENTIALS_SECRET, [
              ["AZURE_TENANT_ID", "AZURE_TENANT_ID"],
              ["AZURE_CLIENT_ID", "AZURE_CLIENT_ID"],
              ["AZURE_CLIENT_SECRET", "AZURE_CLIENT_SECRET"],
            ])
          : []),
      ],
    },
  };
}

/** Database class: 3 synchronous replicas on different nodes, database I/O profile, Retain. */
export function portworxStorageClass(
  name: string,
  replicas: number,
): k8s.types.input.storage.v1.StorageClass {
  return {
    metadata: { name },
    provisioner: PORTWORX_DRIVER,
    parameters: { repl: String(replicas), io_profile: "db_remote", priority_io: "high" },
    allowVolumeExpansion: true,
    reclaimPolicy: "Retain",
    volumeBindingMode: "Immediate",
  };
}

/** `Retain` for snapshots people take; `Delete` for the class of hadb's scheduled (retained) snapshots. */
export function portworxSnapshotClass(
  name: string,
  deletionPolicy: "Retain" | "Delete" = "Retain",
): CustomObject {
  return volumeSnapshotClass(name, PORTWORX_DRIVER, deletionPolicy);
}
