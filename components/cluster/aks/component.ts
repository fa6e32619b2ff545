import * as authorization from "@pulumi/azure-native/authorization";
import * as containerservice from "@pulumi/azure-native/containerservice";
import * as network from "@pulumi/azure-native/network";
import * as resources from "@pulumi/azure-native/resources";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterHandle } from "../handle";
import { managedClusterHandle, type ManagedClusterArgs } from "../managed";
import { DATABASE_POOL_LABEL, DNS_SERVICE_IP, POD_CIDR, SERVICE_CIDR } from "../pools";
import { azureBackupStore } from "./backup-store";

/** Built-in role "Network Contributor": AKS must manage load balancers and routes in its subnet. */
const NETWORK_CONTRIBUTOR_ROLE = "4d97b98b-1d4f-4787-a291-c67834d212e7";
/** AKS's built-in class for Premium SSD v1 managed disks (zonal, WaitForFirstConsumer). */
const PREMIUM_DISK_CLASS = "managed-csi-premium";

/**
 * AKS: resource group, virtual network, a managed cluster with a system-assigned identity, Kubernetes
 * RBAC and a system pool spread over zones 1-3 on Ubuntu; optionally a user pool for databases.
 */
export class AksCluster extends pulumi.ComponentResource {
  readonly handle: ClusterHandle;

  constructor(name: string, args: ManagedClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hadb:cluster:Aks", name, {}, opts);
    const { settings } = args;
    const parent = { parent: this };

    const group = new resources.ResourceGroup(`${name}-rg`, { location: settings.region }, parent);
    const vnet = new network.VirtualNetwork(
      `${name}-vnet`,
      {
        resourceGroupName: group.name,
        location: settings.region,
        addressSpace: { addressPrefixes: [settings.networkCidr] },
      },
      // The subnet is its own resource: without this, updating the VNet would drop it.
      { ...parent, ignoreChanges: ["subnets"] },
    );
    const subnet = new network.Subnet(
      `${name}-nodes`,
      {
        resourceGroupName: group.name,
        virtualNetworkName: vnet.name,
        addressPrefix: settings.networkCidr,
      },
      parent,
    );

    const pool = (poolName: string, mode: "System" | "User", count: number, vmSize: string) => ({
      name: poolName,
      mode,
      count,
      vmSize,
      availabilityZones: args.zones,
      osType: "Linux",
      osSKU: settings.nodeImage,
      osDiskSizeGB: settings.nodeDiskGB,
      type: "VirtualMachineScaleSets",
      vnetSubnetID: subnet.id,
      maxPods: 110,
    });
    const cluster = new containerservice.ManagedCluster(
      name,
      {
        resourceGroupName: group.name,
        location: settings.region,
        dnsPrefix: name,
        kubernetesVersion: settings.kubernetesVersion,
        identity: { type: "SystemAssigned" },
        enableRBAC: true,
        agentPoolProfiles: [pool("system", "System", args.nodeCount, settings.nodeSize)],
        networkProfile: {
          networkPlugin: "azure",
          networkPluginMode: "overlay",
          podCidr: POD_CIDR,
          serviceCidr: SERVICE_CIDR,
          dnsServiceIP: DNS_SERVICE_IP,
          loadBalancerSku: "standard",
        },
        // CSI disk driver for block volumes; the snapshot controller serves VolumeSnapshots for any CSI driver.
        storageProfile: { diskCSIDriver: { enabled: true }, snapshotController: { enabled: true } },
        ...(settings.apiAllowedCidrs.length > 0
          ? { apiServerAccessProfile: { authorizedIPRanges: settings.apiAllowedCidrs } }
          : {}),
      },
      parent,
    );

    // ".../subscriptions/<id>/resourceGroups/..." -> the subscription scope of the role definition.
    const subscriptionScope = group.id.apply((id) => id.split("/resourceGroups/")[0] ?? id);
    new authorization.RoleAssignment(
      `${name}-subnet-network`,
      {
        scope: subnet.id,
        principalId: cluster.identity.apply((identity) => identity?.principalId ?? ""),
        principalType: "ServicePrincipal",
        roleDefinitionId: pulumi.interpolate`${subscriptionScope}/providers/Microsoft.Authorization/roleDefinitions/${NETWORK_CONTRIBUTOR_ROLE}`,
      },
      parent,
    );

    const pools: pulumi.CustomResource[] = [cluster];
    if (settings.databasePool) {
      pools.push(
        new containerservice.AgentPool(
          `${name}-databases`,
          {
            resourceGroupName: group.name,
            resourceName: cluster.name,
            agentPoolName: "databases",
            ...pool("databases", "User", settings.databasePool.nodeCount, settings.databasePool.nodeSize),
            nodeLabels: { ...DATABASE_POOL_LABEL },
          },
          parent,
        ),
      );
    }

    const credentials = containerservice.listManagedClusterUserCredentialsOutput(
      { resourceGroupName: group.name, resourceName: cluster.name },
      parent,
    );
    // Waiting on every pool's id makes every Kubernetes resource wait until all nodes exist.
    const poolIds = pools.map((resource) => resource.id);
    const kubeconfig = pulumi.secret(
      pulumi
        .all([credentials.kubeconfigs, pulumi.all(poolIds)])
        .apply(([kubeconfigs]) => Buffer.from(kubeconfigs[0]?.value ?? "", "base64").toString("utf8")),
    );
    const provider = new k8s.Provider(`${name}-k8s`, { kubeconfig }, parent);

    const backupStore = args.backups
      ? azureBackupStore(
          `${name}-backups`,
          { resourceGroupName: group.name, location: settings.region },
          this,
        )
      : undefined;

    this.handle = managedClusterHandle(args, {
      provider,
      kubeconfig,
      clusterName: cluster.name,
      nodePreparation: { by: "daemonset" },
      blockStorage: { storageClassName: PREMIUM_DISK_CLASS, portworxDriveType: "Premium_LRS", ready: [] },
      backupStore,
    });
    this.registerOutputs({ clusterName: cluster.name, resourceGroup: group.name });
  }
}
