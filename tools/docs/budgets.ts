// docs/failover-budgets.md: the worst-case failover timeline of every database of every ready stack.
import { configFromMap } from "../../components/config/load";
import { stackFailoverBudget } from "../../components/databases/budget";
import { readStackFile } from "../synth/stackfile";
import { stackNames } from "./stacks";

const FAILURE_TITLES: Record<string, string> = {
  processDies: "DB process dies",
  podDeleted: "pod deleted",
  nodeDrained: "node drained",
  nodeLost: "node lost",
};

export function renderBudgetTables(projectRoot: string): string {
  const sections: string[] = [];
  for (const stack of stackNames(projectRoot)) {
    const config = configFromMap(readStackFile(projectRoot, stack).config);
    for (const [database, budgets] of Object.entries(stackFailoverBudget(config))) {
      sections.push(`**${stack}** / \`${database}\` (${config.cloud}, ${config.storage}):`, "");
      sections.push("| failure | worst case | timeline (seconds) |", "| --- | --- | --- |");
      for (const budget of budgets) {
        const timeline = budget.steps.map((step) => `${step.step} ${step.seconds}`).join(" + ");
        sections.push(
          `| ${FAILURE_TITLES[budget.failure] ?? budget.failure} | ${budget.waitsFor ? `${budget.totalSeconds} s after your taint; unbounded without it` : `${budget.totalSeconds} s`} | ${timeline} |`,
        );
      }
      sections.push("");
    }
  }
  return sections.join("\n").trimEnd();
}
