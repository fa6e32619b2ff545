// One node VM: QEMU with TCG (no usable KVM here), the cached node image as the backing file of a per-VM
// overlay, a tap on the lab bridge, the node's files through fw_cfg and the command channel on a unix
// socket. Started and killed by PID (procs.ts tracks it, so it dies with the test process).
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { launch, stopProc, type Proc } from "../controlplane/procs";
import { GuestAgent } from "./agent";

export interface NodeImage {
  dir: string;
  disk: string;
  kernel: string;
  initrd: string;
}

export function nodeImage(dir: string): NodeImage {
  return { dir, disk: join(dir, "disk.raw"), kernel: join(dir, "vmlinux"), initrd: join(dir, "initrd.img") };
}

export interface VmOptions {
  name: string;
  index: number;
  image: NodeImage;
  tap: string;
  /** Guest path -> content: the node's own files (node-files.ts). */
  files: Record<string, string>;
  dir: string;
  memoryMiB?: number;
}

/** What QEMU is started with (pure, for tests and for the report). */
export function qemuArgs(
  options: VmOptions,
  paths: { overlay: string; tar: string; agent: string; console: string },
): string[] {
  const mac = `52:54:00:56:00:${options.index.toString(16).padStart(2, "0")}`;
  return [
    "-name",
    options.name,
    "-machine",
    "pc",
    // A large translation cache: the guest runs the same kernel/kubelet code over and over.
    "-accel",
    "tcg,tb-size=256",
    "-cpu",
    "max",
    "-smp",
    "1",
    "-m",
    String(options.memoryMiB ?? 1536),
    "-nodefaults",
    "-no-user-config",
    "-display",
    "none",
    "-serial",
    `file:${paths.console}`,
    // The uncompressed kernel boots through PVH, skipping the decompressor (seconds under TCG).
    "-kernel",
    options.image.kernel,
    "-initrd",
    options.image.initrd,
    "-append",
    "console=ttyS0 root=/dev/vda rw net.ifnames=0 mitigations=off nowatchdog tsc=unstable loglevel=4",
    "-drive",
    `file=${paths.overlay},if=virtio,format=qcow2,cache=unsafe,discard=unmap`,
    "-netdev",
    `tap,id=lab,ifname=${options.tap},script=no,downscript=no`,
    "-device",
    `virtio-net-pci,netdev=lab,mac=${mac}`,
    // Entropy at boot (TLS keys, MariaDB) without waiting for the emulated machine to gather it.
    "-object",
    "rng-random,id=rng,filename=/dev/urandom",
    "-device",
    "virtio-rng-pci,rng=rng",
    "-fw_cfg",
    `name=opt/io.hadb/node.tar,file=${paths.tar}`,
    "-device",
    "virtio-serial-pci",
    "-chardev",
    `socket,id=agent,path=${paths.agent},server=on,wait=off`,
    "-device",
    "virtserialport,chardev=agent,name=org.qemu.guest_agent.0",
    "-no-reboot",
  ];
}

export class NodeVm {
  proc: Proc | undefined;
  agent: GuestAgent | undefined;
  /** Host clock (performance.now()) of the last start. */
  startedAt = 0;
  readonly overlay: string;
  readonly tar: string;
  readonly agentSocket: string;
  readonly console: string;

  constructor(readonly options: VmOptions) {
    mkdirSync(options.dir, { recursive: true });
    this.overlay = join(options.dir, "disk.qcow2");
    this.tar = join(options.dir, "node.tar");
    this.agentSocket = join(options.dir, "agent.sock");
    this.console = join(options.dir, "console.log");
    this.setFiles(options.files);
    execFileSync("qemu-img", [
      "create",
      "-q",
      "-f",
      "qcow2",
      "-b",
      options.image.disk,
      "-F",
      "raw",
      this.overlay,
    ]);
  }

  /** The node's files for its next boot (fw_cfg is read once, at boot). */
  setFiles(files: Record<string, string>): void {
    const tree = join(this.options.dir, "files");
    rmSync(tree, { recursive: true, force: true });
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(tree, path)), { recursive: true });
      writeFileSync(join(tree, path), content, { mode: path.endsWith(".key") ? 0o600 : 0o644 });
    }
    execFileSync("tar", ["-C", tree, "--owner=0", "--group=0", "-cf", `${this.tar}.new`, "."]);
    execFileSync("mv", ["-f", `${this.tar}.new`, this.tar]);
    rmSync(tree, { recursive: true, force: true });
  }

  get name(): string {
    return this.options.name;
  }

  get running(): boolean {
    const child = this.proc?.child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** Boots the VM (again, after a kill: the overlay keeps the node's disk, as a power cycle would). */
  start(): void {
    if (this.running) throw new Error(`${this.name} is already running`);
    rmSync(this.agentSocket, { force: true });
    this.agent?.close();
    this.startedAt = performance.now();
    this.proc = launch(
      `qemu-${this.name}`,
      "qemu-system-x86_64",
      qemuArgs(this.options, {
        overlay: this.overlay,
        tar: this.tar,
        agent: this.agentSocket,
        console: this.console,
      }),
      this.options.dir,
    );
    this.agent = new GuestAgent(this.agentSocket);
  }

  /** Power loss: SIGKILL to QEMU, nothing in the guest gets to react. */
  async kill(): Promise<void> {
    if (this.proc) await stopProc(this.proc, "SIGKILL");
    this.agent?.close();
  }

  /** Clean power-off (test teardown). */
  async stop(): Promise<void> {
    if (!this.running) return;
    await this.agent?.run("systemctl poweroff --no-block", 5_000).catch(() => undefined);
    if (this.proc) {
      const proc = this.proc;
      await Promise.race([proc.exited, new Promise((r) => setTimeout(r, 15_000))]);
      await stopProc(proc, "SIGKILL");
    }
    this.agent?.close();
  }

  /** Resident memory of the QEMU process (MiB), from /proc. */
  residentMiB(): number | undefined {
    const pid = this.proc?.child.pid;
    if (pid === undefined || !this.running) return undefined;
    try {
      const status = execFileSync("cat", [`/proc/${pid}/status`], { encoding: "utf8" });
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
      return Math.round(kb / 1024);
    } catch {
      return undefined;
    }
  }
}
