// A Pulumi workspace for the real-engine tier: a copy of the hadb project (Pulumi.yaml, index.ts,
// components/, tsconfig, package.json; node_modules linked) in a temp dir, a local file backend and a
// passphrase secrets provider, so nothing is written into the clone and a test may mutate its copy.
// Every `pulumi` call runs offline: no update check, no plugin downloads, the built engine first on PATH.
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { PROJECT_ROOT } from "../controlplane/cluster";
import { TOOLS_BIN } from "../tools-bin";
import type { RunResult } from "../controlplane/procs";

/** Where test/engine/build.sh puts the CLI, the Kubernetes provider and the stand-ins. */
export const ENGINE_BIN = join(TOOLS_BIN, "pulumi");
export const ENGINE_BINARIES = [
  "pulumi",
  "pulumi-language-nodejs",
  "pulumi-resource-kubernetes",
  "pulumi-resource-random",
];

/** The project files a deployment needs (the rest of the repository is tooling and tests). */
const PROJECT_FILES = ["Pulumi.yaml", "index.ts", "components", "tsconfig.json", "package.json", "policy"];

/** A per-run passphrase: the state's secrets are encrypted with it (never a literal in the repo). */
const passphrase = (): string =>
  `hadb-engine-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;

export interface PulumiRunOptions {
  /** KUBECONFIG for the run (the ambient context of a cloud=existing stack). */
  kubeconfig?: string;
  /** Standard input (e.g. a secret value for `config set --secret`, kept off the command line). */
  input?: string;
  timeoutMs?: number;
}

export interface Workspace {
  dir: string;
  projectDir: string;
  backendDir: string;
  /** Runs `pulumi ARGS` in the project copy with the given kubeconfig; never rejects. */
  pulumi(args: string[], opts?: PulumiRunOptions): Promise<RunResult & { ms: number }>;
  /** Writes Pulumi.<stack>.yaml (the stack file's `config:`; secure values dropped, set them with setSecret). */
  writeStackConfig(stack: string, config: Record<string, unknown>): void;
  remove(): void;
}

export function createWorkspace(name: string): Workspace {
  const dir = mkdtempSync(join(tmpdir(), `hadb-engine-${name}-`));
  const projectDir = join(dir, "project");
  const backendDir = join(dir, "backend");
  const home = join(dir, "pulumi-home");
  for (const d of [projectDir, backendDir, home]) mkdirSync(d, { recursive: true });
  for (const f of PROJECT_FILES) cpSync(join(PROJECT_ROOT, f), join(projectDir, f), { recursive: true });
  symlinkSync(join(PROJECT_ROOT, "node_modules"), join(projectDir, "node_modules"));
  const secret = passphrase();

  const pulumi: Workspace["pulumi"] = (args, opts = {}) =>
    new Promise((resolveRun, reject) => {
      const started = Date.now();
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        PATH: `${ENGINE_BIN}:${process.env.PATH ?? ""}`,
        PULUMI_HOME: home,
        PULUMI_BACKEND_URL: `file://${backendDir}`,
        PULUMI_CONFIG_PASSPHRASE: secret,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
        PULUMI_SKIP_CONFIRMATIONS: "true",
        NO_COLOR: "1",
        // The provider's Helm client keeps its repository cache and config in the workspace.
        HELM_CACHE_HOME: join(dir, "helm", "cache"),
        HELM_CONFIG_HOME: join(dir, "helm", "config"),
        HELM_DATA_HOME: join(dir, "helm", "data"),
        ...(opts.kubeconfig !== undefined ? { KUBECONFIG: opts.kubeconfig } : {}),
      };
      const child = spawn(join(ENGINE_BIN, "pulumi"), [...args, "--non-interactive", "--color", "never"], {
        cwd: projectDir,
        env,
        stdio: ["pipe", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
      child.on("error", reject);
      child.stdin.end(opts.input ?? "");
      // Bounded: an engine run that hangs (an await that never completes) is stopped.
      const timer = setTimeout(() => child.kill("SIGTERM"), opts.timeoutMs ?? 15 * 60_000);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolveRun({ code: code ?? -1, stdout, stderr, ms: Date.now() - started });
      });
    });

  return {
    dir,
    projectDir,
    backendDir,
    pulumi,
    writeStackConfig(stack, config) {
      const plain = Object.fromEntries(
        Object.entries(config).filter(([, v]) => !(typeof v === "object" && v !== null && "secure" in v)),
      );
      const path = join(projectDir, `Pulumi.${stack}.yaml`);
      let existing: Record<string, unknown> = {};
      try {
        existing = (parse(readFileSync(path, "utf8")) as Record<string, unknown> | null) ?? {};
      } catch {
        // first write
      }
      writeFileSync(path, stringify({ ...existing, config: plain }));
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
