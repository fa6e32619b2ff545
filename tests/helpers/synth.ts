// Runs `tools/synth.ts` in a child process (the Pulumi runtime is per process) and loads what it wrote.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { readStackFile } from "../../tools/synth/stackfile";
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
  manifests: KubeObject[];
  releases: HelmRelease[];
  outputs: Record<string, unknown>;
  /** Every file the synth wrote, as text. */
  texts: Record<string, string>;
}

export function runSynth(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", join(PROJECT_ROOT, "tools", "synth.ts"), ...args],
    {
      cwd: PROJECT_ROOT,
      encoding: "utf8",
      timeout: 120_000,
    },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
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

export function synthStack(stack: string): SynthResult {
  const dir = mkdtempSync(join(tmpdir(), `hadb-synth-${stack}-`));
  const run = runSynth([stack, "--out", dir, "--json"]);
  if (run.status !== 0) throw new Error(`synth ${stack} failed (${run.status}):\n${run.stderr}`);
  const texts = readTree(dir);
  const manifestFiles = Object.keys(texts)
    .filter((file) => file.startsWith("manifests/"))
    .sort();
  const releaseFiles = Object.keys(texts).filter((file) => file.startsWith("helm/"));
  return {
    stack,
    dir,
    resources: JSON.parse(texts["resources.json"] ?? "[]") as ResourceRow[],
    manifests: manifestFiles.map((file) => parse(texts[file] ?? "") as KubeObject),
    releases: releaseFiles.map((file) => parse(texts[file] ?? "") as HelmRelease),
    outputs: JSON.parse(texts["outputs.json"] ?? "{}") as Record<string, unknown>,
    texts,
  };
}

/** A stack file's config map, read exactly as `npm run synth` reads it. */
export function stackConfigValues(stack: string): Record<string, string> {
  return readStackFile(PROJECT_ROOT, stack).config;
}
