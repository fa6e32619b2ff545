// A network namespace of the test's own for one control plane, so its API server has a routable,
// non-loopback address as a real cluster's has (hadb refuses to pair DR sites whose kubeconfigs point
// at loopback). The namespace is joined to the host by a veth pair on a /30 the test picked (not used
// by any route of the host); the host reaches the API server at the namespace's end and nowhere else.
// Names are unique per run; the namespace and the host's link are deleted by name in remove(), in an
// exit hook if the test process ends without it, and by tests/e2e/run.sh if the process was killed.
import { execFileSync } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { appendFileSync } from "node:fs";

export interface SiteNetwork {
  /** `ip netns` name (hadb-site-<hex>). */
  netns: string;
  /** The host's end of the veth pair (hadbs<hex>h). */
  hostLink: string;
  /** The host's address on the link. */
  hostAddress: string;
  /** The namespace's address: the API server listens here. */
  siteAddress: string;
  remove(): void;
}

/** Namespace and link names this module makes (run.sh deletes only names of this shape). */
export const NETNS_PATTERN = /^hadb-site-[0-9a-f]{6}$/;
export const HOST_LINK_PATTERN = /^hadbs[0-9a-f]{6}h$/;

/** Why this process cannot make network namespaces, or undefined. */
export function netnsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root (ip netns, veth)";
  try {
    execFileSync("ip", ["-V"], { stdio: "ignore" });
  } catch {
    return "needs the ip command (Debian iproute2)";
  }
  return undefined;
}

const ip = (args: string[]): string =>
  execFileSync("ip", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

const toInt = (address: string): number =>
  address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
const toAddress = (n: number): string => [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join(".");

/** Every IPv4 prefix the host routes or holds (so a picked /30 never shadows one of them). */
function hostPrefixes(): { base: number; bits: number }[] {
  const out = ip(["-4", "route", "show", "table", "all"]) + ip(["-4", "-o", "addr", "show"]);
  return [...out.matchAll(/(\d+\.\d+\.\d+\.\d+)(?:\/(\d+))?/g)]
    .map((m) => ({ base: toInt(m[1] ?? "0.0.0.0"), bits: Number(m[2] ?? 32) }))
    .filter((p) => p.bits > 0);
}

const overlaps = (a: { base: number; bits: number }, b: { base: number; bits: number }): boolean => {
  const bits = Math.min(a.bits, b.bits);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (a.base & mask) >>> 0 === (b.base & mask) >>> 0;
};

/** A /30 in 10.231.0.0/16 that no host route or address overlaps (bounded attempts). */
function pickSubnet(): number {
  const taken = hostPrefixes();
  for (let attempt = 0; attempt < 64; attempt++) {
    const base = toInt("10.231.0.0") + randomInt(0, 1 << 14) * 4;
    if (!taken.some((p) => overlaps(p, { base, bits: 30 }))) return base;
  }
  throw new Error("no free /30 in 10.231.0.0/16 for a test network namespace");
}

/** Deletes a namespace and host link by name; quiet when they are already gone. */
export function removeSiteNetwork(netns: string, hostLink: string): void {
  for (const args of [
    ["link", "del", hostLink],
    ["netns", "del", netns],
  ])
    try {
      ip(args);
    } catch {
      // already gone
    }
}

export function createSiteNetwork(): SiteNetwork {
  const problem = netnsUnavailable();
  if (problem) throw new Error(`a control plane in its own network namespace ${problem}`);
  const id = randomBytes(3).toString("hex");
  const netns = `hadb-site-${id}`;
  const hostLink = `hadbs${id}h`;
  const peer = `hadbs${id}p`;
  const base = pickSubnet();
  const [hostAddress, siteAddress] = [toAddress(base + 1), toAddress(base + 2)];
  const remove = (): void => {
    process.off("exit", remove);
    removeSiteNetwork(netns, hostLink);
  };
  // Recorded before anything exists, so a killed run still finds what it may have made.
  if (process.env.HADB_E2E_PIDFILE)
    appendFileSync(process.env.HADB_E2E_PIDFILE, `netns:${netns}\nlink:${hostLink}\n`);
  process.on("exit", remove);
  try {
    ip(["netns", "add", netns]);
    ip(["link", "add", hostLink, "type", "veth", "peer", "name", peer, "netns", netns]);
    ip(["addr", "add", `${hostAddress}/30`, "dev", hostLink]);
    ip(["link", "set", hostLink, "up"]);
    ip(["-n", netns, "link", "set", "lo", "up"]);
    ip(["-n", netns, "addr", "add", `${siteAddress}/30`, "dev", peer]);
    ip(["-n", netns, "link", "set", peer, "up"]);
  } catch (error) {
    remove();
    throw new Error(`creating network namespace ${netns}: ${(error as Error).message}`, { cause: error });
  }
  return { netns, hostLink, hostAddress, siteAddress, remove };
}
