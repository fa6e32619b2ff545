// Tier 3 (real control plane): the workload steps of `npm run dr` (tools/dr/run.ts) with the real
// kubectl against a real API server and kwok-simulated nodes: stop a site's writers and wait for their
// pods to go, then start a migrated site's workloads at the replica counts Stork recorded. Stork's own
// objects (ClusterDomainUpdate, MigrationSchedule) and Longhorn's volumes are not served here: their
// steps are covered by the plan and runner unit tests only.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { MANAGED_CONTROLLER_TIMINGS } from "../../components/failover/timings";
import { MIGRATION_REPLICAS_ANNOTATION } from "../../components/protection/dr/portworx-manifests";
import {
  defaultNodes,
  kubectlPath,
  skipWithoutBinaries,
  startControlPlane,
  type ControlPlane,
} from "../../test/controlplane/cluster";
import { APPLY_ARGS, toYaml } from "../../test/controlplane/lab";
import type { DrStep } from "../../tools/dr/plan";
import { blockingSleep, kubectlWith, runPlan } from "../../tools/dr/run";

// DEVELOPERS.md: in CI a missing tool is a failure, locally a skip.
const skip = skipWithoutBinaries();

const NAMESPACE = "databases";

/** A workload as Stork leaves it on the destination: 0 replicas, the source's count in an annotation. */
function migrated(kind: "Deployment" | "StatefulSet", name: string, replicas: number) {
  const labels = { app: name };
  return {
    apiVersion: "apps/v1",
    kind,
    metadata: {
      name,
      namespace: NAMESPACE,
      annotations: { [MIGRATION_REPLICAS_ANNOTATION]: String(replicas) },
    },
    spec: {
      replicas: 0,
      selector: { matchLabels: labels },
      ...(kind === "StatefulSet" ? { serviceName: name } : {}),
      template: {
        metadata: { labels },
        spec: {
          tolerations: [{ key: "kwok.x-k8s.io/node", operator: "Exists", effect: "NoSchedule" }],
          containers: [{ name: "db", image: "registry.k8s.io/pause:3.10.1" }],
        },
      },
    },
  };
}

describe("npm run dr workload steps on a real API server", { skip }, () => {
  let cp: ControlPlane | undefined;
  const plane = (): ControlPlane => {
    assert.ok(cp, "control plane not started");
    return cp;
  };
  const run = (steps: DrStep[]) => {
    runPlan(steps, {
      // Both "sites" are this one cluster: the steps' kubectl calls are what is under test.
      kubectl: kubectlWith(
        { primary: plane().kubeconfigPath, standby: plane().kubeconfigPath },
        kubectlPath(),
      ),
      log: () => undefined,
      sleep: blockingSleep,
      now: () => Date.now(),
      timeoutMs: 60_000,
      pollMs: 500,
    });
  };
  const replicasOf = async (kind: string, name: string) =>
    Number(await plane().kubectl(["-n", NAMESPACE, "get", kind, name, "-o", "jsonpath={.spec.replicas}"]));
  const podCount = async () =>
    (await plane().kubectl(["-n", NAMESPACE, "get", "pods", "-o", "name"])).split("\n").filter(Boolean)
      .length;

  before(async () => {
    cp = await startControlPlane({
      timings: MANAGED_CONTROLLER_TIMINGS,
      name: "dr-steps",
      nodes: defaultNodes(),
    });
    await plane().kubectl(["create", "namespace", NAMESPACE]);
    const objects = [migrated("Deployment", "shop", 1), migrated("StatefulSet", "cache", 2)];
    await plane().kubectl([...APPLY_ARGS, "-f", "-"], toYaml(objects));
  });
  after(async () => {
    await cp?.stop();
  });

  it("scales every migrated workload to its recorded replicas, and its pods start", async () => {
    run([{ site: "standby", kind: "scale-from-annotation", namespace: NAMESPACE, why: "failover" }]);
    assert.equal(await replicasOf("deployment", "shop"), 1);
    assert.equal(await replicasOf("statefulset", "cache"), 2);
    await plane().kubectl(["-n", NAMESPACE, "rollout", "status", "deployment/shop", "--timeout=60s"]);
    await plane().kubectl(["-n", NAMESPACE, "rollout", "status", "statefulset/cache", "--timeout=90s"]);
    assert.equal(await podCount(), 3);
  });

  it("stops a site's writers and returns only once no pod is left", async () => {
    run([
      { site: "primary", kind: "scale-to-zero", namespace: NAMESPACE, why: "stop the source" },
      { site: "primary", kind: "wait-pods-gone", namespace: NAMESPACE, why: "no pod holds a volume" },
    ]);
    assert.equal(await replicasOf("deployment", "shop"), 0);
    assert.equal(await replicasOf("statefulset", "cache"), 0);
    assert.equal(await podCount(), 0);
  });

  it("a Longhorn activation's last step starts one writer", async () => {
    run([{ site: "standby", kind: "scale-up", namespace: NAMESPACE, deployment: "shop", why: "activated" }]);
    assert.equal(await replicasOf("deployment", "shop"), 1);
    await plane().kubectl(["-n", NAMESPACE, "rollout", "status", "deployment/shop", "--timeout=60s"]);
  });
});
