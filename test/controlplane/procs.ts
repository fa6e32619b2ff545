// Child processes of the e2e tier: started with their output in a log file, tracked by PID, stopped
// by PID. If the test process ends without stopping them (crash, Ctrl-C), an exit hook SIGKILLs them,
// and tests/e2e/run.sh kills any PID listed in $HADB_E2E_PIDFILE in case the test process was killed.
import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort when stop() was never reached (crash, failed assertion outside a hook, Ctrl-C).
  const killAll = () => {
    for (const child of live) if (child.pid !== undefined) safeKill(child.pid, "SIGKILL");
  };
  process.on("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(signal === "SIGINT" ? 130 : 143);
    });
  }
}

export function safeKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

export interface Proc {
  name: string;
  child: ChildProcess;
  log: string;
  exited: Promise<void>;
}

export function launch(name: string, bin: string, args: string[], logDir: string): Proc {
  const log = join(logDir, `${name}.log`);
  const fd = openSync(log, "a");
  const child = spawn(bin, args, { stdio: ["ignore", fd, fd] });
  closeSync(fd);
  return track(name, child, log);
}

/** Registers a child started elsewhere, so it is killed with the others if the process dies. */
export function track(name: string, child: ChildProcess, log = ""): Proc {
  installExitHook();
  // A missing binary surfaces as an "error" event; the undefined pid below reports it.
  child.on("error", () => undefined);
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  live.add(child);
  // tests/e2e/run.sh kills whatever is listed here if the test process itself was killed.
  if (process.env.HADB_E2E_PIDFILE) appendFileSync(process.env.HADB_E2E_PIDFILE, `${child.pid}\n`);
  const exited = new Promise<void>((resolveExit) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      live.delete(child);
      resolveExit();
      return;
    }
    child.once("exit", () => {
      live.delete(child);
      resolveExit();
    });
  });
  return { name, child, log, exited };
}

export async function stopProc(proc: Proc, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  const pid = proc.child.pid;
  if (pid === undefined || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  safeKill(pid, signal);
  const timer = setTimeout(() => {
    safeKill(pid, "SIGKILL");
  }, 10_000);
  await proc.exited;
  clearTimeout(timer);
}

export function tail(path: string, lines = 25): string {
  try {
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

export function run(bin: string, args: string[], input?: string): Promise<RunResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(bin, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      resolveRun({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(input ?? "");
  });
}

/** Thrown by a waitFor probe to stop waiting at once (e.g. the process being waited for died). */
export class FatalError extends Error {}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      if (error instanceof FatalError) throw error;
      lastError = error;
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? `: ${lastError.message}` : "";
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${detail}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
