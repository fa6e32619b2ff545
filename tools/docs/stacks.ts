// docs/stacks.md: what each ready stack in stacks/ deploys (from its config and its header comment) and
// which of its values are placeholders to replace.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { configFromMap } from "../../components/config/load";
import { readStackFile } from "../synth/stackfile";
import { placeholdersOf } from "../synth/placeholders";
import { cell } from "./blocks";

export function stackNames(projectRoot: string): string[] {
  return readdirSync(join(projectRoot, "stacks"))
    .filter((file) => file.endsWith(".yaml"))
    .map((file) => file.replace(/\.yaml$/, ""))
    .sort();
}

/** The comment at the top of a stack file, without its `# <name>:` lead-in. */
export function headerComment(text: string, stack: string): string {
  const lines: string[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("#")) break;
    lines.push(line.replace(/^#\s?/, ""));
  }
  return lines
    .join(" ")
    .replace(new RegExp(`^${stack}:\\s*`), "")
    .trim();
}

export function renderStackCatalog(projectRoot: string): string {
  const rows: string[] = [];
  const descriptions: string[] = [];
  for (const stack of stackNames(projectRoot)) {
    const file = readStackFile(projectRoot, stack);
    const config = configFromMap(file.config);
    const databases = config.databases.map((database) => `${database.name} (${database.engine})`);
    const dr = config.disasterRecovery?.role ?? "-";
    rows.push(
      `| [\`${stack}\`](#${stack}) | ${config.cloud} | ${config.storage} | ${databases.join(", ") || "-"} | ${config.backups.enabled ? "yes" : "-"} | ${dr} |`,
    );
    descriptions.push(
      `- <a id="${stack}"></a>**\`${stack}\`**: ${cell(headerComment(readFileSync(file.path, "utf8"), stack))}`,
    );
  }
  return [
    "| stack | cloud | storage | databases | backups | DR |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
    ...descriptions,
  ].join("\n");
}

export function renderPlaceholders(projectRoot: string): string {
  const rows: string[] = [];
  for (const stack of stackNames(projectRoot)) {
    const document = parse(readFileSync(join(projectRoot, "stacks", `${stack}.yaml`), "utf8")) as {
      config?: Record<string, unknown>;
    };
    for (const placeholder of placeholdersOf(document.config ?? {}))
      rows.push(
        `| \`${stack}\` | \`${placeholder.key}\` | \`${cell(placeholder.value)}\` | ${cell(placeholder.replaceWith)} |`,
      );
  }
  return ["| stack | key | placeholder | replace with |", "| --- | --- | --- | --- |", ...rows].join("\n");
}
