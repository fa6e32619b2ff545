// Address checks for exposure allowlists.
import { isIPv4, isIPv6 } from "node:net";

/** True for "a.b.c.d/n" (n 0-32) and IPv6 "addr/n" (n 0-128). */
export function isCidr(text: string): boolean {
  const slash = text.lastIndexOf("/");
  if (slash < 0) return false;
  const address = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return false;
  const prefix = Number(prefixText);
  if (isIPv4(address)) return prefix <= 32;
  if (isIPv6(address)) return prefix <= 128;
  return false;
}

/** A range that admits every address of its family: "allow from anywhere" in disguise. */
export function isWholeInternet(cidr: string): boolean {
  return cidr.endsWith("/0");
}

function ipv4ToNumber(address: string): number {
  return address.split(".").reduce((value, octet) => value * 256 + Number(octet), 0);
}

/** Whether two IPv4 CIDRs share any address (IPv6 ranges never overlap IPv4 ones). */
export function overlaps(a: string, b: string): boolean {
  const range = (cidr: string): [number, number] | undefined => {
    const [address = "", prefixText = ""] = cidr.split("/");
    if (!isIPv4(address)) return undefined;
    const size = 2 ** (32 - Number(prefixText));
    const start = Math.floor(ipv4ToNumber(address) / size) * size;
    return [start, start + size - 1];
  };
  const first = range(a);
  const second = range(b);
  if (!first || !second) return false;
  return first[0] <= second[1] && second[0] <= first[1];
}
