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
import { mysqlDeployment, mysqlNames } from "./mysql/manifests";
import { postgresFailoverBudget } from "./postgres/budget";

/** The Deployment the engine's component creates, and the name of its database container. */
function databaseDeployment(
  database: DatabaseSpec,
  config: HadbConfig,
): { deployment: unknown; container: string } {
  // Timings do not depend on the passwords; the revision annotation only needs a value.
  const options = { evictionTolerationSeconds: config.evictionTolerationSeconds, credentialsRevision: "" };
  switch (database.engine) {
    case "iris":
      return {
        deployment: irisDeployment(database, irisNames(database, config.namespace), options),
        container: "iris",
      };
    case "mysql":
      return {
        deployment: mysqlDeployment(database, mysqlNames(database, config.namespace), options),
        container: "mysql",
      };
    case "postgres":
      throw new Error("a PostgresCluster has no Deployment: its budget is postgresFailoverBudget");
  }
}

export function databaseFailoverBudget(database: DatabaseSpec, config: HadbConfig): FailureBudget[] {
  if (database.engine === "postgres") return postgresFailoverBudget(database, config);
  const { deployment, container } = databaseDeployment(database, config);
  return failoverBudget({
    database: databaseTimingsOf(
      deployment as Parameters<typeof databaseTimingsOf>[0],
      container,
      ENGINE_CATALOG[database.engine].startSecondsEstimate,
    ),
    storage: storageTimings(config.storage),
    controller: controllerTimingsFor(config.cloud, config.vagrant),
  });
}

/** Budget per database, as exported in the `failoverBudget` stack output. */
export function stackFailoverBudget(config: HadbConfig): Record<string, FailureBudget[]> {
  return Object.fromEntries(
    config.databases.map((database) => [database.name, databaseFailoverBudget(database, config)]),
  );
}

/** One line per failure: "nodeLost 122 s = 50 + 15 + ..." (printed by synth, used in docs/failover-budgets.md). */
export function formatBudget(budgets: FailureBudget[]): string[] {
  return budgets.map(
    (budget) =>
      `${budget.failure.padEnd(11)} ${String(budget.totalSeconds).padStart(4)} s = ${budget.steps.map((s) => s.seconds).join(" + ")}`,
  );
}
