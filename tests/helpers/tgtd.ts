// A private tgtd for the iSCSI tests (tests/iscsi-target.test.ts, tests/iscsi-fence.test.ts): its own
// control socket and a loopback portal on a free port, never the machine's tgtd (control port 0,
// portal 3260). Stopped by PID (and killed if the test process exits first).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { freeLocalPort } from "../../tools/chaos/portforward";

function onPath(tool: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
}

/** Why the real tests cannot run here, or undefined. In CI (`CI=true`) that is a failure, never a skip. */
export function unavailable(tools: string[], needRoot: boolean): string | undefined {
  const missing = tools.filter((tool) => !onPath(tool));
  if (missing.length > 0)
    return `missing ${missing.join(", ")} (components/storage/iscsi/install-test-deps.sh installs them)`;
  if (needRoot && process.getuid?.() !== 0) return "tgtd and tgtadm need root";
  return undefined;
}

/** CHAP secrets as the program generates them: 32 characters of [A-Za-z0-9] (the script allows [A-Za-z0-9._-]). */
export function secret(): string {
  return randomBytes(24)
    .toString("base64")
    .replace(/[^A-Za-z0-9]/g, "")
    .slice(0, 32)
    .padEnd(32, "x");
}

export class PrivateTgtd {
  private child: ChildProcess | undefined;
  private output = "";
  private readonly killOnExit = () => this.child?.kill("SIGKILL");

  private constructor(
    readonly controlPort: number,
    readonly portal: string,
  ) {}

  /** A free control port and portal; the daemon is not started yet. */
  static async create(): Promise<PrivateTgtd> {
    let controlPort: number;
    // tgtd's control socket is /var/run/tgtd/socket.<port>: pick one no tgtd is using.
    do
      controlPort = 10000 + Math.floor(Math.random() * 22000); // tgtd takes -C 0..32767
    while (existsSync(`/var/run/tgtd/socket.${controlPort}.lock`));
    return new PrivateTgtd(controlPort, `127.0.0.1:${await freeLocalPort()}`);
  }

  get log(): string {
    return this.output;
  }

  tgtadm(...args: string[]) {
    return spawnSync("tgtadm", ["-C", String(this.controlPort), ...args], { encoding: "utf8" });
  }

  async start(): Promise<void> {
    this.output = "";
    process.on("exit", this.killOnExit);
    // Foreground, our own control socket and portal.
    const child = spawn("tgtd", ["-f", "-C", String(this.controlPort), "--iscsi", `portal=${this.portal}`], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    this.child = child;
    for (let i = 0; i < 100; i++) {
      if (child.exitCode !== null) break;
      const result = this.tgtadm("--lld", "iscsi", "--op", "show", "--mode", "portal");
      if (result.status === 0 && result.stdout.includes(`Portal: ${this.portal},`)) return;
      await sleep(100);
    }
    throw new Error(`tgtd did not come up on ${this.portal}:\n${this.output}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    process.off("exit", this.killOnExit);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((done) => child.once("exit", done));
    // SIGKILL: tgtd ignores SIGTERM while it still has targets.
    child.kill("SIGKILL");
    await exited;
  }

  /** Stops the daemon and removes its control socket files. */
  async remove(): Promise<void> {
    await this.stop();
    for (const suffix of ["", ".lock"])
      rmSync(`/var/run/tgtd/socket.${this.controlPort}${suffix}`, { force: true });
  }
}
