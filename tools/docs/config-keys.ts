// docs/configuration.md: the table of every `hadb:` key, straight from components/config/keys.ts.
import {
  CONFIG_KEYS,
  CONFIG_KEY_NAMES,
  CONFIG_NAMESPACE,
  type ConfigKeySpec,
} from "../../components/config/keys";
import { cell } from "./blocks";

const shownDefault = (spec: ConfigKeySpec): string =>
  spec.default === "" ? "unset" : `\`${JSON.stringify(spec.default)}\``;

export function renderConfigKeys(): string {
  const rows = CONFIG_KEY_NAMES.map((name) => {
    const spec: ConfigKeySpec = CONFIG_KEYS[name];
    const type = spec.secret ? `${spec.type}, secret` : spec.type === "object" ? "structured" : spec.type;
    return `| \`${CONFIG_NAMESPACE}:${name}\` | ${type} | ${shownDefault(spec)} | ${cell(spec.description)} |`;
  });
  return ["| key | type | default | description |", "| --- | --- | --- | --- |", ...rows].join("\n");
}
