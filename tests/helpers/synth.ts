// Runs `tools/synth.ts` in a child process (the Pulumi runtime is per process) and loads what it wrote.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { configFromMap } from "../../components/config/load";
import { standbyDatabases } from "../../components/protection/dr/primary";
import type { HadbConfig } from "../../components/config/types";
import { primaryStackOf, readStackFile, referencedStack } from "../../tools/synth/stackfile";
import type { HelmRelease, KubeObject } from "../../tools/synth/write";

export const PROJECT_ROOT = resolve(__dirname, "..", "..");

export const STACKS = readdirSync(join(PROJECT_ROOT, "stacks"))
  .filter((file) => file.endsWith(".yaml"))
  .map((file) => file.replace(/\.yaml$/, ""))
  .sort();

export interface ResourceRow {
  type: string;
  name: string;
  parent: string;
  dependsOn: string[];
  provider: string;
  inputs: Record<string, unknown>;
}

export interface SynthResult {
  stack: string;
  dir: string;
  resources: ResourceRow[];
  /** Objects of the stack's own cluster. */
  manifests: KubeObject[];
  /** Objects sent to another cluster (a DR standby's pair on its primary), by provider folder. */
  remoteManifests: Record<string, KubeObject[]>;
  releases: HelmRelease[];
  outputs: Record<string, unknown>;
  /** Every file the synth wrote, as text. */
  texts: Record<string, string>;
}

/**
 * A bound on one child process of the tests (synth, a CLI), not a timing claim: at CI load ~35 on 2 cores
 * one synth of a stack took over 2 minutes.
 */
export const CHILD_PROCESS_DEADLINE_MS = 600_000;

export function runSynth(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", join(PROJECT_ROOT, "tools", "synth.ts"), ...args],
    {
      cwd: PROJECT_ROOT,
      encoding: "utf8",
      timeout: CHILD_PROCESS_DEADLINE_MS,
    },
  );
  const killed =
    result.status === null
      ? `\nkilled by ${result.signal ?? "a signal"} (deadline ${CHILD_PROCESS_DEADLINE_MS / 1000} s)`
      : "";
  return { status: result.status, stdout: result.stdout, stderr: result.stderr + killed };
}

function readTree(dir: string, prefix = ""): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const relative = join(prefix, entry.name);
    if (entry.isDirectory()) Object.assign(texts, readTree(dir, relative));
    else texts[relative] = readFileSync(join(dir, relative), "utf8");
  }
  return texts;
}

/** Every file whose content decides what a synth writes: the program, the synth tool, the lockfile. */
function programFiles(dir: string = PROJECT_ROOT, relative = ""): string[] {
  return readdirSync(join(dir, relative), { withFileTypes: true }).flatMap((entry) => {
    const path = join(relative, entry.name);
    if (entry.isDirectory()) return programFiles(dir, path);
    return /\.(ts|sh|yaml|json)$/.test(entry.name) ? [path] : [];
  });
}

let programHash: string | undefined;
/** Hash of the program's sources: a synth is reused only while none of them changed. */
function currentProgramHash(): string {
  if (programHash === undefined) {
    const hash = createHash("sha256");
    const files = [
      "index.ts",
      "package-lock.json",
      "Pulumi.yaml",
      ...programFiles(PROJECT_ROOT, "components"),
      ...programFiles(PROJECT_ROOT, "tools"),
    ].sort();
    for (const file of files)
      hash
        .update(file)
        .update("\0")
        .update(readFileSync(join(PROJECT_ROOT, file)));
    programHash = hash.digest("hex").slice(0, 16);
  }
  return programHash;
}

/**
 * Synthesizes a stack once per program version: test files running side by side share the output
 * (keyed by the program's sources and the stack file), instead of evaluating every stack twice.
 */
function synthDirectory(stack: string): string {
  const stackFile = readFileSync(join(PROJECT_ROOT, "stacks", `${stack}.yaml`));
  const hash = createHash("sha256").update(currentProgramHash()).update(stackFile);
  // A DR standby's synth reads its primary's stack file too.
  const primary = primaryStackOf(readStackFile(PROJECT_ROOT, stack).config);
  if (primary !== undefined)
    hash.update(readFileSync(join(PROJECT_ROOT, "stacks", `${referencedStack(primary)}.yaml`)));
  const key = hash.digest("hex").slice(0, 16);
  const cacheRoot = join(tmpdir(), "hadb-synth-cache");
  const dir = join(cacheRoot, `${stack}-${key}`);
  if (existsSync(join(dir, "outputs.json"))) return dir;
  mkdirSync(cacheRoot, { recursive: true });
  // One synth per stack at a time: a suite running alongside waits for the other's output.
  const lock = `${dir}.lock`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (existsSync(join(dir, "outputs.json"))) return dir;
      if (Date.now() > deadline) throw new Error(`timed out waiting for another synth of ${stack} (${lock})`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (existsSync(join(dir, "outputs.json"))) return dir;
    const work = mkdtempSync(join(cacheRoot, `${stack}-tmp-`));
    const run = runSynth([stack, "--out", work, "--json"]);
    if (run.status !== 0) throw new Error(`synth ${stack} failed (${run.status}):\n${run.stderr}`);
    renameSync(work, dir);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return dir;
}

export function synthStack(stack: string): SynthResult {
  const dir = synthDirectory(stack);
  const texts = readTree(dir);
  const manifestFiles = Object.keys(texts)
    .filter((file) => /^manifests\/[^/]+$/.test(file))
    .sort();
  const remoteManifests: Record<string, KubeObject[]> = {};
  for (const file of Object.keys(texts).sort()) {
    const folder = /^manifests\/([^/]+)\/[^/]+$/.exec(file)?.[1];
    if (folder !== undefined) (remoteManifests[folder] ??= []).push(parse(texts[file] ?? "") as KubeObject);
  }
  const releaseFiles = Object.keys(texts).filter((file) => file.startsWith("helm/"));
  return {
    stack,
    dir,
    resources: JSON.parse(texts["resources.json"] ?? "[]") as ResourceRow[],
    manifests: manifestFiles.map((file) => parse(texts[file] ?? "") as KubeObject),
    remoteManifests,
    releases: releaseFiles.map((file) => parse(texts[file] ?? "") as HelmRelease),
    outputs: JSON.parse(texts["outputs.json"] ?? "{}") as Record<string, unknown>,
    texts,
  };
}

/** A stack file's config map, read exactly as `npm run synth` reads it. */
export function stackConfigValues(stack: string): Record<string, string> {
  return readStackFile(PROJECT_ROOT, stack).config;
}

/**
 * A stack's effective configuration as the program builds it: a Longhorn DR standby runs its
 * primary's databases (read from the primary's stack file, as the offline StackReference does).
 */
export function siteConfig(stack: string): HadbConfig {
  const config = configFromMap(stackConfigValues(stack));
  const dr = config.disasterRecovery;
  if (dr?.role !== "standby" || config.storage !== "longhorn") return config;
  const primary = configFromMap(stackConfigValues(referencedStack(dr.primaryStack)));
  return { ...config, databases: standbyDatabases(primary.databases) };
}
