// hadb's fence agent as a test runs it beside its tgtd: its files laid out by its own installer
// (install.sh with HADB_FENCE_ROOT, as on the lab's target VM but under a stand-in root, no systemd), its
// token read from the stack's ServiceAccount token Secret, and `node agent.js` started from the files the
// installer wrote. Shared by the simulated-node tier (fence-agent.ts) and the real-node tier
// (test/nodes/fencing.ts), so both test the agent exactly as it is shipped.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { installEnvironment, installScript } from "../../components/storage/iscsi/fence-agent/files";
import { FENCE_AGENT_TOKEN_SECRET } from "../../components/storage/iscsi/fence-agent/manifests";
import type { FenceRecord } from "../../components/storage/iscsi/fence-agent/plan";
import { ISCSI_NAMESPACE } from "../../components/storage/iscsi/manifests";
import type { ControlPlane } from "./cluster";
import { stopProc, track, waitFor, type Proc } from "./procs";

const FENCE_SCRIPT = join(__dirname, "..", "..", "components", "storage", "iscsi", "iscsi-fence.sh");

export interface FenceAgentProcessOptions {
  cp: Pick<ControlPlane, "kubeconfigPath" | "kubectl">;
  /** Work directory: the stand-in root goes below it. */
  dir: string;
  iqn: string;
  /** The target's initiator addresses, one per node. */
  initiators: string[];
  detectionSeconds: number;
  podNamespaces: string[];
  /** iscsi-fence.sh's environment: PATH, HADB_TARGET_IQN, HADB_INITIATOR_CIDRS, HADB_TGT_*, HADB_FENCE_DIR. */
  targetEnv: Record<string, string>;
}

export interface FenceAgentProcess {
  /** The agent's output so far. */
  log(): string;
  /** When the agent first logged a line matching `pattern` at or after `sinceMs` (epoch ms), or null. */
  loggedAt(pattern: RegExp, sinceMs?: number): number | null;
  stop(): Promise<void>;
}

/** What the target holds fenced (iscsi-fence.sh list, run with the agent's environment). */
export function listFences(targetEnv: Record<string, string>): FenceRecord[] {
  const listed = spawnSync("bash", [FENCE_SCRIPT, "list"], { encoding: "utf8", env: targetEnv });
  if (listed.status !== 0) throw new Error(`iscsi-fence.sh list: ${listed.stderr}`);
  return listed.stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as FenceRecord);
}

export async function startFenceAgentProcess(options: FenceAgentProcessOptions): Promise<FenceAgentProcess> {
  const token = await waitFor(
    "the fence agent's token",
    async () => {
      const secretObject = JSON.parse(
        await options.cp.kubectl([
          "-n",
          ISCSI_NAMESPACE,
          "get",
          "secret",
          FENCE_AGENT_TOKEN_SECRET,
          "-o",
          "json",
        ]),
      ) as { data?: { token?: string } };
      const value = secretObject.data?.token;
      return value ? Buffer.from(value, "base64").toString() : undefined;
    },
    60_000,
  );
  const kubeconfig = parse(readFileSync(options.cp.kubeconfigPath, "utf8")) as {
    clusters: { cluster: { server: string; "certificate-authority": string } }[];
  };
  const cluster = kubeconfig.clusters[0]?.cluster;
  if (!cluster) throw new Error("kubeconfig without a cluster");
  const root = join(options.dir, "root");
  mkdirSync(root, { recursive: true });
  const settings = {
    apiServer: cluster.server,
    initiators: options.initiators,
    detectionSeconds: options.detectionSeconds,
    podNamespaces: options.podNamespaces,
  };
  const installed = spawnSync("bash", ["-c", installScript()], {
    encoding: "utf8",
    env: {
      PATH: options.targetEnv.PATH ?? process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin",
      ...installEnvironment(settings, options.iqn),
      HADB_FENCE_CA_B64: readFileSync(cluster["certificate-authority"]).toString("base64"),
      HADB_FENCE_TOKEN: token,
      HADB_FENCE_ROOT: root,
      HADB_FENCE_START: "0",
    },
  });
  if (installed.status !== 0) throw new Error(`fence-agent install.sh failed: ${installed.stderr}`);

  let log = "";
  const child = spawn(
    process.execPath,
    [
      join(root, "usr/local/lib/hadb/fence-agent/agent.js"),
      "--config",
      join(root, "etc/hadb/fence-agent/agent.json"),
    ],
    { stdio: ["ignore", "pipe", "pipe"], env: options.targetEnv },
  );
  child.stdout.on("data", (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const agent: Proc = track("hadb-fence-agent", child);
  try {
    await waitFor(
      "the agent's first words",
      async () => Promise.resolve(log.includes("hadb fence agent:") || undefined),
      30_000,
    );
  } catch (error) {
    await stopProc(agent, "SIGKILL");
    throw new Error(`${(error as Error).message}; agent output:\n${log}`, { cause: error });
  }
  return {
    log: () => log,
    loggedAt(pattern, sinceMs = 0) {
      for (const line of log.split("\n")) {
        const at = Date.parse(line.split(" ")[0] ?? "");
        if (!Number.isNaN(at) && at >= sinceMs && pattern.test(line)) return at;
      }
      return null;
    },
    stop: () => stopProc(agent),
  };
}
