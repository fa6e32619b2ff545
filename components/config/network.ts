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
