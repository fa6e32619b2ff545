// The host side of a VM's command channel: QEMU's guest agent (Debian's qemu-guest-agent in the image)
// on a virtio-serial port exposed as a unix socket. Not over the network, so it reaches a node whose
// network a fault has cut. Scripts run as root under bash through `guest-exec`; output is captured.
// One request at a time; every run starts with a `guest-sync` so a late answer to an abandoned
// request can never be taken for the current one.
import { randomInt } from "node:crypto";
import { connect, type Socket } from "node:net";
import { wakeableSleep } from "../../tools/chaos/writer";

export interface AgentResult {
  code: number;
  output: string;
}

interface Reply {
  return?: unknown;
  error?: { class: string; desc: string };
}

interface ExecStatus {
  exited: boolean;
  exitcode?: number;
  signal?: number;
  "out-data"?: string;
  "err-data"?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class GuestAgent {
  private socket: Socket | undefined;
  private buffer = "";
  private readonly replies: Reply[] = [];
  private wake: (() => void) | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly socketPath: string) {}

  private async connection(): Promise<Socket> {
    if (this.socket && !this.socket.destroyed) return this.socket;
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(this.socketPath);
      s.once("connect", () => {
        resolve(s);
      });
      s.once("error", reject);
    });
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.receive(chunk);
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      this.wake?.();
    });
    this.socket = socket;
    return socket;
  }

  private receive(chunk: string): void {
    // guest-sync-delimited answers start with 0xFF; plain JSON lines otherwise.
    this.buffer += chunk.replace(/\xff/g, "");
    let newline: number;
    while ((newline = this.buffer.indexOf("\n")) >= 0) {
      const line = this.buffer.slice(0, newline).trim();
      this.buffer = this.buffer.slice(newline + 1);
      if (!line) continue;
      try {
        this.replies.push(JSON.parse(line) as Reply);
      } catch {
        // a partial line from before a reconnect: drop it
      }
    }
    this.wake?.();
  }

  private async nextReply(deadline: number): Promise<Reply> {
    for (;;) {
      const reply = this.replies.shift();
      if (reply) return reply;
      if (this.socket?.destroyed) throw new Error(`guest agent ${this.socketPath}: connection closed`);
      const wait = deadline - Date.now();
      if (wait <= 0) throw new Error(`guest agent ${this.socketPath}: no answer in time`);
      const pause = wakeableSleep(wait);
      this.wake = pause.wake;
      await pause.done;
      this.wake = undefined;
    }
  }

  private async command<T>(execute: string, args: unknown, deadline: number): Promise<T> {
    const socket = await this.connection();
    socket.write(`${JSON.stringify({ execute, arguments: args })}\n`);
    const reply = await this.nextReply(deadline);
    if (reply.error) throw new Error(`guest agent ${execute}: ${reply.error.desc}`);
    return reply.return as T;
  }

  /** Aligns requests and answers: drops everything until the answer to a fresh sync id. */
  private async sync(deadline: number): Promise<void> {
    const socket = await this.connection();
    const id = randomInt(1, 2 ** 31);
    this.replies.length = 0;
    socket.write(`${JSON.stringify({ execute: "guest-sync", arguments: { id } })}\n`);
    for (;;) {
      const reply = await this.nextReply(deadline);
      if (reply.return === id) return;
    }
  }

  /** Runs `script` under bash in the guest; rejects when no answer comes within `timeoutMs`. */
  run(script: string, timeoutMs = 60_000): Promise<AgentResult> {
    const result = this.queue.then(async () => {
      const deadline = Date.now() + timeoutMs;
      await this.sync(deadline);
      const { pid } = await this.command<{ pid: number }>(
        "guest-exec",
        { path: "/bin/bash", arg: ["-c", script], "capture-output": true },
        deadline,
      );
      for (;;) {
        const status = await this.command<ExecStatus>("guest-exec-status", { pid }, deadline);
        if (status.exited) {
          const decode = (data: string | undefined) => Buffer.from(data ?? "", "base64").toString("utf8");
          return {
            code: status.exitcode ?? 128 + (status.signal ?? 0),
            output: decode(status["out-data"]) + decode(status["err-data"]),
          };
        }
        if (Date.now() > deadline) throw new Error(`guest script still running after ${timeoutMs} ms`);
        await sleep(200);
      }
    });
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Like run(), but rejects unless the script exits 0. */
  async check(script: string, timeoutMs?: number): Promise<string> {
    const result = await this.run(script, timeoutMs);
    if (result.code !== 0)
      throw new Error(`guest script failed (${result.code}): ${script}\n${result.output}`);
    return result.output;
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }
}
