// What the fence agent's host receives: the agent as JavaScript (plan.ts, kube.ts and agent.ts
// transpiled one by one; they import only node built-ins and each other), iscsi-fence.sh, its config and
// environment, and the installer that lays them out as a systemd service. The real-node tier installs
// exactly these files (install.sh with HADB_FENCE_START=0) and runs the agent next to its tgtd.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { AGENT_POLL_SECONDS, MIN_HEALTHY_PERCENT } from "../../../failover/fencing";
import type { AgentConfig } from "./agent";

/** Where install.sh puts things on the agent's host (under HADB_FENCE_ROOT, "/" on the target VM). */
export const AGENT_PATHS = {
  lib: "/usr/local/lib/hadb/fence-agent",
  fenceScript: "/usr/local/lib/hadb/iscsi-fence.sh",
  etc: "/etc/hadb/fence-agent",
} as const;

const SOURCES = ["plan", "kube", "agent"] as const;
const ISCSI_DIR = join(__dirname, "..");

/** The agent's modules as the host runs them (CommonJS for Node.js 18, Ubuntu 24.04's nodejs). */
export function agentModules(): Record<`${(typeof SOURCES)[number]}.js`, string> {
  const entries = SOURCES.map((name) => {
    const source = readFileSync(join(__dirname, `${name}.ts`), "utf8");
    const { outputText } = ts.transpileModule(source, {
      fileName: `${name}.ts`,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
      },
    });
    return [`${name}.js`, outputText] as const;
  });
  return Object.fromEntries(entries) as Record<`${(typeof SOURCES)[number]}.js`, string>;
}

export interface AgentSettings {
  apiServer: string;
  initiators: string[];
  detectionSeconds: number;
  podNamespaces: string[];
}

/** agent.json on the host. */
export function agentConfig(settings: AgentSettings): AgentConfig {
  return {
    ...settings,
    caFile: `${AGENT_PATHS.etc}/ca.crt`,
    tokenFile: `${AGENT_PATHS.etc}/token`,
    pollSeconds: AGENT_POLL_SECONDS,
    minHealthyPercent: MIN_HEALTHY_PERCENT,
    fenceCommand: [AGENT_PATHS.fenceScript],
  };
}

/** The environment iscsi-fence.sh needs (the agent passes its own on): the target and its wanted ACL. */
export function agentEnvironment(target: { iqn: string; initiators: string[] }): string {
  return `HADB_TARGET_IQN=${target.iqn}\nHADB_INITIATOR_CIDRS="${target.initiators.join(" ")}"\n`;
}

export const installScript = (): string => readFileSync(join(__dirname, "install.sh"), "utf8");
export const fenceScript = (): string => readFileSync(join(ISCSI_DIR, "iscsi-fence.sh"), "utf8");

/** install.sh's inputs besides the token and CA (which only the cluster knows), base64 as it expects. */
export function installEnvironment(settings: AgentSettings, iqn: string): Record<string, string> {
  const b64 = (text: string) => Buffer.from(text).toString("base64");
  const modules = agentModules();
  return {
    HADB_FENCE_PLAN_JS_B64: b64(modules["plan.js"]),
    HADB_FENCE_KUBE_JS_B64: b64(modules["kube.js"]),
    HADB_FENCE_AGENT_JS_B64: b64(modules["agent.js"]),
    HADB_FENCE_SCRIPT_B64: b64(fenceScript()),
    HADB_FENCE_CONFIG_B64: b64(`${JSON.stringify(agentConfig(settings), null, 2)}\n`),
    HADB_FENCE_ENV_B64: b64(agentEnvironment({ iqn, initiators: settings.initiators })),
  };
}
