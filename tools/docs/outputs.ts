// docs/outputs.md: every stack output, from components/outputs/catalog.ts (typed against the program's
// outputs, so none ships undocumented).
import {
  DATABASE_CONNECTION_KEYS,
  DATABASE_OUTPUT_KEYS,
  STACK_OUTPUTS,
} from "../../components/outputs/catalog";
import { cell } from "./blocks";

export function renderStackOutputs(): string {
  const rows = Object.entries(STACK_OUTPUTS).map(
    ([key, spec]) =>
      `| \`${key}\` | ${spec.secret ? "yes" : "no"} | ${cell(spec.description)} | ${spec.nullWhen ? cell(spec.nullWhen) : "never"} |`,
  );
  return [
    "| output | secret | what | null when |",
    "| --- | --- | --- | --- |",
    ...rows,
    "",
    `Keys of every \`databases\` entry: ${DATABASE_OUTPUT_KEYS.map((key) => `\`${key}\``).join(", ")}.`,
    `Keys of every \`databaseConnections\` entry: ${DATABASE_CONNECTION_KEYS.map((key) => `\`${key}\``).join(", ")}.`,
  ].join("\n");
}
