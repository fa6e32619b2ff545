// The write/verify core of the chaos tool: a probe that keeps writing sequence numbers to a database through
// its own client while an experiment runs, times the outage it sees, and afterwards checks that every write
// the database acknowledged is still there (RPO). Engines plug in behind `SequenceStore`.

export type Engine = "postgres" | "mysql" | "iris";

/** Where a SQL engine listens; in the chaos tool these come from a port-forward and the stack's outputs. */
export interface ConnectionSettings {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/**
 * One engine's sequence table (or global). Implementations connect lazily and reconnect by themselves after
 * `reset()` or an error, so a caller never handles connections.
 */
export interface SequenceStore {
  readonly engine: Engine;
  /** Creates the table/global if needed and empties it: each experiment starts from nothing. */
  prepare(): Promise<void>;
  /** Resolves only once the engine has committed the write (autocommit), i.e. it counts as acknowledged. */
  write(seq: number): Promise<void>;
  /** Every sequence number present. */
  readAll(): Promise<Set<number>>;
  /** Abandons the current connection without waiting (after a timeout: it may hang forever). */
  reset(): void;
  close(): Promise<void>;
}

export interface WriteAttempt {
  seq: number;
  /** Epoch milliseconds from a monotonic clock (performance.timeOrigin + performance.now()). */
  startedAt: number;
  endedAt: number;
  acknowledged: boolean;
  /** Why it was not acknowledged: the client's error, or the probe's timeout. */
  error?: string;
}

export interface Outage {
  /** First and last sequence numbers of the run of failed attempts. */
  firstFailedSeq: number;
  lastFailedSeq: number;
  failedAttempts: number;
  start: number;
  /** Undefined while (or if the probe stopped while) the database was still not acknowledging. */
  end: number | undefined;
  durationMs: number;
  recovered: boolean;
}

/**
 * Outages in attempt order. An outage is a maximal run of consecutive failed attempts (attempts are
 * sequential, so seq order is time order). It starts when the last write before the run was acknowledged:
 * the last moment the database is known to have been available (or, if the run opens the probe, when its
 * first attempt started). It ends when the first write after the run was acknowledged: the first moment it
 * is known to be available again (or, if none was before `stoppedAt`, at `stoppedAt`, unrecovered).
 * Measured ack to ack, it never under-estimates the real unavailability (nothing was acknowledged in
 * between) and over-estimates it by at most one interval plus one write latency.
 */
export function findOutages(attempts: readonly WriteAttempt[], stoppedAt?: number): Outage[] {
  const outages: Outage[] = [];
  let lastAckAt: number | undefined;
  let open: { first: WriteAttempt; last: WriteAttempt; count: number; start: number } | undefined;
  for (const attempt of attempts) {
    if (!attempt.acknowledged) {
      if (open) {
        open.last = attempt;
        open.count++;
      } else open = { first: attempt, last: attempt, count: 1, start: lastAckAt ?? attempt.startedAt };
      continue;
    }
    if (open) {
      outages.push(outageOf(open, attempt.endedAt, true));
      open = undefined;
    }
    lastAckAt = attempt.endedAt;
  }
  if (open) {
    const end = stoppedAt ?? open.last.endedAt;
    outages.push({ ...outageOf(open, end, false), end: undefined });
  }
  return outages;
}

function outageOf(
  run: { first: WriteAttempt; last: WriteAttempt; count: number; start: number },
  end: number,
  recovered: boolean,
): Outage {
  return {
    firstFailedSeq: run.first.seq,
    lastFailedSeq: run.last.seq,
    failedAttempts: run.count,
    start: run.start,
    end,
    durationMs: end - run.start,
    recovered,
  };
}

export interface ProbeProgress {
  engine: Engine;
  running: boolean;
  elapsedMs: number;
  nextSeq: number;
  acknowledged: number;
  failed: number;
  outages: number;
  /** How long the current outage has lasted so far, when the latest attempt failed. */
  currentOutageMs: number | undefined;
  longestOutageMs: number;
  lastError: string | undefined;
}

export interface ProbeReport {
  engine: Engine;
  startedAt: number;
  stoppedAt: number | undefined;
  attempts: number;
  acknowledged: number;
  failed: number;
  outages: Outage[];
  longestOutageMs: number;
  totalOutageMs: number;
  /** False when the probe stopped during an outage: the RTO is then unknown (at least longestOutageMs). */
  recovered: boolean;
}

export interface Verification {
  acknowledged: number;
  /** Acknowledged sequence numbers absent from the store: RPO violations, must be empty. */
  missing: number[];
  /** Failed or timed-out writes that did land (allowed: the client never heard back). */
  unacknowledgedPresent: number;
  ok: boolean;
}

export interface ProbeOptions {
  /** Start-to-start spacing of attempts. */
  intervalMs?: number;
  /** An attempt not acknowledged within this counts as failed and its connection is abandoned. */
  timeoutMs?: number;
  firstSeq?: number;
  now?: () => number;
}

const monotonicNow = (): number => performance.timeOrigin + performance.now();

export function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

/** Writes `seq++` every interval, one write at a time, until stopped. */
export class WriteProbe {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly log: WriteAttempt[] = [];
  private readonly listeners = new Set<() => void>();
  private nextSeq: number;
  private acked = 0;
  private startedAt: number | undefined;
  private stoppedAt: number | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;

