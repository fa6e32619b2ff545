// The real-node tier's network: a private L2 (a bridge with one tap per VM) inside a network namespace
// the test run made for itself (tests/nodes/run.sh: `ip netns add`, then the whole suite runs inside
// it). Addresses are the Vagrant lab's own (components/config/vagrant.ts): the namespace is the lab's
// host side (.1) and the iSCSI target (.10), the VMs are its nodes (.11, .12, .13). The namespace has
// no uplink, so nothing sent here can leave it; the host's own namespace never sees any of it.
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { VAGRANT_DEFAULTS, labAddress } from "../../components/config/vagrant";

export const LAB_NETWORK = VAGRANT_DEFAULTS.network;
export const LAB_PREFIX = Number(LAB_NETWORK.split("/")[1]);
/** The namespace's own address: the API server and default gateway of the VMs. */
export const GATEWAY = labAddress(LAB_NETWORK, 1);
/** The iSCSI portal address, the lab target VM's (a second address of the namespace's bridge here). */
export const TARGET_ADDRESS = labAddress(LAB_NETWORK, 10);
export const nodeAddress = (index: number): string => labAddress(LAB_NETWORK, 10 + index);
/** Pod network of node `index` (1-based), inside the lab's pod CIDR 10.244.0.0/16. */
export const POD_CIDR = "10.244.0.0/16";
export const podSubnet = (index: number): string => `10.244.${index}.0/24`;

/** The environment variable run.sh sets to the name of the namespace it made for this run. */
export const NETNS_ENV = "HADB_NODES_NETNS";

function ip(args: string[]): string {
  return execFileSync("ip", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/**
 * Why this process may not run the tier here, or undefined: it must run inside the namespace run.sh
 * made (same inode as /run/netns/<name>), as root, and the namespace must have no link but loopback
 * and this run's own bridge and taps.
 */
export function netnsProblem(): string | undefined {
  const name = process.env[NETNS_ENV];
  if (!name) return `not inside the tier's network namespace (${NETNS_ENV} unset): run npm run test:nodes`;
  if (process.getuid?.() !== 0) return "needs root (network namespace, taps, tgtd)";
  let own: number;
  try {
    own = statSync(`/run/netns/${name}`).ino;
  } catch {
    return `network namespace ${name} does not exist`;
  }
  if (statSync("/proc/self/ns/net").ino !== own)
    return `this process is not inside network namespace ${name}`;
  const links = readdirSync("/sys/class/net").filter((link) => link !== "lo" && !link.startsWith("hadb"));
  if (links.length > 0) return `network namespace ${name} has foreign links: ${links.join(", ")}`;
  return undefined;
}

export interface LabNetwork {
  bridge: string;
  /** Creates (and brings up) the tap VM `index` attaches to. */
  addTap(index: number): string;
  /** Cuts the VM's cable (its tap goes down) while it keeps running; `true` plugs it back in. */
  setLink(index: number, up: boolean): void;
}

/** The bridge with the lab's host-side and target addresses; names carry the run's suffix. */
export function createLabNetwork(suffix: string): LabNetwork {
  const problem = netnsProblem();
  if (problem) throw new Error(problem);
  const bridge = `hadb-br-${suffix}`;
  const tap = (index: number) => `hadb-t${index}-${suffix}`;
  if (bridge.length > 15) throw new Error(`interface name ${bridge} is too long (suffix ${suffix})`);
  ip(["link", "set", "lo", "up"]);
  ip(["link", "add", bridge, "type", "bridge"]);
  ip(["addr", "add", `${GATEWAY}/${LAB_PREFIX}`, "dev", bridge]);
  ip(["addr", "add", `${TARGET_ADDRESS}/${LAB_PREFIX}`, "dev", bridge]);
  ip(["link", "set", bridge, "up"]);
  // The namespace reaches pods (and the API server's webhooks would) through their nodes.
  return {
    bridge,
    addTap(index) {
      const name = tap(index);
      ip(["tuntap", "add", "dev", name, "mode", "tap"]);
      ip(["link", "set", name, "master", bridge]);
      ip(["link", "set", name, "up"]);
      return name;
    },
    setLink(index, up) {
      ip(["link", "set", tap(index), up ? "up" : "down"]);
    },
  };
}
