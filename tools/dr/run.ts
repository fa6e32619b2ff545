// Runs a disaster-recovery plan with kubectl against each site's kubeconfig. Every wait has a deadline
// and every failure stops the run with the step that failed (later steps never run after one failed).
import { spawnSync } from "node:child_process";
import {
  clusterDomainUpdate,
  MIGRATION_REPLICAS_ANNOTATION,
} from "../../components/protection/dr/portworx-manifests";
import { LONGHORN_NAMESPACE } from "../../components/storage/longhorn/chart";
import { describeStep, type DrStep, type Site } from "./plan";

/** kubectl against one site; returns stdout, throws with stderr on a non-zero exit. */
export type Kubectl = (site: Site, args: string[], input?: string) => string;

export interface RunContext {
  kubectl: Kubectl;
  log: (line: string) => void;
  /** Waits between polls (tests pass a no-op). */
  sleep: (ms: number) => void;
  now: () => number;
  timeoutMs: number;
  pollMs: number;
}

export function kubectlWith(kubeconfigs: Partial<Record<Site, string>>, binary = "kubectl"): Kubectl {
  return (site, args, input) => {
    const kubeconfig = kubeconfigs[site];
    if (kubeconfig === undefined)
      throw new Error(`no kubeconfig for the ${site} site: pass --${site}-kubeconfig <file>`);
    const result = spawnSync(binary, ["--kubeconfig", kubeconfig, ...args], {
      encoding: "utf8",
      ...(input !== undefined ? { input } : {}),
    });
    if (result.error) throw new Error(`kubectl could not run: ${result.error.message}`);
    if (result.status !== 0)
      throw new Error(
        `kubectl ${args.join(" ")} on ${site} failed (${result.status}): ${result.stderr.trim()}`,
      );
    return result.stdout;
  };
}

export const blockingSleep = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

export function runPlan(steps: DrStep[], context: RunContext): void {
  steps.forEach((step, index) => {
    context.log(describeStep(step, index));
    runStep(step, context);
  });
  context.log(`done: ${steps.length} steps`);
}

function waitFor(context: RunContext, what: string, check: () => boolean): void {
  const deadline = context.now() + context.timeoutMs;
  while (!check()) {
    if (context.now() >= deadline)
      throw new Error(`timed out after ${context.timeoutMs / 1000} s waiting for ${what}`);
    context.sleep(context.pollMs);
  }
}

const MIGRATION_SCHEDULES = "migrationschedules.stork.libopenstorage.org";