  constructor(
    readonly store: SequenceStore,
    options: ProbeOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 100;
    this.timeoutMs = options.timeoutMs ?? 2_000;
    this.nextSeq = options.firstSeq ?? 1;
    this.now = options.now ?? monotonicNow;
  }

  get attempts(): readonly WriteAttempt[] {
    return this.log;
  }

  start(): void {
    if (this.loop) throw new Error("probe already started");
    this.startedAt = this.now();
    this.loop = this.run();
  }

  /** Stops after the attempt in flight (bounded by the timeout) and returns the report. */
  async stop(): Promise<ProbeReport> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    this.stoppedAt ??= this.now();
    return this.report();
  }

  /**
   * Resolves once `predicate` holds after an attempt; rejects after `timeoutMs` or if the probe stops.
   * `what` names the condition in the rejection.
   */
  waitFor(predicate: (probe: WriteProbe) => boolean, timeoutMs: number, what = "condition"): Promise<void> {
    if (predicate(this)) return Promise.resolve();
    if (this.stoppedAt !== undefined) return Promise.reject(new Error(`probe stopped before ${what}`));
    return new Promise((resolve, reject) => {
      const listener = (): void => {
        if (predicate(this)) finish(undefined);
        else if (this.stopping) finish(new Error(`probe stopped before ${what}`));
      };
      const timer = setTimeout(() => {
        finish(
          new Error(`${what} not met within ${timeoutMs} ms (${this.progress().lastError ?? "no error"})`),
        );
      }, timeoutMs);
      const finish = (error: Error | undefined): void => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        if (error) reject(error);
        else resolve();
      };
      this.listeners.add(listener);
    });
  }

  progress(): ProbeProgress {
    const outages = findOutages(this.log, this.now());
    const last = this.log.at(-1);
    const current = last && !last.acknowledged ? outages.at(-1) : undefined;
    return {
      engine: this.store.engine,
      running: this.loop !== undefined && this.stoppedAt === undefined,
      elapsedMs: this.startedAt === undefined ? 0 : (this.stoppedAt ?? this.now()) - this.startedAt,
      nextSeq: this.nextSeq,
      acknowledged: this.acked,
      failed: this.log.length - this.acked,
      outages: outages.length,
      currentOutageMs: current?.durationMs,
      longestOutageMs: Math.max(0, ...outages.map((outage) => outage.durationMs)),
      lastError: lastErrorOf(this.log),
    };
  }

  report(): ProbeReport {
    const outages = findOutages(this.log, this.stoppedAt ?? this.now());
    return {
      engine: this.store.engine,
      startedAt: this.startedAt ?? 0,
      stoppedAt: this.stoppedAt,
      attempts: this.log.length,
      acknowledged: this.acked,
      failed: this.log.length - this.acked,
      outages,
      longestOutageMs: Math.max(0, ...outages.map((outage) => outage.durationMs)),
      totalOutageMs: outages.reduce((sum, outage) => sum + outage.durationMs, 0),
      recovered: outages.every((outage) => outage.recovered),
    };
  }

  /**
   * Reads the store back and lists acknowledged writes that are missing. Only after `stop()`: a write in
   * flight during the read could be acknowledged after it. Retries the read, as the database may still be
   * settling after an experiment.
   */
  async verify(options: { attempts?: number; retryDelayMs?: number } = {}): Promise<Verification> {
    if (this.loop && this.stoppedAt === undefined) throw new Error("stop the probe before verify()");
    const tries = options.attempts ?? 3;
    let present: Set<number> | undefined;
    for (let attempt = 1; present === undefined; attempt++) {
      try {
        present = await this.store.readAll();
      } catch (error) {
        this.store.reset();
        if (attempt >= tries)
          throw new Error(`verify: cannot read ${this.store.engine}: ${errorText(error)}`, { cause: error });
        await sleep(options.retryDelayMs ?? 1_000);
      }
    }
    const missing = this.log
      .filter((attempt) => attempt.acknowledged && !present.has(attempt.seq))
      .map((attempt) => attempt.seq);
    const unacknowledgedPresent = this.log.filter(
      (attempt) => !attempt.acknowledged && present.has(attempt.seq),
    ).length;
    return { acknowledged: this.acked, missing, unacknowledgedPresent, ok: missing.length === 0 };
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const seq = this.nextSeq++;
      const startedAt = this.now();
      const error = await this.attempt(seq);
      const attempt: WriteAttempt = {
        seq,
        startedAt,
        endedAt: this.now(),
        acknowledged: error === undefined,
      };
      if (error !== undefined) {
        attempt.error = error;
        // Whatever went wrong, the next attempt starts from a fresh connection.
        this.store.reset();
      } else this.acked++;
      this.log.push(attempt);
      for (const listener of [...this.listeners]) listener();
      const wait = startedAt + this.intervalMs - this.now();
      // stop() may have been called during the attempt, before `wake` existed.
      if (wait > 0 && !this.stopRequested()) {
        const pause = wakeableSleep(wait);
        this.wake = pause.wake;
        await pause.done;
        this.wake = undefined;
      }
    }
    this.stoppedAt = this.now();
    for (const listener of [...this.listeners]) listener();
  }

  private stopRequested(): boolean {
    return this.stopping;
  }

  /** Undefined when acknowledged in time, else the reason. */
  private async attempt(seq: number): Promise<string | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`no acknowledgement within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
    });
    // Async wrapper: a store that throws synchronously fails this attempt, not the loop.
    const write = (async () => this.store.write(seq))();
    // A write that timed out may still settle later; by then it no longer counts either way.
    write.catch(() => undefined);
    try {
      await Promise.race([write, timeout]);
      return undefined;
    } catch (error) {
      return errorText(error);
    } finally {
      clearTimeout(timer);
    }
  }
}

function lastErrorOf(attempts: readonly WriteAttempt[]): string | undefined {
  for (let i = attempts.length - 1; i >= 0; i--) if (!attempts[i]?.acknowledged) return attempts[i]?.error;
  return undefined;
}

/** A sleep that `wake()` ends early (a stop request, a reply that arrived). */
export function wakeableSleep(ms: number): { done: Promise<void>; wake: () => void } {
  let wake: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { done, wake };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * One client connection opened on first use and dropped after any error, a reset or its loss, so the next
 * use reconnects: how the stores survive a database restart. A connection still opening when dropped is
 * discarded as soon as it opens.
 */
interface Pending<C> {
  promise: Promise<C>;
  dropped: boolean;
}

export class LazyConnection<C> {
  private current: Pending<C> | undefined;

  constructor(
    private readonly open: (onLost: () => void) => Promise<C>,
    private readonly discard: (connection: C) => Promise<void> | void,
  ) {}

  async use<T>(action: (connection: C) => Promise<T>): Promise<T> {
    const entry = this.current ?? this.connect();
    const connection = await entry.promise;
    if (entry.dropped) throw new Error("connection lost");
    try {
      return await action(connection);
    } catch (error) {
      void this.drop(entry);
      throw error;
    }
  }

  reset(): void {
    if (this.current) void this.drop(this.current);
  }

  /** Like reset(), but waits until the connection is released. */
  async close(): Promise<void> {
    if (this.current) await this.drop(this.current);
  }

  private connect(): Pending<C> {
    const holder: { entry?: Pending<C> } = {};
    const promise = this.open(() => {
      if (holder.entry) void this.drop(holder.entry);
    });
    const entry: Pending<C> = { promise, dropped: false };
    holder.entry = entry;
    promise.catch(() => {
      void this.drop(entry);
    });
    this.current = entry;
    return entry;
  }

  private async drop(entry: Pending<C>): Promise<void> {
    if (this.current === entry) this.current = undefined;
    if (entry.dropped) return;
    entry.dropped = true;
    let connection: C;
    try {
      connection = await entry.promise;
    } catch {
      return; // never opened: nothing to release
    }
    try {
      await this.discard(connection);
    } catch {
      // Already closed.
    }
  }
}
