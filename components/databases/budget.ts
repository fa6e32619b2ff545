// The failover budget of each configured database, computed from the same manifest builders that
// create its resources (so the budget cannot drift from what is deployed).
import {
  controllerTimingsFor,
  databaseTimingsOf,
  failoverBudget,
  storageTimings,
  type FailureBudget,
} from "../failover/budget";
import type { DatabaseSpec, HadbConfig } from "../config/types";
import { ENGINE_CATALOG } from "./catalog";
import { irisDeployment, irisNames } from "./iris/manifests";

export function databaseFailoverBudget(database: DatabaseSpec, config: HadbConfig): FailureBudget[] {
  switch (database.engine) {
    case "iris": {
      const deployment = irisDeployment(database, irisNames(database, config.namespace), {
        evictionTolerationSeconds: config.evictionTolerationSeconds,
      });
      return failoverBudget({
        database: databaseTimingsOf(deployment, "iris", ENGINE_CATALOG.iris.startSecondsEstimate),
        storage: storageTimings(config.storage),
        controller: controllerTimingsFor(config.cloud),
      });
    }
    case "mysql":
    case "postgres":
      throw new Error(`no failover budget for engine "${database.engine}" yet`);
  }
}

/** Budget per database, as exported in the `failoverBudget` stack output. */
export function stackFailoverBudget(config: HadbConfig): Record<string, FailureBudget[]> {
  return Object.fromEntries(
    config.databases.map((database) => [database.name, databaseFailoverBudget(database, config)]),
  );
}

/** One line per failure: "nodeLost 122 s = 50 + 15 + ..." (printed by synth, used in README). */
export function formatBudget(budgets: FailureBudget[]): string[] {
  return budgets.map(
    (budget) =>
      `${budget.failure.padEnd(11)} ${String(budget.totalSeconds).padStart(4)} s = ${budget.steps.map((s) => s.seconds).join(" + ")}`,
  );
}
