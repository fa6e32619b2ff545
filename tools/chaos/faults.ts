// Faults on a real cluster: the database process is stopped with the engine's own command through
// `kubectl exec` (as the seed did with `iris stop`); a node is made to vanish by the user's command,
// because only the platform (VM manager, cloud API) can power a machine off.
import { spawn } from "node:child_process";
import type { FaultInjector } from "../../test/controlplane/experiments";
import { stopProcessCommand } from "./plan";
import type { Engine } from "./writer";

function runCommand(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `${command} ${args.slice(0, 6).join(" ")} failed (${code}): ${stderr.trim().slice(0, 300)}`,
          ),
        );
    });
  });
}

export function realClusterFaults(options: {
  kubeconfig: string | undefined;
  engine: Engine;
  container: string;
  nodeLossCommand: string | undefined;
}): FaultInjector {
  const kubectl = options.kubeconfig ? ["--kubeconfig", options.kubeconfig] : [];
  return {
    async stopProcess(_api, namespace, pod) {
      // Stopping the engine exits the container's main process; the kubelet restarts the container.
      await runCommand("kubectl", [
        ...kubectl,
        "-n",
        namespace,
        "exec",
        pod.name,
        "-c",
        options.container,
        "--",
        ...stopProcessCommand(options.engine),
      ]).catch((error: unknown) => {
        // The exec session dies with the container it stopped; only a refusal before that is a failure.
        if (!/exit code 137|terminated|connection|EOF|exit code 143/i.test(String(error))) throw error;
      });
    },
    async loseNode(_api, node) {
      if (!options.nodeLossCommand) throw new Error("nodeLost needs --node-loss-command");
      await runCommand("bash", ["-c", options.nodeLossCommand], { ...process.env, NODE: node });
    },
  };
}