function runStep(step: DrStep, context: RunContext): void {
  const kubectl = (args: string[], input?: string) => context.kubectl(step.site, args, input);
  switch (step.kind) {
    case "suspend-schedule":
      kubectl([
        "-n",
        step.namespace,
        "patch",
        MIGRATION_SCHEDULES,
        step.schedule,
        "--type",
        "merge",
        "-p",
        JSON.stringify({ spec: { suspend: step.suspend } }),
      ]);
      return;
    case "scale-to-zero":
      kubectl(["-n", step.namespace, "scale", "deployment,statefulset", "--all", "--replicas=0"]);
      return;
    case "wait-pods-gone":
      waitFor(
        context,
        `the pods in ${step.namespace} to stop`,
        () => kubectl(["-n", step.namespace, "get", "pods", "-o", "name"]).trim() === "",
      );
      return;
    case "set-domain": {
      const name = `hadb-${step.active ? "activate" : "deactivate"}-${step.domain}-${context.now()}`;
      kubectl(["apply", "-f", "-"], JSON.stringify(clusterDomainUpdate(name, step.domain, step.active)));
      waitFor(context, `ClusterDomainUpdate ${name}`, () => {
        const status = kubectl([
          "get",
          "clusterdomainupdates.stork.libopenstorage.org",
          name,
          "-o",
          "jsonpath={.status.status}",
        ]).trim();
        if (status === "Failed")
          throw new Error(`Stork could not ${step.active ? "activate" : "deactivate"} domain ${step.domain}`);
        return status === "Successful";
      });
      return;
    }
    case "scale-from-annotation": {
      const list = JSON.parse(
        kubectl(["-n", step.namespace, "get", "deployment,statefulset", "-o", "json"]),
      ) as { items: { kind: string; metadata: { name: string; annotations?: Record<string, string> } }[] };
      const migrated = list.items.filter(
        (item) => item.metadata.annotations?.[MIGRATION_REPLICAS_ANNOTATION] !== undefined,
      );
      if (migrated.length === 0)
        throw new Error(
          `no Deployment or StatefulSet in ${step.namespace} carries ${MIGRATION_REPLICAS_ANNOTATION}: has a migration reached this site?`,
        );
      for (const item of migrated) {
        const replicas = item.metadata.annotations?.[MIGRATION_REPLICAS_ANNOTATION] ?? "";
        if (!/^\d+$/.test(replicas))
          throw new Error(
            `${item.kind} ${item.metadata.name}: ${MIGRATION_REPLICAS_ANNOTATION} is ${JSON.stringify(replicas)}`,
          );
        kubectl([
          "-n",
          step.namespace,
          "scale",
          `${item.kind.toLowerCase()}/${item.metadata.name}`,
          `--replicas=${replicas}`,
        ]);
      }
      return;
    }
    case "wait-migration": {
      const since = context.now();
      waitFor(context, `a migration of ${step.schedule}`, () => {
        const schedule = JSON.parse(
          kubectl(["-n", step.namespace, "get", MIGRATION_SCHEDULES, step.schedule, "-o", "json"]),
        ) as {
          status?: { items?: Record<string, MigrationRun[]> };
        };
        return migrationDone(Object.values(schedule.status?.items ?? {}).flat(), since, step);
      });
      return;
    }
    case "activate-volume":
      // Longhorn's documented kubectl activation: it restores the newest backup, then goes live.
      kubectl([
        "-n",
        LONGHORN_NAMESPACE,
        "patch",
        "volumes.longhorn.io",
        step.volume,
        "--type",
        "json",
        "-p",
        JSON.stringify([
          { op: "replace", path: "/spec/Standby", value: false },
          { op: "replace", path: "/spec/frontend", value: "blockdev" },
        ]),
      ]);
      waitFor(
        context,
        `volume ${step.volume} to leave standby`,
        () =>
          kubectl([
            "-n",
            LONGHORN_NAMESPACE,
            "get",
            "volumes.longhorn.io",
            step.volume,
            "-o",
            "jsonpath={.status.isStandby}",
          ]).trim() === "false",
      );
      return;
    case "scale-up":
      kubectl(["-n", step.namespace, "scale", `deployment/${step.deployment}`, "--replicas=1"]);
      return;
  }
}

/** One run of a Stork MigrationSchedule (status.items[policy][]). */
interface MigrationRun {
  name?: string;
  status?: string;
  finishTimestamp?: string;
}

/**
 * Whether the newest migration finished since `since` completed. Stork's final states are Successful,
 * Failed and PartialSuccess (some volumes or resources were not migrated): only a complete copy lets
 * the plan go on; the other two stop it.
 */
export function migrationDone(
  runs: MigrationRun[],
  since: number,
  step: { namespace: string; schedule: string },
): boolean {
  const newest = runs
    .filter((run) => run.finishTimestamp !== undefined && Date.parse(run.finishTimestamp) >= since)
    .sort((a, b) => Date.parse(b.finishTimestamp ?? "") - Date.parse(a.finishTimestamp ?? ""))[0];
  const inspect = `kubectl -n ${step.namespace} get migrations.stork.libopenstorage.org ${newest?.name ?? ""} -o yaml`;
  switch (newest?.status) {
    case "Successful":
      return true;
    case "Failed":
      throw new Error(`migration ${newest.name ?? ""} of ${step.schedule} failed (${inspect})`);
    case "PartialSuccess":
      throw new Error(
        `migration ${newest.name ?? ""} of ${step.schedule} ended PartialSuccess: Stork did not migrate every volume or resource, ` +
          `so the other site's copy is incomplete and the plan stops here (${inspect} lists which; fix them, then run the action again)`,
      );
    case undefined: // no run finished since `since` yet
    default: // still running (Stork's other states)
      return false;
  }
}
