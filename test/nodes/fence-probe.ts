// The partition test's evidence (issue 15): a writer on the cut-off node itself (fence-probe.sh, direct
// and synchronous 4 KiB marker blocks on the database's iSCSI volume) and the LUN's backing file on the
// target, read afterwards. Classifying each write against the moment the target refused the node says
// which writes came from the fenced node; the scan of the LUN says whether any of them reached it.
import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { join } from "node:path";
import type { GuestAgent } from "./agent";

export const PROBE_SCRIPT = join(__dirname, "fence-probe.sh");
export const PROBE_LOG = "/var/tmp/hadb-fence-probe.log";
const PROBE_STOP = "/var/tmp/hadb-fence-probe.stop";
const MARKER = "HADBPROBE:";

export interface ProbeWrite {
  n: number;
  /** Host clock (epoch ms), mapped from the guest's through the measured offset. */
  startMs: number;
  endMs: number;
  acknowledged: boolean;
  /** dd's error when it failed (e.g. "Input/output error", "Read-only file system"). */
  error?: string;
  /** The volume was no longer mounted at the path (the write went to the node's own disk). */
  unmounted?: true;
}

/** Parses fence-probe.sh's log ("<n> <start ns> <end ns> ok|fail [error]", guest clock) onto the host clock. */
export function parseProbeLog(text: string, guestMinusHostMs: number): ProbeWrite[] {
  const writes: ProbeWrite[] = [];
  const unmounted = new Set(
    text.split("\n").flatMap((line) => /^(\d+) unmounted$/.exec(line.trim())?.slice(1, 2) ?? []),
  );
  for (const line of text.split("\n")) {
    const match = /^(\d+) (\d+) (\d+) (ok|fail)(?: (.*))?$/.exec(line.trim());
    if (!match) continue;
    writes.push({
      n: Number(match[1]),
      startMs: Number(BigInt(match[2] ?? "0") / 1_000_000n) - guestMinusHostMs,
      endMs: Number(BigInt(match[3] ?? "0") / 1_000_000n) - guestMinusHostMs,
      acknowledged: match[4] === "ok",
      ...(match[4] === "fail" && match[5] ? { error: match[5] } : {}),
      ...(unmounted.has(match[1] ?? "") ? { unmounted: true as const } : {}),
    });
  }
  return writes;
}

/** Marker numbers of run `run` found anywhere in `file` (the LUN's backing file), read 4 MiB at a time. */
export function markersOnLun(file: string, run: string): Set<number> {
  const found = new Set<number>();
  const needle = Buffer.from(`${MARKER}${run}:`);
  const chunk = Buffer.alloc(4 << 20);
  const fd = openSync(file, "r");
  try {
    // A marker block repeats its marker ~190 times: one cut by a chunk boundary leaves others whole.
    for (let position = 0; ; position += chunk.length) {
      const read = readSync(fd, chunk, 0, chunk.length, position);
      if (read <= 0) break;
      const view = chunk.subarray(0, read);
      for (let at = view.indexOf(needle); at >= 0; at = view.indexOf(needle, at + needle.length)) {
        const digits = /^(\d+):/.exec(view.subarray(at + needle.length, at + needle.length + 12).toString());
        if (digits) found.add(Number(digits[1]));
      }
      if (read < chunk.length) break;
    }
  } finally {
    closeSync(fd);
  }
  return found;
}

export interface ProbeVerdict {
  /** Writes that ended before the target began refusing the node. */
  before: { attempted: number; acknowledged: number; acknowledgedOnLun: number };
  /** Writes that started after the target refused the node: none may be acknowledged or on the LUN. */
  after: {
    attempted: number;
    acknowledged: number;
    /** Of those acknowledged, written after the kubelet unmounted the volume (to the node's own disk). */
    acknowledgedUnmounted: number;
    onLun: number[];
  };
  /** Writes in flight while the fence ran (iscsi-fence.sh drains them): either outcome is safe. */
  during: number;
}

/**
 * `fenceStartMs`/`fenceDoneMs`: when the agent started iscsi-fence.sh and when it returned (host clock);
 * `uncertaintyMs`: the error of the guest clock mapping. Borderline writes count as "during".
 */
export function classifyProbe(
  writes: readonly ProbeWrite[],
  onLun: ReadonlySet<number>,
  fence: { fenceStartMs: number; fenceDoneMs: number; uncertaintyMs: number },
): ProbeVerdict {
  const before = writes.filter((w) => w.endMs < fence.fenceStartMs - fence.uncertaintyMs);
  const after = writes.filter((w) => w.startMs > fence.fenceDoneMs + fence.uncertaintyMs);
  return {
    before: {
      attempted: before.length,
      acknowledged: before.filter((w) => w.acknowledged).length,
      acknowledgedOnLun: before.filter((w) => w.acknowledged && onLun.has(w.n)).length,
    },
    after: {
      attempted: after.length,
      acknowledged: after.filter((w) => w.acknowledged).length,
      acknowledgedUnmounted: after.filter((w) => w.acknowledged && w.unmounted).length,
      onLun: after.filter((w) => onLun.has(w.n)).map((w) => w.n),
    },
    during: writes.length - before.length - after.length,
  };
}

/**
 * The guest's clock minus the host's (ms), from the quickest of three round trips through the guest
 * agent, and half that round trip as its uncertainty.
 */
export async function guestClockOffset(
  agent: GuestAgent,
): Promise<{ offsetMs: number; uncertaintyMs: number }> {
  let best: { offsetMs: number; uncertaintyMs: number } | undefined;
  for (let i = 0; i < 3; i++) {
    const sent = Date.now();
    const output = await agent.check("date +%s%N", 30_000);
    const received = Date.now();
    const guestMs = Number(BigInt(output.trim()) / 1_000_000n);
    const estimate = { offsetMs: guestMs - (sent + received) / 2, uncertaintyMs: (received - sent) / 2 };
    if (!best || estimate.uncertaintyMs < best.uncertaintyMs) best = estimate;
  }
  if (!best) throw new Error("no clock reading from the guest");
  return best;
}

/** Starts fence-probe.sh in the background on the node (detached: the guest agent answers at once). */
export async function startProbe(agent: GuestAgent, run: string): Promise<void> {
  const script = readFileSync(PROBE_SCRIPT, "utf8");
  await agent.check(
    `cat >/var/tmp/hadb-fence-probe.sh <<'HADB_PROBE'\n${script}HADB_PROBE\n` +
      `setsid bash /var/tmp/hadb-fence-probe.sh ${run} </dev/null >/dev/null 2>&1 &\n` +
      // It must have written to the volume before the fault: otherwise there is nothing to compare.
      `for i in $(seq 1 60); do grep -q ' ok$' ${PROBE_LOG} 2>/dev/null && exit 0; sleep 0.5; done; cat ${PROBE_LOG}; exit 1`,
    60_000,
  );
}

/** The probe's log so far (it keeps running). */
export async function readProbeLog(agent: GuestAgent): Promise<string> {
  return agent.check(`cat ${PROBE_LOG}`, 60_000);
}

/** Asks the probe to stop and returns its log so far (a write stuck in the kernel may still finish later). */
export async function stopProbe(agent: GuestAgent): Promise<string> {
  return agent.check(`touch ${PROBE_STOP}; cat ${PROBE_LOG}`, 60_000);
}
