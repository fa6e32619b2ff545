import * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";

/** AWS managed policies hadb attaches (ARNs are stable across accounts). */
export const EKS_POLICIES = {
  cluster: ["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"],
  node: [
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
  ],
  ebsCsi: ["arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"],
} as const;

/** Trust policy letting one AWS service principal assume a role. */
export function serviceTrustPolicy(service: string, actions: string[] = ["sts:AssumeRole"]): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: actions }],
  });
}

export interface RoleWithPolicies {
  role: iam.Role;
  /** Attachments: anything using the role must wait for them (EKS checks permissions at creation). */
  attachments: iam.RolePolicyAttachment[];
}

export function roleWithPolicies(
  name: string,
  trustPolicy: string,
  policyArns: readonly string[],
  parent: pulumi.Resource,
): RoleWithPolicies {
  const role = new iam.Role(name, { assumeRolePolicy: trustPolicy }, { parent });
  const attachments = policyArns.map(
    (policyArn) =>
      new iam.RolePolicyAttachment(
        `${name}-${policyArn.split("/").pop() ?? policyArn}`,
        { role: role.name, policyArn },
        { parent },
      ),
  );
  return { role, attachments };
}

/** The IAM actions Portworx needs on EKS nodes to create and attach its cloud drives. */
export const PORTWORX_AWS_ACTIONS = [
  "ec2:AttachVolume",
  "ec2:ModifyVolume",
  "ec2:DetachVolume",
  "ec2:CreateTags",
  "ec2:CreateVolume",
  "ec2:DeleteTags",
  "ec2:DeleteVolume",
  "ec2:DescribeTags",
  "ec2:DescribeVolumeAttribute",
  "ec2:DescribeVolumesModifications",
  "ec2:DescribeVolumeStatus",
  "ec2:DescribeVolumes",
  "ec2:DescribeInstances",
  "autoscaling:DescribeAutoScalingGroups",
];
