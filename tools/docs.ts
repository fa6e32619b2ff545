// npm run docs [-- --check]: regenerates the generated blocks of docs/ and README (config keys, stack catalog
// and placeholders, failover budgets; the real-node measurements from docs/real-nodes.json) from the code
// and stacks/. --check changes nothing and exits 1 when a
// page is stale (tests/docs.test.ts checks the same).
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { wantsHelp } from "./cli";
import { replaceBlock } from "./docs/blocks";
import { GENERATED_BLOCKS } from "./docs/pages";

const USAGE = "usage: npm run docs [-- --check]";

/** Pages whose generated blocks differ from what the code renders now: page -> new text. */
export function regeneratedPages(projectRoot: string): Map<string, { before: string; after: string }> {
  const pages = new Map<string, { before: string; after: string }>();
  for (const { page, block, render } of GENERATED_BLOCKS) {
    const current = pages.get(page) ?? {
      before: readFileSync(join(projectRoot, page), "utf8"),
      after: readFileSync(join(projectRoot, page), "utf8"),
    };
    current.after = replaceBlock(current.after, block, render(projectRoot), page);
    pages.set(page, current);
  }
  return pages;
}

function main(args: string[]): number {
  if (wantsHelp(args)) {
    console.log(
      `${USAGE}\nRegenerates the generated blocks of ${[...new Set(GENERATED_BLOCKS.map((b) => b.page))].join(", ")}.`,
    );
    return 0;
  }
  const unknown = args.filter((arg) => arg !== "--check");
  if (unknown.length > 0) {
    console.error(`unknown argument: ${unknown.join(" ")}\n${USAGE}`);
    return 2;
  }
  const root = resolve(__dirname, "..");
  const stale: string[] = [];
  for (const [page, { before, after }] of regeneratedPages(root)) {
    if (before === after) continue;
    stale.push(page);
    if (!args.includes("--check")) writeFileSync(join(root, page), after);
  }
  if (args.includes("--check")) {
    if (stale.length > 0) console.error(`stale (run npm run docs): ${stale.join(", ")}`);
    return stale.length > 0 ? 1 : 0;
  }
  console.log(stale.length > 0 ? `regenerated ${stale.join(", ")}` : "docs are current");
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
