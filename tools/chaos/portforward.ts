// A `kubectl port-forward` to a database Service that survives failovers: port-forward attaches to one
// pod and exits when that pod goes away, so it is restarted on the same local port until closed.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

export function freeLocalPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("no local port"));
      });
    });
  });
}

export class ServicePortForward {
  private child: ChildProcess | undefined;
  private closed = false;

  private constructor(
    readonly localPort: number,
    private readonly args: string[],
  ) {}

  static async open(options: {
    kubeconfig: string | undefined;
    namespace: string;
    service: string;
    port: number;
  }): Promise<ServicePortForward> {
    const localPort = await freeLocalPort();
    const forward = new ServicePortForward(localPort, [
      ...(options.kubeconfig ? ["--kubeconfig", options.kubeconfig] : []),
      "-n",
      options.namespace,
      "port-forward",
      "--address",
      "127.0.0.1",
      `svc/${options.service}`,
      `${localPort}:${options.port}`,
    ]);
    forward.start();
    return forward;
  }

  private start(): void {
    if (this.closed) return;
    const child = spawn("kubectl", this.args, { stdio: "ignore" });
    this.child = child;
    // Restart after a pause: during a failover there is no Ready pod to attach to for a while.
    child.once("exit", () =>
      setTimeout(() => {
        this.start();
      }, 1000).unref(),
    );
  }

  close(): void {
    this.closed = true;
    if (this.child?.pid !== undefined) this.child.kill("SIGTERM");
  }
}
