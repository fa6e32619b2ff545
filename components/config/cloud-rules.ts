// What hadb knows about each managed cloud (AKS, EKS, GKE), one entry per cloud: the provider's region
// key, zone names, node images and sizes, and the defaults of `hadb:<cloud>`. Pure data, read by
// validation (cloud.ts, storage-needs.ts) and the cluster layer. A cloud without an entry does not
// compile (Record<ManagedCloud, ...>).
import type { ManagedCloud, ManagedClusterSettings, NodeOsFamily } from "./types";

/** Zones a managed cluster spans: one node per zone at least, so a zone outage leaves two. */
export const MANAGED_ZONE_COUNT = 3;

export interface CloudRules {
  /** The provider config key holding the region, e.g. `aws:region`. */
  regionKey: string;
  regionPattern: RegExp;
  regionExample: string;
  /** Zone names valid for a region. */
  zonePattern: (region: string) => RegExp;
  zoneExample: (region: string) => string;
  /** Zones used when `hadb:zones` is empty; undefined = the user must list them. */
  defaultZones?: string[];
  nodeImages: readonly string[];
  /** OS family of each image; `cos` / `bottlerocket` cannot install open-iscsi. */
  nodeOsOf: Record<string, NodeOsFamily>;
  nodeSizePattern: RegExp;
  nodeSizeExample: string;
  /** Keys of `hadb:<cloud>` that only this cloud understands. */
  extraKeys: string[];
  defaults: Omit<ManagedClusterSettings, "cloud" | "region" | "project" | "databasePool">;
}

const COMMON_DEFAULTS = {
  // Newest minor in standard support on AKS, EKS and GKE in late 2026 (EKS: until March 2027);
  // 1.34 leaves EKS standard support in December 2026.
  kubernetesVersion: "1.35",
  nodeDiskGB: 128,
  storageDiskGB: 100,
  apiAllowedCidrs: [] as string[],
  deletionProtection: false,
  adminPrincipalArns: [] as string[],
};

export const CLOUD_RULES: Record<ManagedCloud, CloudRules> = {
  aks: {
    regionKey: "azure-native:location",
    regionPattern: /^[a-z][a-z0-9]+$/,
    regionExample: "westeurope or eastus2 (lowercase, no spaces)",
    zonePattern: () => /^[123]$/,
    zoneExample: () => '"1", "2", "3"',
    defaultZones: ["1", "2", "3"],
    // Ubuntu images ship open-iscsi; the node-prep DaemonSet makes sure iscsid runs.
    nodeImages: ["Ubuntu"],
    nodeOsOf: { Ubuntu: "debian" },
    nodeSizePattern: /^Standard_[A-Za-z0-9_]+$/,
    nodeSizeExample: "Standard_D4s_v5",
    extraKeys: [],
    // 4 vCPU / 16 GiB: room for the storage engine's replicas next to a database.
    defaults: {
      ...COMMON_DEFAULTS,
      nodeSize: "Standard_D4s_v5",
      nodeImage: "Ubuntu",
      networkCidr: "10.40.0.0/16",
    },
  },
  eks: {
    regionKey: "aws:region",
    regionPattern: /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/,
    regionExample: "eu-west-1 or us-east-2",
    zonePattern: (region) => new RegExp(`^${region}[a-z]$`),
    zoneExample: (region) => `"${region}a", "${region}b", "${region}c"`,
    // AL2023: user data installs iscsi-initiator-utils; Bottlerocket has no package manager.
    nodeImages: ["AL2023", "Bottlerocket"],
    nodeOsOf: { AL2023: "amazonlinux", Bottlerocket: "bottlerocket" },
    nodeSizePattern: /^[a-z][a-z0-9-]*\.[a-z0-9]+$/,
    nodeSizeExample: "m6i.xlarge",
    extraKeys: ["adminPrincipalArns"],
    defaults: {
      ...COMMON_DEFAULTS,
      nodeSize: "m6i.xlarge",
      nodeImage: "AL2023",
      networkCidr: "10.41.0.0/16",
    },
  },
  gke: {
    regionKey: "gcp:region",
    regionPattern: /^[a-z]+-[a-z]+\d{1,2}$/,
    regionExample: "europe-west1 or us-central1",
    zonePattern: (region) => new RegExp(`^${region}-[a-z]$`),
    zoneExample: (region) => `"${region}-b", "${region}-c", "${region}-d"`,
    // COS is read-only and cannot install open-iscsi (Longhorn, iSCSI); Ubuntu can.
    nodeImages: ["UBUNTU_CONTAINERD", "COS_CONTAINERD"],
    nodeOsOf: { UBUNTU_CONTAINERD: "debian", COS_CONTAINERD: "cos" },
    nodeSizePattern: /^[a-z][a-z0-9]*-[a-z]+(-\d+)?$/,
    nodeSizeExample: "n2-standard-4",
    extraKeys: ["deletionProtection"],
    defaults: {
      ...COMMON_DEFAULTS,
      nodeSize: "n2-standard-4",
      nodeImage: "UBUNTU_CONTAINERD",
      networkCidr: "10.42.0.0/20",
    },
  },
};

/** GKE VPC-native secondary ranges (pods, services): fixed, so the node subnet must not overlap them. */
export const GKE_SECONDARY_RANGES = { pods: "10.112.0.0/14", services: "10.116.0.0/20" } as const;
