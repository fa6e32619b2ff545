// Every generated block of the docs: which page, which block, how to render it.
import { renderBudgetTables } from "./budgets";
import { renderConfigKeys } from "./config-keys";
import { renderStackOutputs } from "./outputs";
import { renderRealNodesDetails, renderRealNodesSummary } from "./real-nodes";
import { renderPlaceholders, renderStackCatalog } from "./stacks";

export interface GeneratedBlock {
  page: string;
  block: string;
  render: (projectRoot: string) => string;
}

export const GENERATED_BLOCKS: GeneratedBlock[] = [
  { page: "docs/configuration.md", block: "config-keys", render: () => renderConfigKeys() },
  { page: "docs/outputs.md", block: "stack-outputs", render: () => renderStackOutputs() },
  { page: "docs/stacks.md", block: "stacks", render: renderStackCatalog },
  { page: "docs/stacks.md", block: "placeholders", render: renderPlaceholders },
  { page: "docs/failover-budgets.md", block: "failover-budget", render: renderBudgetTables },
  { page: "README.md", block: "real-nodes", render: renderRealNodesSummary },
  { page: "docs/real-nodes.md", block: "real-nodes", render: renderRealNodesDetails },
];
