import * as compute from "@pulumi/gcp/compute";
import * as container from "@pulumi/gcp/container";
import * as projects from "@pulumi/gcp/projects";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GKE_SECONDARY_RANGES } from "../../config/cloud-rules";
import type { ClusterHandle } from "../handle";
import { managedClusterHandle, type ManagedClusterArgs } from "../managed";
import { execKubeconfig } from "../kubeconfig";
import { DATABASE_POOL_LABEL } from "../pools";
import { gcsBackupStore } from "./backup-store";

/** GKE's built-in class for SSD persistent disks through the PD CSI driver. */
const SSD_DISK_CLASS = "premium-rwo";
/** What nodes need and nothing more (Google's "least privilege node service account" roles). */
/** Portworx creates persistent disks and attaches them to its nodes through the node account. */
export const PORTWORX_GCP_ROLES = ["roles/compute.storageAdmin", "roles/compute.instanceAdmin.v1"];
export const GKE_NODE_ROLES = [
  "roles/logging.logWriter",
  "roles/monitoring.metricWriter",
  "roles/monitoring.viewer",
  "roles/stackdriver.resourceMetadata.writer",
  "roles/artifactregistry.reader",
];

/**
 * GKE: VPC-native regional cluster over 3 zones with private nodes (Cloud NAT for egress), workload
 * identity, the default pool removed and a pool with the same number of nodes in each zone.
 */
export class GkeCluster extends pulumi.ComponentResource {
  readonly handle: ClusterHandle;

  constructor(name: string, args: ManagedClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hadb:cluster:Gke", name, {}, opts);
    const { settings } = args;
    const project = settings.project ?? "";
    const region = settings.region;
    const parent = { parent: this };

    const vpc = new compute.Network(`${name}-vpc`, { autoCreateSubnetworks: false }, parent);
    const subnet = new compute.Subnetwork(
      `${name}-nodes`,
      {
        network: vpc.id,
        region,
        ipCidrRange: settings.networkCidr,
        privateIpGoogleAccess: true,
        secondaryIpRanges: [
          { rangeName: "pods", ipCidrRange: GKE_SECONDARY_RANGES.pods },
          { rangeName: "services", ipCidrRange: GKE_SECONDARY_RANGES.services },
        ],
      },
      parent,
    );
    const router = new compute.Router(`${name}-router`, { network: vpc.id, region }, parent);
    new compute.RouterNat(
      `${name}-nat`,
      {
        router: router.name,
        region,
        natIpAllocateOption: "AUTO_ONLY",
        sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES",
      },
      parent,
    );

    const nodeAccount = new serviceaccount.Account(
      `${name}-nodes`,
      { accountId: `${name}-nodes`.slice(0, 30), displayName: "hadb GKE nodes" },
      parent,
    );
    const nodeRoles = [...GKE_NODE_ROLES, ...(args.portworx ? PORTWORX_GCP_ROLES : [])].map(
      (role) =>
        new projects.IAMMember(
          `${name}-nodes-${role.split("/")[1] ?? role}`,
          { project, role, member: pulumi.interpolate`serviceAccount:${nodeAccount.email}` },
          parent,
        ),
    );

    const cluster = new container.Cluster(
      name,
      {
        location: region,
        nodeLocations: args.zones,
        network: vpc.id,
        subnetwork: subnet.id,
        networkingMode: "VPC_NATIVE",
        ipAllocationPolicy: { clusterSecondaryRangeName: "pods", servicesSecondaryRangeName: "services" },
        // The default pool cannot be configured well; hadb's own pool replaces it.
        removeDefaultNodePool: true,
        initialNodeCount: 1,
        minMasterVersion: settings.kubernetesVersion,
        releaseChannel: { channel: "REGULAR" },
        workloadIdentityConfig: { workloadPool: `${project}.svc.id.goog` },
        privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: false },
        ...(settings.apiAllowedCidrs.length > 0
          ? {
              masterAuthorizedNetworksConfig: {
                cidrBlocks: settings.apiAllowedCidrs.map((cidrBlock) => ({ cidrBlock })),
              },
            }
          : {}),
        addonsConfig: { gcePersistentDiskCsiDriverConfig: { enabled: true } },
        deletionProtection: settings.deletionProtection,
      },
      parent,
    );

    const nodePool = (poolName: string, count: number, machineType: string, labels: Record<string, string>) =>
      new container.NodePool(
        `${name}-${poolName}`,
        {
          cluster: cluster.name,
          location: region,
          nodeLocations: args.zones,
          // Per zone: a regional pool of 1 gives 3 nodes, one in each zone.
          nodeCount: count / args.zones.length,
          nodeConfig: {
            machineType,
            imageType: settings.nodeImage,
            diskSizeGb: settings.nodeDiskGB,
            diskType: "pd-balanced",
            serviceAccount: nodeAccount.email,
            oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
            workloadMetadataConfig: { mode: "GKE_METADATA" },
            labels,
          },
          management: { autoRepair: true, autoUpgrade: true },
          // Surge one node at a time: storage keeps its replicas while nodes are replaced.
          upgradeSettings: { maxSurge: 1, maxUnavailable: 0 },
        },
        { parent: this, dependsOn: nodeRoles },
      );
    const pools = [nodePool("system", args.nodeCount, settings.nodeSize, {})];
    if (settings.databasePool)
      pools.push(
        nodePool("databases", settings.databasePool.nodeCount, settings.databasePool.nodeSize, {
          ...DATABASE_POOL_LABEL,
        }),
      );

    const kubeconfig = pulumi.secret(
      pulumi
        .all([cluster.name, cluster.endpoint, cluster.masterAuth, pulumi.all(pools.map((pool) => pool.id))])
        .apply(([clusterName, endpoint, masterAuth]) =>
          execKubeconfig({
            name: `gke_${project}_${region}_${clusterName}`,
            server: `https://${endpoint}`,
            certificateAuthorityData: masterAuth.clusterCaCertificate,
            credential: {
              command: "gke-gcloud-auth-plugin",
              args: [],
              provideClusterInfo: true,
              installHint: "Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin",
            },
          }),
        ),
    );
    const provider = new k8s.Provider(`${name}-k8s`, { kubeconfig }, parent);

    const backupStore = args.backups
      ? gcsBackupStore(`${name}-backups`, { project, region }, this)
      : undefined;
    const nodesPrepared = settings.nodeImage === "COS_CONTAINERD";

    this.handle = managedClusterHandle(args, {
      provider,
      kubeconfig,
      clusterName: cluster.name,
      // Ubuntu images get the node-prep DaemonSet; COS is read-only (validation allows it only for
      // storage that needs no host packages).
      nodePreparation: nodesPrepared
        ? { by: "cluster", how: "COS_CONTAINERD is read-only; nothing to prepare", ready: pools }
        : { by: "daemonset" },
      blockStorage: { storageClassName: SSD_DISK_CLASS, portworxDriveType: "pd-ssd", ready: [] },
      backupStore,
    });
    this.registerOutputs({ clusterName: cluster.name, network: vpc.name });
  }
}
