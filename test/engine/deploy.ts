// One stack deployed by the real engine to a real control plane: stack init with the stack file's
// config (plus the loopback chart mirror), and the checks every stack gets after `pulumi up`.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { configFromMap } from "../../components/config/load";
import { MANAGED_CONTROLLER_TIMINGS } from "../../components/failover/timings";
import { PROJECT_ROOT, startControlPlane, type ControlPlane } from "../controlplane/cluster";
import { serveChartRepository, type ChartRepository } from "./chart-repo";
import { clusterMonitoringCrdFiles, standInCrds } from "./crds";
import { startProvisioner } from "./provisioner";
import { createWorkspace, type Workspace } from "./workspace";

/** The namespace of a stack's databases (hadb:namespace, validated as the program does). */
export function stackNamespace(stack: string): string {
  const entries = Object.entries(stackFileConfig(stack)).map(([k, v]): [string, string] => [
    k,
    typeof v === "string" ? v : JSON.stringify(v),
  ]);
  return configFromMap(Object.fromEntries(entries)).namespace;
}

/** The stack file's `config:` (stacks/<name>.yaml), as written there. */
export function stackFileConfig(stack: string): Record<string, unknown> {
  const file = parse(readFileSync(join(PROJECT_ROOT, "stacks", `${stack}.yaml`), "utf8")) as {
    config?: Record<string, unknown>;
  };
  return file.config ?? {};
}

export interface StackSite {
  /** Pulumi stack name in the workspace's backend (the stack file's name). */
  stack: string;
  cp: ControlPlane;
  /** Extra config over the stack file's (e.g. the chart mirror, a DR primary's name on this backend). */
  config: Record<string, unknown>;
  /** Set hadb:kubeconfig (secret) to the control plane's kubeconfig instead of the ambient KUBECONFIG. */
  kubeconfigAsConfig: boolean;
}

/** Fails with the engine's own output when a pulumi command fails. */
export async function pulumiOk(
  ws: Workspace,
  site: StackSite,
  args: string[],
  input?: string,
): Promise<{ stdout: string; ms: number }> {
  const result = await ws.pulumi([...args, "--stack", site.stack], {
    kubeconfig: site.cp.kubeconfigPath,
    input,
  });
  if (result.code !== 0) {
    // The engine's Diagnostics section says why; the outputs after it would hide it.
    const diagnostics = result.stdout.indexOf("Diagnostics:");
    const shown =
      diagnostics >= 0 ? result.stdout.slice(diagnostics, diagnostics + 8000) : result.stdout.slice(-8000);
    throw new Error(
      `pulumi ${args.join(" ")} (${site.stack}) exited ${result.code}\n${shown}\n${result.stderr.slice(-3000)}`,
    );
  }
  return { stdout: result.stdout, ms: result.ms };
}

export async function initStack(ws: Workspace, site: StackSite): Promise<void> {
  const created = await ws.pulumi(["stack", "init", site.stack, "--secrets-provider", "passphrase"], {});
  if (created.code !== 0) throw new Error(`pulumi stack init ${site.stack}: ${created.stderr}`);
  ws.writeStackConfig(site.stack, { ...stackFileConfig(site.stack), ...site.config });
  if (site.kubeconfigAsConfig)
    await pulumiOk(
      ws,
      site,
      ["config", "set", "--secret", "hadb:kubeconfig"],
      readFileSync(site.cp.kubeconfigPath, "utf8"),
    );
}

export interface DeploymentStatus {
  name: string;
  namespace: string;
  replicas: number;
  available: boolean;
}

export async function deployments(cp: ControlPlane, namespace: string): Promise<DeploymentStatus[]> {
  const list = JSON.parse(await cp.kubectl(["get", "deployments", "-n", namespace, "-o", "json"])) as {
    items: {
      metadata: { name: string };
      spec: { replicas?: number };
      status?: { conditions?: { type: string; status: string }[] };
    }[];
  };
  return list.items.map((d) => ({
    name: d.metadata.name,
    namespace,
    replicas: d.spec.replicas ?? 1,
    available: d.status?.conditions?.some((c) => c.type === "Available" && c.status === "True") ?? false,
  }));
}

/** Every file of the backend (the state the engine wrote), for scanning. */
export function backendFiles(dir: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push({ path, text: readFileSync(path, "latin1") });
    }
  };
  walk(dir);
  return out;
}

/** The outputs table (docs/outputs.md): output name -> whether it is secret, and whether it may be null. */
export function readmeOutputs(): Map<string, { secret: boolean; nullable: boolean }> {
  const page = readFileSync(join(PROJECT_ROOT, "docs", "outputs.md"), "utf8");
  // | `name` | secret | what | null when |
  const rows = [...page.matchAll(/^\| `([A-Za-z]+)` +\| (yes|no) +\|[^|\n]*\|([^|\n]*)\|/gm)];
  return new Map(
    rows.map((m) => [m[1] ?? "", { secret: m[2] === "yes", nullable: (m[3] ?? "").trim() !== "never" }]),
  );
}

/** Resources in the exported state, by type. */
export function stateResources(exported: string): { type: string; urn: string; retainOnDelete?: boolean }[] {
  const state = JSON.parse(exported) as {
    deployment?: { resources?: { type: string; urn: string; retainOnDelete?: boolean }[] };
  };
  return state.deployment?.resources ?? [];
}

/** A stack on its own fresh control plane, with the stand-in provisioner and chart mirror. */
export interface SiteUnderTest {
  cp: ControlPlane;
  ws: Workspace;
  site: StackSite;
  stop(): Promise<void>;
}

export async function startSite(
  stack: string,
  options: {
    ws?: Workspace;
    config?: Record<string, unknown>;
    kubeconfigAsConfig?: boolean;
    /** The control plane in a network namespace of its own, on a routable address (a DR site). */
    ownNetworkNamespace?: boolean;
  } = {},
): Promise<SiteUnderTest> {
  const cp = await startControlPlane({
    timings: MANAGED_CONTROLLER_TIMINGS,
    name: `engine-${stack}`,
    ownNetworkNamespace: options.ownNetworkNamespace ?? false,
  });
  const provisioner = startProvisioner(cp);
  const ownWorkspace = options.ws === undefined;
  const ws = options.ws ?? createWorkspace(stack);
  let charts: ChartRepository | undefined;
  try {
    charts = await serveChartRepository(join(ws.dir, `charts-${stack}`), standInCrds);
    for (const file of clusterMonitoringCrdFiles({ ...stackFileConfig(stack), ...options.config }))
      await cp.kubectl(["apply", "--server-side", "-f", file]);
    const site: StackSite = {
      stack,
      cp,
      config: { "hadb:chartRepository": charts.url, ...options.config },
      kubeconfigAsConfig: options.kubeconfigAsConfig ?? false,
    };
    await initStack(ws, site);
    const repo = charts;
    return {
      cp,
      ws,
      site,
      async stop() {
        await provisioner.stop();
        await repo.stop();
        await cp.stop();
        if (ownWorkspace) ws.remove();
      },
    };
  } catch (error) {
    await provisioner.stop();
    await charts?.stop();
    await cp.stop();
    if (ownWorkspace) ws.remove();
    throw error;
  }
}
