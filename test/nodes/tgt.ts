// The tier's iSCSI target: a private tgtd inside the test's network namespace on the lab target's portal,
// provisioned by the project's own components/storage/iscsi/iscsi-target.sh (CHAP, one LUN per database,
// the lab network as ACL), and a handle on it the experiments read (sessions: who is logged in) and the
// fencing work of issue 15 can change (the initiator ACL).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "../controlplane/cluster";
import { launch, stopProc, waitFor, type Proc } from "../controlplane/procs";

export const TARGET_SCRIPT = join(PROJECT_ROOT, "components", "storage", "iscsi", "iscsi-target.sh");

export interface TargetSession {
  /** tgt's I_T nexus id. */
  nexus: number;
  initiator: string;
  addresses: string[];
}

export interface TargetState {
  tid: number;
  iqn: string;
  sessions: TargetSession[];
  luns: number[];
  acl: string[];
}

/** Parses `tgtadm --lld iscsi --op show --mode target` (tgt 1.0.x's indented report). */
export function parseTargets(text: string): TargetState[] {
  const targets: TargetState[] = [];
  let target: TargetState | undefined;
  let session: TargetSession | undefined;
  let section = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const header = /^Target (\d+): (\S+)$/.exec(line);
    if (header) {
      target = { tid: Number(header[1]), iqn: header[2] ?? "", sessions: [], luns: [], acl: [] };
      targets.push(target);
      section = "";
      continue;
    }
    if (!target) continue;
    if (/^(System|I_T nexus|LUN|Account|ACL) information:$/.test(line)) {
      section = line.split(" ")[0] ?? "";
      continue;
    }
    if (section === "I_T") {
      const nexus = /^I_T nexus: (\d+)$/.exec(line);
      if (nexus) {
        session = { nexus: Number(nexus[1]), initiator: "", addresses: [] };
        target.sessions.push(session);
      }
      const initiator = /^Initiator: (\S+)/.exec(line);
      if (initiator && session) session.initiator = initiator[1] ?? "";
      const address = /^IP Address: (\S+)$/.exec(line);
      if (address && session) session.addresses.push(address[1] ?? "");
    } else if (section === "LUN") {
      const lun = /^LUN: (\d+)$/.exec(line);
      if (lun) target.luns.push(Number(lun[1]));
    } else if (section === "ACL" && line) target.acl.push(line);
  }
  return targets;
}

export interface TargetOptions {
  dir: string;
  portal: string;
  iqn: string;
  lunSizes: string[];
  chapUser: string;
  chapPassword: string;
  initiatorCidrs: string[];
}

export interface IscsiTarget {
  portal: string;
  iqn: string;
  controlPort: number;
  state(): TargetState;
  /** Initiator names with a session on the target right now. */
  initiators(): string[];
  /** Allows (or stops allowing) an initiator address to log in: a fence for issue 15's work. */
  setAddressAllowed(address: string, allowed: boolean): void;
  /** The environment iscsi-fence.sh needs to act on this target (what hadb's fence agent runs it with). */
  fenceEnv: Record<string, string>;
  /** The backing file of LUN `lun` (1-based), to read what reached the disk. */
  lunFile(lun: number): string;
  stop(): Promise<void>;
}

function tgtadm(controlPort: number, args: string[]): string {
  return execFileSync("tgtadm", ["-C", String(controlPort), "--lld", "iscsi", ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** A control port no tgtd on this machine uses (its socket is /var/run/tgtd/socket.<port>). */
function freeControlPort(): number {
  for (let i = 0; i < 100; i++) {
    const port = 1000 + Math.floor(Math.random() * 31000);
    if (!existsSync(`/var/run/tgtd/socket.${port}`)) return port;
  }
  throw new Error("no free tgtd control port");
}

export async function startTarget(options: TargetOptions): Promise<IscsiTarget> {
  mkdirSync(options.dir, { recursive: true });
  const controlPort = freeControlPort();
  const proc: Proc = launch(
    "tgtd",
    "tgtd",
    ["-f", "-C", String(controlPort), "--iscsi", `portal=${options.portal}`],
    options.dir,
  );
  await waitFor(
    `tgtd on ${options.portal}`,
    async () => {
      await Promise.resolve();
      if (proc.child.exitCode !== null) throw new Error("tgtd exited");
      const out = spawnSync(
        "tgtadm",
        ["-C", String(controlPort), "--lld", "iscsi", "--op", "show", "--mode", "portal"],
        {
          encoding: "utf8",
        },
      );
      return out.status === 0 && out.stdout.includes(`Portal: ${options.portal},`) ? true : undefined;
    },
    15_000,
    100,
  );
  // Shared by iscsi-target.sh and iscsi-fence.sh: the same tgtd, config file and fence state.
  const fenceEnv: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin",
    HADB_TARGET_IQN: options.iqn,
    HADB_INITIATOR_CIDRS: options.initiatorCidrs.join(" "),
    HADB_TGT_CONTROL_PORT: String(controlPort),
    HADB_TGT_CONF: join(options.dir, "hadb.conf"),
    HADB_FENCE_DIR: join(options.dir, "fence"),
  };
  const result = spawnSync("bash", [TARGET_SCRIPT], {
    encoding: "utf8",
    env: {
      ...fenceEnv,
      HADB_LUN_SIZES: options.lunSizes.join(" "),
      HADB_PORTAL: options.portal,
      HADB_BACKING_DIR: join(options.dir, "luns"),
      HADB_CHAP_USER: options.chapUser,
      HADB_CHAP_PASSWORD: options.chapPassword,
      HADB_TGT_START: "0",
    },
  });
  if (result.status !== 0) {
    await stopProc(proc, "SIGKILL");
    throw new Error(`iscsi-target.sh failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  const state = (): TargetState => {
    const target = parseTargets(tgtadm(controlPort, ["--op", "show", "--mode", "target"])).find(
      (t) => t.iqn === options.iqn,
    );
    if (!target) throw new Error(`target ${options.iqn} not on tgtd`);
    return target;
  };
  return {
    portal: options.portal,
    iqn: options.iqn,
    controlPort,
    fenceEnv,
    lunFile: (lun) => join(options.dir, "luns", `lun-${lun}.img`),
    state,
    initiators: () => [...new Set(state().sessions.map((s) => s.initiator))].sort(),
    setAddressAllowed(address, allowed) {
      const tid = String(state().tid);
      tgtadm(controlPort, [
        "--op",
        allowed ? "bind" : "unbind",
        "--mode",
        "target",
        "--tid",
        tid,
        "--initiator-address",
        address,
      ]);
    },
    // SIGKILL: tgtd ignores SIGTERM while it has targets.
    stop: () => stopProc(proc, "SIGKILL"),
  };
}
