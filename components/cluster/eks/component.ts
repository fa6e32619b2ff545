import * as ec2 from "@pulumi/aws/ec2";
import * as eks from "@pulumi/aws/eks";
import * as iam from "@pulumi/aws/iam";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterHandle } from "../handle";
import { managedClusterHandle, type ManagedClusterArgs } from "../managed";
import { execKubeconfig } from "../kubeconfig";
import { DATABASE_POOL_LABEL, SERVICE_CIDR } from "../pools";
import { s3BackupStore } from "./backup-store";
import { EKS_POLICIES, PORTWORX_AWS_ACTIONS, roleWithPolicies, serviceTrustPolicy } from "./iam";
import { eksNetwork } from "./network";
import { eksAmiType, eksNodeUserData } from "./user-data";

/** The gp3 StorageClass hadb creates (EKS only ships the in-tree gp2 class). */
export const EKS_BLOCK_STORAGE_CLASS = "gp3";
const CLUSTER_ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";

/**
 * EKS from primitives (evaluates offline, no remote components): VPC over 3 zones, IAM roles, the
 * cluster with API access entries, one managed node group per zone on a launch template whose user
 * data prepares the iSCSI initiator, the EBS CSI driver (Pod Identity) and a gp3 StorageClass.
 */
export class EksCluster extends pulumi.ComponentResource {
  readonly handle: ClusterHandle;

  constructor(name: string, args: ManagedClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hadb:cluster:Eks", name, {}, opts);
    const { settings } = args;
    const parent = { parent: this };
    const clusterName = `${pulumi.getProject()}-${pulumi.getStack()}`.slice(0, 100);

    const net = eksNetwork(name, { cidr: settings.networkCidr, zones: args.zones }, this);
    const clusterRole = roleWithPolicies(
      `${name}-cluster`,
      serviceTrustPolicy("eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"]),
      EKS_POLICIES.cluster,
      this,
    );
    const nodeRole = roleWithPolicies(
      `${name}-node`,
      serviceTrustPolicy("ec2.amazonaws.com"),
      EKS_POLICIES.node,
      this,
    );

