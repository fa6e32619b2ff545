// The failover budget of each configured database, computed from the same manifest builders that
// create its resources (so the budget cannot drift from what is deployed).
import type { FailureBudget } from "../failover/budget";
import type { DatabaseSpec, HadbConfig } from "../config/types";
import { ENGINE_BUILDERS } from "./engines";

export function databaseFailoverBudget(database: DatabaseSpec, config: HadbConfig): FailureBudget[] {
  return ENGINE_BUILDERS[database.engine].failoverBudget(database, config);
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
      `${budget.failure.padEnd(11)} ${String(budget.totalSeconds).padStart(4)} s = ${budget.steps.map((s) => s.seconds).join(" + ")}${budget.waitsFor ? ` (waits for ${budget.waitsFor})` : ""}`,
  );
}
