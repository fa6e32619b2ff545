// What the real-engine tier shares: its skip rule (DEVELOPERS.md: in CI a missing tool is a failure,
// locally a skip), the policy pack path, and timings reported per stack and phase.
import { appendFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { missingBinaries } from "../controlplane/cluster";
import { missingCrdSets } from "../crds/catalog";
import { ENGINE_BIN, ENGINE_BINARIES } from "./workspace";

/** The policy pack, relative to the project (the workspace copies it, as a checkout has it). */
export const POLICY_PACK = "policy";

/** The PR check: .github/workflows/preview.yml and README run exactly this; the tier runs it too. */
export const PR_PREVIEW_COMMAND = `pulumi preview --policy-pack ${POLICY_PACK}`;

/** The CLI release the tier builds (test/engine/pulumi/go.mod) and the workflow installs. */
export const PULUMI_CLI_VERSION = "3.248.0";

export function skipEngine(): string | false {
  const missing = [
    ...missingBinaries(),
    ...ENGINE_BINARIES.filter((b) => !existsSync(join(ENGINE_BIN, b))).map((b) => `pulumi/${b}`),
    ...missingCrdSets().map((set) => `CRDs ${set}`),
  ];
  if (missing.length === 0) return false;
  const message = `not built: ${missing.join(", ")} (npm run test:engine builds them)`;
  if (process.env.CI === "true") throw new Error(message);
  return message;
}

/** Reports a phase's wall time in the test output and, with HADB_ENGINE_TIMINGS=<file>, as a JSON line. */
export function recordTiming(t: TestContext, stack: string, phase: string, ms: number, note = ""): void {
  t.diagnostic(`${stack} ${phase}: ${(ms / 1000).toFixed(1)} s${note ? ` (${note})` : ""}`);
  const file = process.env.HADB_ENGINE_TIMINGS;
  if (file) appendFileSync(file, `${JSON.stringify({ stack, phase, seconds: ms / 1000, note })}\n`);
}
