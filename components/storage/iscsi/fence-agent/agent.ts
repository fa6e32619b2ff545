// hadb fence agent: runs beside the iSCSI target (the lab's target VM: a systemd service installed by
// fence-agent/install.sh; the real-node tier runs it the same way next to its tgtd). Every poll it reads
// the nodes from the API server and the fences from the target, decides (plan.ts) and acts: the target
// refuses a lost node (iscsi-fence.sh), then the node gets the out-of-service taint and its database
// pods are deleted, so Kubernetes force-detaches the volume and starts the database elsewhere at once.
// A node that comes back after a reboot is let in again and untainted. Node built-ins only.
//
//   node agent.js --config /etc/hadb/fence-agent/agent.json
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { Kube } from "./kube";
import { plan, type Action, type FenceRecord, type NotReadySince, type PlanSettings } from "./plan";

export interface AgentConfig extends PlanSettings {
  /** API server URL, e.g. https://192.168.56.11:6443. */
  apiServer: string;
  caFile: string;
  tokenFile: string;
  pollSeconds: number;
  /** Namespaces whose pods on a fenced node are deleted at once (the databases'). */
  podNamespaces: string[];
  /** iscsi-fence.sh and any arguments before its own (its environment is the agent's: HADB_TARGET_IQN, ...). */
  fenceCommand: string[];
}

const log = (message: string): void => {
  process.stdout.write(`${new Date().toISOString()} ${message}\n`);
};

function fenceCommand(config: AgentConfig, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const [command = "iscsi-fence.sh", ...prefix] = config.fenceCommand;
    execFile(
      command,
      [...prefix, ...args],
      { timeout: 120_000, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${args[0] ?? ""} failed: ${stderr.trim() || error.message}`));
        else resolve(stdout.trim());
      },
    );
  });
}

async function listFences(config: AgentConfig): Promise<FenceRecord[]> {
  const out = await fenceCommand(config, ["list"]);
  return out === "" ? [] : out.split("\n").map((line) => JSON.parse(line) as FenceRecord);
}

const seconds = (since: number): string => `${((performance.now() - since) / 1000).toFixed(1)} s`;
const fenceNote = (fence: Pick<FenceRecord, "address" | "bootId">, at: string): string =>
  `fenced at the iSCSI target (${fence.address} refused) since ${at}, boot ${fence.bootId}; hadb lets it back in after a reboot`;

async function release(kube: Kube, config: AgentConfig, node: string): Promise<string[]> {
  const deleted: string[] = [];
  for (const namespace of config.podNamespaces) deleted.push(...(await kube.releasePods(namespace, node)));
  return deleted;
}

async function execute(kube: Kube, config: AgentConfig, action: Action, holds: Map<string, string>) {
  const started = performance.now();
  switch (action.kind) {
    case "fence": {
      log(
        `fencing ${action.node} (${action.address}, boot ${action.bootId}): not Ready for ${action.notReadySeconds} s`,
      );
      log(await fenceCommand(config, ["fence", action.address, action.node, action.bootId]));
      const fencedIn = seconds(started);
      await kube.setFenceTaint(action.node, fenceNote(action, new Date().toISOString()));
      const deleted = await release(kube, config, action.node);
      log(
        `fenced ${action.node}: target refused it in ${fencedIn}, tainted ${OUT_OF_SERVICE} and released ${deleted.length ? deleted.join(", ") : "no database pod"} after ${seconds(started)}`,
      );
      return;
    }
    case "taint":
      if (await kube.setFenceTaint(action.node, fenceNote(action.fence, action.fence.fencedAt)))
        log(
          `tainted ${action.node} ${OUT_OF_SERVICE} again: it is fenced at the target (${action.fence.address})`,
        );
      return;
    case "release": {
      const deleted = await release(kube, config, action.node);
      if (deleted.length > 0) log(`released ${deleted.join(", ")} from fenced ${action.node}`);
      return;
    }
    case "unfence":
      log(await fenceCommand(config, ["unfence", action.address]));
      await kube.setFenceTaint(action.node, undefined);
      log(
        `unfenced ${action.node}: it rebooted; ${action.address} allowed again, taint removed (${seconds(started)})`,
      );
      return;
    case "untaint":
      if (await kube.setFenceTaint(action.node, undefined))
        log(`removed ${OUT_OF_SERVICE} from ${action.node}: the target does not refuse it`);
      return;
    case "hold":
      if (holds.get(action.node) !== action.reason) log(`not fencing ${action.node}: ${action.reason}`);
      holds.set(action.node, action.reason);
      return;
  }
}

const OUT_OF_SERVICE = "node.kubernetes.io/out-of-service=hadb-fence:NoExecute";

export async function run(config: AgentConfig, stopping: () => boolean): Promise<void> {
  const kube = new Kube(
    config.apiServer,
    readFileSync(config.caFile, "utf8"),
    readFileSync(config.tokenFile, "utf8").trim(),
  );
  log(
    `hadb fence agent: ${config.apiServer}, initiators ${config.initiators.join(" ")}, fencing after ${config.detectionSeconds} s not Ready (poll ${config.pollSeconds} s, min ${config.minHealthyPercent}% Ready)`,
  );
  let memory: NotReadySince = {};
  const holds = new Map<string, string>();
  let lastError = "";
  while (!stopping()) {
    const started = performance.now();
    try {
      const [nodes, fences] = await Promise.all([kube.nodes(), listFences(config)]);
      const pass = plan(nodes, fences, memory, performance.now(), config);
      memory = pass.notReadySince;
      for (const node of holds.keys())
        if (!pass.actions.some((a) => a.kind === "hold" && a.node === node)) holds.delete(node);
      // In order: each action's failure is logged and retried next pass; the others still run.
      for (const action of pass.actions) {
        try {
          await execute(kube, config, action, holds);
        } catch (error) {
          log(`${action.kind} ${action.node}: ${(error as Error).message}`);
        }
      }
      lastError = "";
    } catch (error) {
      const message = (error as Error).message;
      if (message !== lastError)
        log(`cannot read the cluster or the target (retrying every poll): ${message}`);
      lastError = message;
    }
    await sleep(Math.max(0, config.pollSeconds * 1000 - (performance.now() - started)));
  }
  log("hadb fence agent stopped");
}

if (require.main === module) {
  const at = process.argv.indexOf("--config");
  const path = at > 0 ? process.argv[at + 1] : undefined;
  if (!path) {
    process.stderr.write("usage: node agent.js --config <agent.json>\n");
    process.exit(2);
  }
  let stop = false;
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => (stop = true));
  run(JSON.parse(readFileSync(path, "utf8")) as AgentConfig, () => stop).catch((error: unknown) => {
    log(`hadb fence agent failed: ${(error as Error).message}`);
    process.exit(1);
  });
}