    // Portworx creates and attaches its own EBS drives through the node role.
    const portworxPolicy = args.portworx
      ? [
          new iam.RolePolicy(
            `${name}-node-portworx`,
            {
              role: nodeRole.role.name,
              policy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: PORTWORX_AWS_ACTIONS, Resource: "*" }],
              }),
            },
            parent,
          ),
        ]
      : [];
    const cluster = new eks.Cluster(
      name,
      {
        name: clusterName,
        version: settings.kubernetesVersion,
        roleArn: clusterRole.role.arn,
        vpcConfig: {
          subnetIds: net.privateSubnets.map((subnet) => subnet.id),
          // Nodes reach the API inside the VPC; the public endpoint is for `pulumi up` and kubectl.
          endpointPrivateAccess: true,
          endpointPublicAccess: true,
          ...(settings.apiAllowedCidrs.length > 0 ? { publicAccessCidrs: settings.apiAllowedCidrs } : {}),
        },
        // Access entries only (no aws-auth ConfigMap); whoever runs `pulumi up` becomes admin.
        accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
        kubernetesNetworkConfig: { serviceIpv4Cidr: SERVICE_CIDR },
        // Standard support only: extended support costs extra and should be a decision.
        upgradePolicy: { supportType: "STANDARD" },
      },
      { parent: this, dependsOn: clusterRole.attachments },
    );

    settings.adminPrincipalArns.forEach((principalArn, index) => {
      const entry = new eks.AccessEntry(
        `${name}-admin-${index}`,
        { clusterName: cluster.name, principalArn },
        parent,
      );
      new eks.AccessPolicyAssociation(
        `${name}-admin-${index}`,
        {
          clusterName: cluster.name,
          principalArn: entry.principalArn,
          policyArn: CLUSTER_ADMIN_POLICY,
          accessScope: { type: "cluster" },
        },
        parent,
      );
    });

    const prepareWithUserData = settings.nodeImage === "AL2023";
    const launchTemplate = (poolName: string) =>
      new ec2.LaunchTemplate(
        `${name}-${poolName}`,
        {
          updateDefaultVersion: true,
          // IMDSv2 only; hop limit 2 so pods that need instance metadata (CSI drivers) still get it.
          metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 2 },
          blockDeviceMappings: [
            {
              deviceName: settings.nodeImage === "AL2023" ? "/dev/xvda" : "/dev/xvdb",
              ebs: {
                volumeSize: settings.nodeDiskGB,
                volumeType: "gp3",
                encrypted: "true",
                deleteOnTermination: "true",
              },
            },
          ],
          ...(prepareWithUserData
            ? { userData: Buffer.from(eksNodeUserData(), "utf8").toString("base64") }
            : {}),
        },
        parent,
      );

    // One node group per zone: every zone holds the same number of nodes whatever the autoscaling
    // group's balancing does, and a zone outage costs exactly a third.
    const nodeGroups: eks.NodeGroup[] = [];
    const addPool = (
      poolName: string,
      count: number,
      instanceType: string,
      labels: Record<string, string>,
    ) => {
      const template = launchTemplate(poolName);
      const perZone = count / args.zones.length;
      args.zones.forEach((zone, index) => {
        nodeGroups.push(
          new eks.NodeGroup(
            `${name}-${poolName}-${zone}`,
            {
              clusterName: cluster.name,
              nodeRoleArn: nodeRole.role.arn,
              subnetIds: [net.privateSubnets[index]?.id ?? ""],
              scalingConfig: { desiredSize: perZone, minSize: perZone, maxSize: perZone },
              amiType: eksAmiType(settings.nodeImage, instanceType),
              instanceTypes: [instanceType],
              launchTemplate: { id: template.id, version: template.latestVersion.apply(String) },
              labels: { ...labels, "topology.kubernetes.io/zone": zone },
              // Replace one node at a time: storage keeps 2 of 3 replicas during upgrades.
              updateConfig: { maxUnavailable: 1 },
            },
            { parent: this, dependsOn: [...nodeRole.attachments, ...portworxPolicy] },
          ),
        );
      });
    };
    addPool("system", args.nodeCount, settings.nodeSize, {});
    if (settings.databasePool)
      addPool("databases", settings.databasePool.nodeCount, settings.databasePool.nodeSize, {
        ...DATABASE_POOL_LABEL,
      });

    // EBS CSI driver with EKS Pod Identity (no OIDC provider to manage), after nodes exist.
    const podIdentityAgent = new eks.Addon(
      `${name}-pod-identity`,
      {
        clusterName: cluster.name,
        addonName: "eks-pod-identity-agent",
        resolveConflictsOnCreate: "OVERWRITE",
      },
      { parent: this, dependsOn: nodeGroups },
    );
    const ebsCsiRole = roleWithPolicies(
      `${name}-ebs-csi`,
      serviceTrustPolicy("pods.eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"]),
      EKS_POLICIES.ebsCsi,
      this,
    );
    const ebsCsi = new eks.Addon(
      `${name}-ebs-csi`,
      {
        clusterName: cluster.name,
        addonName: "aws-ebs-csi-driver",
        podIdentityAssociations: [{ roleArn: ebsCsiRole.role.arn, serviceAccount: "ebs-csi-controller-sa" }],
        resolveConflictsOnCreate: "OVERWRITE",
        resolveConflictsOnUpdate: "OVERWRITE",
      },
      { parent: this, dependsOn: [podIdentityAgent, ...ebsCsiRole.attachments] },
    );
    // VolumeSnapshot CRDs + controller: EKS does not ship them (protection uses them).
    new eks.Addon(
      `${name}-snapshot-controller`,
      { clusterName: cluster.name, addonName: "snapshot-controller", resolveConflictsOnCreate: "OVERWRITE" },
      { parent: this, dependsOn: nodeGroups },
    );

    const region = settings.region;
    const kubeconfig = pulumi.secret(
      pulumi
        .all([
          cluster.name,
          cluster.endpoint,
          cluster.certificateAuthority,
          pulumi.all(nodeGroups.map((g) => g.id)),
        ])
        .apply(([clusterId, endpoint, authority]) =>
          execKubeconfig({
            name: clusterId,
            server: endpoint,
            certificateAuthorityData: authority.data,
            credential: {
              command: "aws",
              args: ["--region", region, "eks", "get-token", "--cluster-name", clusterId, "--output", "json"],
              installHint: "Install the AWS CLI v2 (https://aws.amazon.com/cli/) and sign in to the account.",
            },
          }),
        ),
    );
    const provider = new k8s.Provider(`${name}-k8s`, { kubeconfig }, parent);
    const gp3 = new k8s.storage.v1.StorageClass(
      `${name}-gp3`,
      {
        metadata: { name: EKS_BLOCK_STORAGE_CLASS },
        provisioner: "ebs.csi.aws.com",
        parameters: { type: "gp3", encrypted: "true", "csi.storage.k8s.io/fstype": "ext4" },
        // Zonal disks: bind where the pod lands, never in a zone without a node for it.
        volumeBindingMode: "WaitForFirstConsumer",
        allowVolumeExpansion: true,
        reclaimPolicy: "Delete",
      },
      { parent: this, provider, dependsOn: [ebsCsi] },
    );

    const backupStore = args.backups ? s3BackupStore(`${name}-backups`, region, this) : undefined;

    this.handle = managedClusterHandle(args, {
      provider,
      kubeconfig,
      clusterName: cluster.name,
      nodePreparation: {
        by: "cluster",
        how: prepareWithUserData
          ? "launch template user data (iscsi-initiator-utils, iscsid)"
          : `${settings.nodeImage} cannot install packages; nothing to prepare`,
        ready: nodeGroups,
      },
      blockStorage: { storageClassName: EKS_BLOCK_STORAGE_CLASS, portworxDriveType: "gp3", ready: [gp3] },
      backupStore,
    });
    this.registerOutputs({ clusterName: cluster.name, vpcId: net.vpc.id });
  }
}
