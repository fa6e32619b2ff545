// From Pulumi's string config map to validated HadbConfig. Pulumi hands every value over as a string
// (lists and objects as JSON); each key is parsed by its declared type so errors name the key.

import { CONFIG_KEYS, CONFIG_KEY_NAMES, CONFIG_NAMESPACE, type ConfigKey } from "./keys";
import { closest } from "../shared/closest";
import type { HadbConfig } from "./types";
import { validateConfig } from "./validate";

export interface ParsedConfig {
  values: Partial<Record<ConfigKey, unknown>>;
  problems: string[];
  /** Entries of other namespaces (`aws:region`, `gcp:project`, ...): cloud settings read them. */
  providerConfig: Record<string, string>;
}

const PREFIX = `${CONFIG_NAMESPACE}:`;

function parseValue(key: ConfigKey, text: string): { value?: unknown; problem?: string } {
  const spec = CONFIG_KEYS[key];
  const fullKey = PREFIX + key;
  switch (spec.type) {
    case "string":
      return { value: text };
    case "integer":
      return /^-?\d+$/.test(text.trim())
        ? { value: Number(text.trim()) }
        : { problem: `${fullKey}: ${JSON.stringify(text)} must be an integer` };
    case "boolean":
      return text === "true" || text === "false"
        ? { value: text === "true" }
        : { problem: `${fullKey}: ${JSON.stringify(text)} must be true or false` };
    case "array":
    case "object":
      try {
        return { value: JSON.parse(text) as unknown };
      } catch {
        // A bare word for an object key (`hadb:monitoring: install`) goes to the key's reader, whose
        // message shows the object it expects; broken JSON/YAML is reported as such.
        if (spec.type === "object" && !/^\s*[[{"]/.test(text)) return { value: text };
        return {
          problem: `${fullKey}: ${JSON.stringify(text)} is not valid ${spec.type === "array" ? "list" : "structured"} config (JSON/YAML)`,
        };
      }
  }
}

/**
 * A key whose namespace is a slip of `hadb` (`hdb:storage`, `HADB:cloud`) would be silently ignored, and the
 * stack deployed with the default instead: it is an error, with the key it most likely meant.
 */
function misspeltNamespace(fullKey: string): string | undefined {
  const colon = fullKey.indexOf(":");
  if (colon < 0) return undefined;
  const namespace = fullKey.slice(0, colon);
  if (closest(namespace, [CONFIG_NAMESPACE]) === undefined) return undefined;
  const name = fullKey.slice(colon + 1);
  const meant = (CONFIG_KEY_NAMES as string[]).includes(name) ? name : closest(name, CONFIG_KEY_NAMES);
  return `${fullKey}: the namespace "${namespace}" is not "${CONFIG_NAMESPACE}", so hadb would ignore this key${meant ? ` (did you mean ${PREFIX}${meant}?)` : ""}`;
}

/** Parses `hadb:*` entries of a Pulumi config map (other namespaces, e.g. `aws:region`, are left alone). */
export function parseConfigMap(entries: Record<string, string>): ParsedConfig {
  const values: Partial<Record<ConfigKey, unknown>> = {};
  const problems: string[] = [];
  const providerConfig: Record<string, string> = {};
  for (const [fullKey, text] of Object.entries(entries)) {
    if (!fullKey.startsWith(PREFIX)) {
      const misspelt = misspeltNamespace(fullKey);
      if (misspelt !== undefined) problems.push(misspelt);
      else providerConfig[fullKey] = text;
      continue;
    }
    const name = fullKey.slice(PREFIX.length);
    if (!(CONFIG_KEY_NAMES as string[]).includes(name)) {
      const suggestion = closest(name, CONFIG_KEY_NAMES);
      problems.push(
        `${fullKey}: is not a known key${suggestion ? ` (did you mean ${PREFIX}${suggestion}?)` : ""}; known keys: ${CONFIG_KEY_NAMES.join(", ")}`,
      );
      continue;
    }
    const parsed = parseValue(name as ConfigKey, text);
    if (parsed.problem !== undefined) problems.push(parsed.problem);
    else values[name as ConfigKey] = parsed.value;
  }
  return { values, problems, providerConfig };
}

/** The whole door: Pulumi config map in, validated config out (ConfigError otherwise). */
export function configFromMap(entries: Record<string, string>): HadbConfig {
  const { values, problems, providerConfig } = parseConfigMap(entries);
  return validateConfig(values, problems, providerConfig);
}
