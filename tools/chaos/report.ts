// What the chaos tool shows: a one-line live progress display while an experiment runs, and the final table
// and JSON. Pure formatting (no clock, no I/O) except ProgressLine, which only writes to the stream given.
import type { Engine, ProbeProgress, ProbeReport, Verification } from "./writer";

export interface ExperimentResult {
  experiment: string;
  engine: Engine;
  /** The stack's database entry name. */
  database: string;
  /** Longest outage in seconds; null when the database was still down when the probe stopped. */
  rtoSeconds: number | null;
  outages: number;
  acknowledged: number;
  failedAttempts: number;
  /** Acknowledged sequence numbers not found afterwards: RPO violations. */
  missing: number[];
  /** Failed/timed-out writes that landed anyway (allowed). */
  unacknowledgedPresent: number;
}

export function experimentResult(
  experiment: string,
  database: string,
  report: ProbeReport,
  verification: Verification,
): ExperimentResult {
  return {
    experiment,
    engine: report.engine,
    database,
    rtoSeconds: report.recovered ? round(report.longestOutageMs / 1000, 2) : null,
    outages: report.outages.length,
    acknowledged: verification.acknowledged,
    failedAttempts: report.failed,
    missing: [...verification.missing],
    unacknowledgedPresent: verification.unacknowledgedPresent,
  };
}

/** A result passes when the database came back and lost no acknowledged write. */
export function passed(result: ExperimentResult): boolean {
  return result.rtoSeconds !== null && result.missing.length === 0;
}

export function resultsTable(results: readonly ExperimentResult[]): string {
  const header = ["experiment", "engine", "database", "RTO s", "acknowledged", "missing", "result"];
  const rows = results.map((result) => [
    result.experiment,
    result.engine,
    result.database,
    result.rtoSeconds === null ? "not back" : result.rtoSeconds.toFixed(1),
    String(result.acknowledged),
    String(result.missing.length),
    verdict(result),
  ]);
  // Text columns left-aligned, numeric ones right-aligned.
  const numeric = new Set([3, 4, 5]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => {
        const width = widths[column] ?? 0;
        return numeric.has(column) ? cell.padStart(width) : cell.padEnd(width);
      })
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n") + "\n";
}

function verdict(result: ExperimentResult): string {
  if (result.missing.length > 0) {
    const shown = result.missing.slice(0, 5).join(", ");
    return `LOST ${result.missing.length} acknowledged (${shown}${result.missing.length > 5 ? ", ..." : ""})`;
  }
  return result.rtoSeconds === null ? "NOT RECOVERED" : "ok";
}

export interface ResultsJson {
  version: 1;
  generatedAt: string;
  ok: boolean;
  results: (ExperimentResult & { ok: boolean })[];
}

/** The JSON document CI reads; `generatedAt` is passed in to keep this pure. */
export function resultsJson(results: readonly ExperimentResult[], generatedAt: Date): ResultsJson {
  const rows = results.map((result) => ({ ...result, missing: [...result.missing], ok: passed(result) }));
  return {
    version: 1,
    generatedAt: generatedAt.toISOString(),
    ok: rows.every((row) => row.ok),
    results: rows,
  };
}

/** One status line, e.g. `pod-delete postgres/orders 12.3s  ack 120  failed 4  DOWN 1.2s  longest 1.2s`. */
export function renderProgress(label: string, progress: ProbeProgress): string {
  const parts = [
    label,
    seconds(progress.elapsedMs),
    `ack ${progress.acknowledged}`,
    `failed ${progress.failed}`,
    progress.currentOutageMs === undefined ? "up" : `DOWN ${seconds(progress.currentOutageMs)}`,
  ];
  if (progress.outages > 0)
    parts.push(`outages ${progress.outages}`, `longest ${seconds(progress.longestOutageMs)}`);
  if (progress.currentOutageMs !== undefined && progress.lastError) parts.push(`(${progress.lastError})`);
  return parts.join("  ");
}

/**
 * Rewrites one terminal line in place (carriage return + erase line). On a non-TTY (CI logs) it stays
 * silent until `done`, which prints the final line once.
 */
export class ProgressLine {
  private last = "";

  constructor(private readonly stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }) {}

  update(text: string): void {
    this.last = text;
    if (!this.stream.isTTY) return;
    const width = this.stream.columns ?? 120;
    const shown = text.length >= width ? `${text.slice(0, Math.max(0, width - 4))}...` : text;
    this.stream.write(`\r\x1b[2K${shown}`);
  }

  done(text = this.last): void {
    this.stream.write(this.stream.isTTY ? `\r\x1b[2K${text}\n` : `${text}\n`);
    this.last = "";
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
