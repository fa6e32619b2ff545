// The failover budget: every step traceable to the manifest, platform or backend (docs/failover-budgets.md
// is kept current by tests/docs.test.ts).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { configFromMap } from "../components/config/load";
import { stackFailoverBudget } from "../components/databases/budget";
import {
  controllerTimingsFor,
  databaseTimingsOf,
  failoverBudget,
  storageTimings,
  type FailureBudget,
} from "../components/failover/budget";
import { MANAGED_CONTROLLER_TIMINGS, SELF_MANAGED_CONTROLLER_TIMINGS } from "../components/failover/timings";
import { STORAGE_BACKENDS } from "../components/config/types";
import { STORAGE_CATALOG } from "../components/storage/catalog";

const total = (budgets: FailureBudget[], failure: string) =>
  budgets.find((b) => b.failure === failure)?.totalSeconds;

/** The seed article's Deployment: liveness every 10 s, no readiness probe or tolerations of its own. */
const seedLikeDeployment = {
  spec: {
    template: {
      spec: {
        containers: [
          {
            name: "iris",
            livenessProbe: { periodSeconds: 10, initialDelaySeconds: 25 },
            readinessProbe: {},
          },
        ],
      },
    },
  },
};

describe("failover budget", () => {
  const config = configFromMap({ "hadb:databases": JSON.stringify([{ engine: "iris", name: "iris" }]) });
  const [budgets] = Object.values(stackFailoverBudget(config));
  assert.ok(budgets);

  it("covers the four failures, each total the sum of its steps", () => {
    assert.deepEqual(
      budgets.map((b) => b.failure),
      ["processDies", "podDeleted", "nodeDrained", "nodeLost"],
    );
    for (const budget of budgets) {
      assert.equal(
        budget.totalSeconds,
        budget.steps.reduce((sum, s) => sum + s.seconds, 0),
      );
      for (const step of budget.steps) assert.ok(step.source.length > 0, `${step.step} has a source`);
    }
  });

  it("reads the numbers from the IRIS manifest and the stack config", () => {
    const processDies = budgets.find((b) => b.failure === "processDies");
    assert.equal(processDies?.steps[0]?.seconds, 30, "liveness 10 s × 3");
    const nodeLost = budgets.find((b) => b.failure === "nodeLost");
    assert.ok(nodeLost);
    assert.equal(
      nodeLost.steps[0]?.seconds,
      MANAGED_CONTROLLER_TIMINGS.nodeMonitorGracePeriodSeconds +
        MANAGED_CONTROLLER_TIMINGS.nodeMonitorPeriodSeconds,
    );
    assert.equal(nodeLost.steps[1]?.seconds, 15, "hadb:evictionTolerationSeconds default");
    const faster = configFromMap({
      "hadb:evictionTolerationSeconds": "5",
      "hadb:databases": JSON.stringify([{ engine: "iris", name: "iris" }]),
    });
    const fasterBudgets = stackFailoverBudget(faster).iris;
    assert.ok(fasterBudgets);
    assert.equal(total(fasterBudgets, "nodeLost"), (total(budgets, "nodeLost") ?? 0) - 10);
  });

  it("a pod without its own tolerations waits Kubernetes' 300 s (the seed's manifest)", () => {
    const timings = databaseTimingsOf(seedLikeDeployment, "iris", 30);
    assert.equal(timings.tolerationSeconds, 300);
    assert.equal(timings.terminationGracePeriodSeconds, 30);
    const seed = failoverBudget({
      database: timings,
      storage: storageTimings("longhorn"),
      controller: controllerTimingsFor("aks"),
    });
    assert.ok((total(seed, "nodeLost") ?? 0) >= 350);
    assert.ok((total(budgets, "nodeLost") ?? 0) < (total(seed, "nodeLost") ?? 0) / 2);
  });

  it("self-managed control planes detect faster; unfenced backends need the runbook's out-of-service taint", () => {
    assert.equal(controllerTimingsFor("vagrant").timings, SELF_MANAGED_CONTROLLER_TIMINGS);
    assert.equal(controllerTimingsFor("eks").timings, MANAGED_CONTROLLER_TIMINGS);
    // Measured on real nodes: Kubernetes alone never releases the volume; no 6-minute step pretends it does.
    for (const backend of ["iscsi", "rook-ceph"] as const) {
      const release = storageTimings(backend);
      assert.match(release.lostNodeReleaseStep, /out-of-service taint/);
      assert.match(release.lostNodeReleaseSource, /storageRunbook\.nodeLost/);
      assert.equal(release.lostNodeReleaseSeconds, 0);
    }
    assert.equal(storageTimings("longhorn").lostNodeReleaseStep, "volume released from the lost node");
  });

  it("waits a startup probe's period before the readiness probe's when the container has one", () => {
    const withStartup = (startupProbe?: { periodSeconds?: number }) => ({
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: "db",
                livenessProbe: {},
                readinessProbe: { periodSeconds: 5 },
                ...(startupProbe ? { startupProbe } : {}),
              },
            ],
          },
        },
      },
    });
    const ready = (deployment: unknown) =>
      failoverBudget({
        database: databaseTimingsOf(deployment as typeof seedLikeDeployment, "db", 20),
        storage: storageTimings("iscsi"),
        controller: controllerTimingsFor("vagrant"),
      })
        .find((b) => b.failure === "podDeleted")
        ?.steps.at(-1);
    assert.equal(ready(withStartup())?.seconds, 5);
    assert.equal(ready(withStartup({ periodSeconds: 5 }))?.seconds, 10);
    assert.match(ready(withStartup({}))?.source ?? "", /startupProbe/);
    assert.equal(ready(withStartup({}))?.seconds, 15, "Kubernetes' default period: 10 s");
  });

  it("the lab's iSCSI target with hadb's fence agent: no 6-minute wait, the fence before the taint", () => {
    const lab = (fencing: Record<string, unknown>) =>
      stackFailoverBudget(
        configFromMap({
          "hadb:cloud": "vagrant",
          "hadb:storage": "iscsi",
          "hadb:iscsi": JSON.stringify({ target: "vagrant" }),
          "hadb:evictionTolerationSeconds": "10",
          "hadb:fencing": JSON.stringify(fencing),
          "hadb:databases": JSON.stringify([{ engine: "mysql", name: "mysql" }]),
        }),
      ).mysql ?? [];
    const fenced = lab({}).find((b) => b.failure === "nodeLost");
    const unfenced = lab({ mode: "off" }).find((b) => b.failure === "nodeLost");
    assert.ok(fenced && unfenced);
    // The target: vagrant-iscsi-mysql recovers from a lost node within 90 s, with nobody's help;
    // without fencing someone has to apply the runbook (Kubernetes alone never releases the LUN).
    assert.ok(fenced.totalSeconds <= 90, `${fenced.totalSeconds} s`);
    assert.ok(unfenced.steps.some((s) => /\(runbook\)/.test(s.step)));
    assert.ok(!fenced.steps.some((s) => /runbook/.test(s.step + s.source)));
    // Not bounded without that step, and said so; the fenced timeline needs nobody.
    assert.match(unfenced.waitsFor ?? "", /out-of-service taint .* not back until the node returns/);
    assert.equal(fenced.waitsFor, undefined);
    const names = fenced.steps.map((s) => s.step);
    const at = (prefix: string) => names.findIndex((n) => n.startsWith(prefix));
    assert.ok(at("fence agent") > at("node marked unreachable"));
    assert.ok(at("storage fence") > at("fence agent"));
    assert.ok(at("out-of-service taint") > at("storage fence"), names.join(" | "));
    assert.equal(fenced.steps[at("fence agent")]?.seconds, 10 + 1, "default detection + the agent's poll");
    // The detection time is the stack's own.
    const slower = lab({ detectionSeconds: 40 }).find((b) => b.failure === "nodeLost");
    assert.equal(slower?.totalSeconds, fenced.totalSeconds + 30);
  });

  it("a backend that fences itself releases a lost node's volume by itself; one that does not waits for someone", () => {
    for (const backend of STORAGE_BACKENDS) {
      const { failover, fencing } = STORAGE_CATALOG[backend];
      const fencesItself = fencing.itself !== undefined;
      assert.equal(failover.lostNodeReleaseByOperator, !fencesItself, backend);
      // Every backend hadb cannot always fence says why (the message of hadb:fencing's validation).
      assert.equal(fencing.unavailable !== undefined, !fencesItself, backend);
    }
  });

  it("refuses a database without probes", () => {
    const noProbes = { spec: { template: { spec: { containers: [{ name: "iris" }] } } } };
    assert.throws(() => databaseTimingsOf(noProbes, "iris", 30), /needs liveness and readiness probes/);
  });
});
