// IRIS sequence store the way the seed article reached IRIS: ObjectScript typed into `iris session` inside
// the pod through `kubectl exec -i`. One long-lived session is the "connection": each request is one line
// on its stdin that ends by writing a done token, so the reply is the output up to that token. A failover
// kills the session (the pod goes away); the next request resolves the pod again and opens a new one.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { errorText, type SequenceStore } from "./writer";

export const IRIS_GLOBAL = "^hadbChaos";

export interface KubectlTarget {
  /** kubectl and its global flags, e.g. ["kubectl", "--kubeconfig", path, "--namespace", "hadb"]. */
  command: readonly string[];
  /**
   * The pod to exec into, resolved again at every (re)connect because a failover replaces the pod.
   * "deployment/<name>" lets kubectl pick a pod of the Deployment itself.
   */
  pod: string | (() => Promise<string>);
  /** Container of the pod (hadb's IRIS container is "iris"). */
  container?: string;
}

export interface IrisStoreOptions {
  /** IRIS instance inside the container ("IRIS" in InterSystems' images). */
  instance?: string;
  namespace?: string;
  /** Typed at the session's Username:/Password: prompts (on stdin, so never in a process list). */
  credentials?: { username: string; password: string };
  /** Bound on prepare/readAll/close; writes are bounded by the probe's own timeout. */
  requestTimeoutMs?: number;
}

/** The kubectl argv (without the program itself) that opens an ObjectScript session in `pod`. */
export function irisSessionArgs(
  target: KubectlTarget,
  pod: string,
  options: IrisStoreOptions = {},
): string[] {
  return [
    ...target.command.slice(1),
    "exec",
    "-i",
    pod,
    ...(target.container ? ["-c", target.container] : []),
    "--",
    "iris",
    "session",
    options.instance ?? "IRIS",
    "-U",
    options.namespace ?? "USER",
  ];
}

/** Every line of ObjectScript the store sends; each ends by writing `hadb-done <token>`. */
export const objectScript = {
  done: (token: number): string => `write "hadb-done ${token}",!`,
  /** TCOMMIT waits for the journal write only with SynchCommit on (the instance default is off). */
  session: (token: number): string => `do $system.Process.SynchCommit(1) ${objectScript.done(token)}`,
  prepare: (token: number): string => `kill ${IRIS_GLOBAL} ${objectScript.done(token)}`,
  /** The seed's `set ^global(seq)=$zdt($h)`, in a transaction so the acknowledgement means journaled. */
  write: (seq: number, token: number): string =>
    `tstart  set ${IRIS_GLOBAL}(${seq})=$zdt($h,3) tcommit  ${objectScript.done(token)}`,
  /** An argumentless FOR runs to the end of its line, so the done token needs a line of its own. */
  readAll: (token: number): string[] => [
    `set hadbK="" for  set hadbK=$order(${IRIS_GLOBAL}(hadbK)) quit:hadbK=""  write "hadb-seq ",hadbK,!`,
    objectScript.done(token),
  ],
};

/** What one line of session output means to the store. */
export type SessionLine =
  | { kind: "done"; token: number }
  | { kind: "seq"; seq: number }
  | { kind: "error"; text: string }
  | { kind: "denied" }
  | { kind: "other" };

/**
 * Reads one line of `iris session` output. Output follows the `USER>` prompt on the same line; ObjectScript
 * errors print as `<NAME>` (e.g. `<SYNTAX>`, `<PROTECT> ^hadbChaos(5),...`); a failed login prints
 * "Access Denied".
 */
export function parseSessionLine(line: string): SessionLine {
  const text = line.replace(/\r$/, "");
  const done = /hadb-done (\d+)\s*$/.exec(text);
  if (done?.[1]) return { kind: "done", token: Number(done[1]) };
  const seq = /hadb-seq (\d+)\s*$/.exec(text);
  if (seq?.[1]) return { kind: "seq", seq: Number(seq[1]) };
  if (/<[A-Z][A-Z0-9 ]*>/.test(text)) return { kind: "error", text: text.replace(/^[^<]*>(?=<)/, "").trim() };
  if (/Access Denied/i.test(text)) return { kind: "denied" };
  return { kind: "other" };
}

interface Request {
  token: number;
  seqs: number[];
  resolve: (seqs: number[]) => void;
  reject: (error: Error) => void;
}

/** One `kubectl exec … iris session` process. */
class Session {
  private buffer = "";
  private stderr = "";
  private pending: Request | undefined;
  private ended: Error | undefined;

  constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      this.onOutput(chunk);
    });
    child.stderr.on("data", (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-400);
    });
    // A write to a session that already died must fail the request, not the process.
    child.stdin.on("error", () => undefined);
    child.on("error", (error) => {
      this.end(new Error(`cannot run kubectl: ${errorText(error)}`));
    });
    child.on("close", (code, signal) => {
      const detail = this.stderr.trim().split("\n").at(-1) ?? "";
      this.end(new Error(`iris session ended (${signal ?? `exit ${code}`})${detail ? `: ${detail}` : ""}`));
    });
  }

  get alive(): boolean {
    return this.ended === undefined;
  }

  /** Sends `lines` and resolves with the `hadb-seq` values printed before `hadb-done <token>`. */
  request(lines: readonly string[], token: number): Promise<number[]> {
    if (this.ended) return Promise.reject(this.ended);
    if (this.pending) return Promise.reject(new Error("iris session busy"));
    return new Promise((resolve, reject) => {
      this.pending = { token, seqs: [], resolve, reject };
      this.child.stdin.write(lines.map((line) => `${line}\n`).join(""));
    });
  }

  /** Typed before any request: answers the Username:/Password: prompts. */
  login(username: string, password: string): void {
    this.child.stdin.write(`${username}\n${password}\n`);
  }

  kill(): void {
    this.end(new Error("iris session reset"));
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }

  /** Ends the session politely (`halt`), killing it if it does not exit within `timeoutMs`. */
  async halt(timeoutMs: number): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => {
      this.child.once("close", () => {
        resolve();
      });
    });
    this.child.stdin.end("halt\n");
    const timer = setTimeout(() => {
      this.kill();
    }, timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  private onOutput(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf("\n")) >= 0) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      this.onLine(line);
    }
  }

  private onLine(line: string): void {
    const parsed = parseSessionLine(line);
    if (parsed.kind === "denied") {
      this.end(new Error("iris session: Access Denied (check the credentials)"));
      this.kill();
      return;
    }
    const request = this.pending;
    if (!request) return;
    if (parsed.kind === "seq") request.seqs.push(parsed.seq);
    else if (parsed.kind === "error") {
      this.pending = undefined;
      request.reject(new Error(`ObjectScript error: ${parsed.text}`));
    } else if (parsed.kind === "done" && parsed.token === request.token) {
      this.pending = undefined;
      request.resolve(request.seqs);
    }
  }

  private end(error: Error): void {
    this.ended ??= error;
    const request = this.pending;
    this.pending = undefined;
    request?.reject(this.ended);
  }
}

export class IrisStore implements SequenceStore {
  readonly engine = "iris";
  private session: Session | undefined;
  private nextToken = 1;
  /** Requests run one at a time: a session is a single terminal. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly target: KubectlTarget,
    private readonly options: IrisStoreOptions = {},
  ) {
    if (target.command.length === 0) throw new Error("KubectlTarget.command must name kubectl");
  }

  prepare(): Promise<void> {
    return this.bounded(this.run((token) => [objectScript.prepare(token)])).then(() => undefined);
  }

  write(seq: number): Promise<void> {
    return this.run((token) => [objectScript.write(seq, token)]).then(() => undefined);
  }

  async readAll(): Promise<Set<number>> {
    return new Set(await this.bounded(this.run((token) => objectScript.readAll(token))));
  }

  reset(): void {
    this.session?.kill();
    this.session = undefined;
  }

  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await session?.halt(this.options.requestTimeoutMs ?? 30_000);
  }

  private run(lines: (token: number) => string[]): Promise<number[]> {
    const result = this.queue.then(async () => {
      const session = await this.open();
      const token = this.nextToken++;
      try {
        return await session.request(lines(token), token);
      } catch (error) {
        // After an error the session state is unknown (e.g. a transaction left open): start afresh.
        if (this.session === session) this.reset();
        throw error;
      }
    });
    this.queue = result.catch(() => undefined);
    return result;
  }

  private bounded<T>(promise: Promise<T>): Promise<T> {
    const timeoutMs = this.options.requestTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.reset();
        reject(new Error(`iris session: no reply within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    return Promise.race([promise, timeout]).finally(() => {
      clearTimeout(timer);
    });
  }

  private async open(): Promise<Session> {
    if (this.session?.alive) return this.session;
    const pod = typeof this.target.pod === "string" ? this.target.pod : await this.target.pod();
    const [program = "kubectl"] = this.target.command;
    const session = new Session(
      spawn(program, irisSessionArgs(this.target, pod, this.options), { stdio: ["pipe", "pipe", "pipe"] }),
    );
    this.session = session;
    const credentials = this.options.credentials;
    if (credentials) session.login(credentials.username, credentials.password);
    // Every session starts by switching TCOMMIT to wait for the journal.
    const token = this.nextToken++;
    try {
      await session.request([objectScript.session(token)], token);
    } catch (error) {
      if (this.session === session) this.reset();
      throw error;
    }
    return session;
  }
}
