// Splits a cluster network into per-zone subnets (pure; tested). Eight equal slices: the first three
// private (nodes; on EKS also pods, which take VPC addresses), the next three public (NAT, load balancers).
export interface ZoneSubnets {
  zone: string;
  privateCidr: string;
  publicCidr: string;
}

const SLICES_BITS = 3; // 2^3 = 8 slices: room for 3 private + 3 public + 2 spare.

function toAddress(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join(".");
}

export function zoneSubnets(networkCidr: string, zones: string[]): ZoneSubnets[] {
  const [address = "", prefixText = ""] = networkCidr.split("/");
  const prefix = Number(prefixText);
  if (zones.length > 3) throw new Error(`zoneSubnets: at most 3 zones, got ${zones.length}`);
  if (!Number.isInteger(prefix) || prefix > 24) throw new Error(`zoneSubnets: ${networkCidr} is too small`);
  const base = address.split(".").reduce((value, octet) => value * 256 + Number(octet), 0);
  const sliceSize = 2 ** (32 - prefix - SLICES_BITS);
  const slice = (index: number): string =>
    `${toAddress(base - (base % (sliceSize * 8)) + index * sliceSize)}/${prefix + SLICES_BITS}`;
  return zones.map((zone, index) => ({ zone, privateCidr: slice(index), publicCidr: slice(index + 3) }));
}
