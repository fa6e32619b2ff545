import * as ec2 from "@pulumi/aws/ec2";
import * as pulumi from "@pulumi/pulumi";
import { zoneSubnets } from "../subnets";

export interface EksNetworkArgs {
  cidr: string;
  zones: string[];
}

export interface EksNetwork {
  vpc: ec2.Vpc;
  /** Private subnet per zone, in zone order: nodes live here, never on public addresses. */
  privateSubnets: ec2.Subnet[];
  publicSubnets: ec2.Subnet[];
}

/**
 * VPC with a public and a private subnet per zone, an internet gateway and one NAT gateway per zone:
 * a zone outage must not cut the other zones' nodes off the registry (that is the failure we survive).
 */
export function eksNetwork(name: string, args: EksNetworkArgs, parent: pulumi.Resource): EksNetwork {
  const opts = { parent };
  const vpc = new ec2.Vpc(
    `${name}-vpc`,
    {
      cidrBlock: args.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: `${name}-vpc` },
    },
    opts,
  );
  const gateway = new ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id }, opts);
  const publicRoutes = new ec2.RouteTable(
    `${name}-public`,
    { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: gateway.id }] },
    opts,
  );
  const privateSubnets: ec2.Subnet[] = [];
  const publicSubnets: ec2.Subnet[] = [];
  zoneSubnets(args.cidr, args.zones).forEach(({ zone, privateCidr, publicCidr }) => {
    const publicSubnet = new ec2.Subnet(
      `${name}-public-${zone}`,
      {
        vpcId: vpc.id,
        cidrBlock: publicCidr,
        availabilityZone: zone,
        // Public load balancers only; databases are never exposed here unless a stack opts in.
        tags: { Name: `${name}-public-${zone}`, "kubernetes.io/role/elb": "1" },
      },
      opts,
    );
    new ec2.RouteTableAssociation(
      `${name}-public-${zone}`,
      { subnetId: publicSubnet.id, routeTableId: publicRoutes.id },
      opts,
    );
    const address = new ec2.Eip(`${name}-nat-${zone}`, { domain: "vpc" }, opts);
    const nat = new ec2.NatGateway(
      `${name}-nat-${zone}`,
      { subnetId: publicSubnet.id, allocationId: address.id },
      { parent, dependsOn: [gateway] },
    );
    const privateSubnet = new ec2.Subnet(
      `${name}-private-${zone}`,
      {
        vpcId: vpc.id,
        cidrBlock: privateCidr,
        availabilityZone: zone,
        tags: { Name: `${name}-private-${zone}`, "kubernetes.io/role/internal-elb": "1" },
      },
      opts,
    );
    const privateRoutes = new ec2.RouteTable(
      `${name}-private-${zone}`,
      { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }] },
      opts,
    );
    new ec2.RouteTableAssociation(
      `${name}-private-${zone}`,
      { subnetId: privateSubnet.id, routeTableId: privateRoutes.id },
      opts,
    );
    privateSubnets.push(privateSubnet);
    publicSubnets.push(publicSubnet);
  });
  return { vpc, privateSubnets, publicSubnets };
}
