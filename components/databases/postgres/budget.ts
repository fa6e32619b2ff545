// Failover budget of a PGO PostgresCluster. Its pods are StatefulSet pods with Patroni: timings come
// from PGO's Patroni defaults, and two facts differ from hadb's Deployments:
// - with 2+ instances Patroni promotes a streaming replica once the leader lease expires;
// - a StatefulSet pod on a lost node is never replaced until something deletes it: Longhorn does
//   (nodeDownPodDeletionPolicy), hadb's fence agent does on the lab's iSCSI target, other backends need
//   the out-of-service taint (storageRunbook).
import type { DatabaseSpec, HadbConfig } from "../../config/types";
import { agentFencingTimings } from "../../failover/fencing";
import {
  controllerTimingsFor,
  failoverBudget,
  storageTimings,
  type BudgetStep,
  type FailureBudget,
} from "../../failover/budget";
import { STORAGE_CATALOG } from "../../storage/catalog";
import { ENGINE_CATALOG } from "../catalog";
import { PATRONI_DEFAULTS } from "./manifests";

const PATRONI_SOURCE = "PGO Patroni default (spec.patroni)";

export function postgresFailoverBudget(database: DatabaseSpec, config: HadbConfig): FailureBudget[] {
  const { syncPeriodSeconds, leaderLeaseDurationSeconds } = PATRONI_DEFAULTS;
  const startSeconds = ENGINE_CATALOG.postgres.startSecondsEstimate;
  const single = failoverBudget({
    database: {
      // PGO probes Patroni every sync period, failing after 3 misses.
      liveness: { periodSeconds: syncPeriodSeconds, failureThreshold: 3 },
      readiness: { periodSeconds: syncPeriodSeconds, failureThreshold: 3 },
      // PGO leaves the grace period at the Kubernetes default.
      terminationGracePeriodSeconds: 30,
      tolerationSeconds: config.evictionTolerationSeconds,
      startSeconds,
    },
    storage: storageTimings(config.storage),
    controller: controllerTimingsFor(config.cloud, config.vagrant),
    // The agent deletes the lost node's pods, StatefulSet pods included.
    fencing: agentFencingTimings(config.fencing),
  });
  const ready: BudgetStep = {
    step: "readiness probe passes",
    seconds: syncPeriodSeconds,
    source: `${PATRONI_SOURCE}: probe period = syncPeriodSeconds`,
  };
  const processDies: BudgetStep[] = [
    {
      step: "Patroni notices PostgreSQL stopped",
      seconds: syncPeriodSeconds,
      source: `${PATRONI_SOURCE}: loop wait`,
    },
    {
      step: "Patroni restarts PostgreSQL (crash recovery)",
      seconds: startSeconds,
      source: "engine estimate (engine catalog)",
    },
    ready,
  ];
  const promotion: BudgetStep[] = [
    {
      step: "leader lease expires",
      seconds: leaderLeaseDurationSeconds,
      source: `${PATRONI_SOURCE}: leaderLeaseDurationSeconds`,
    },
    {
      step: "a streaming replica is promoted",
      seconds: syncPeriodSeconds,
      source: `${PATRONI_SOURCE}: next loop`,
    },
    ready,
  ];
  const replicated = (database.postgres?.instances ?? 1) > 1;
  return single.map((budget) => {
    let steps = budget.steps;
    if (budget.failure === "processDies") steps = processDies;
    else if (replicated) steps = promotion;
    else if (
      budget.failure === "nodeLost" &&
      !STORAGE_CATALOG[config.storage].failover.deletesLostNodePods &&
      config.fencing.by !== "target-agent"
    ) {
      steps = steps.map((step) =>
        step.step === "volume released from the lost node"
          ? {
              step: "out-of-service taint applied: the StatefulSet pod is deleted and the volume detached",
              seconds: 0,
              source:
                "operator action (storageRunbook.nodeLost); without it recovery waits for the node to return",
            }
          : step,
      );
    }
    return {
      failure: budget.failure,
      steps,
      totalSeconds: steps.reduce((sum, step) => sum + step.seconds, 0),
    };
  });
}
