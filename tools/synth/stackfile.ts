// Reads a stack configuration file (the `Pulumi.<stack>.yaml` format) into the config map the Pulumi
// CLI would hand the program: every value a string, structured values as JSON.

import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parse } from "yaml";

export interface StackFile {
  stack: string;
  path: string;
  config: Record<string, string>;
  secretKeys: string[];
}

/** Placeholder for `secure:` values: they are encrypted per stack and cannot be read offline. */
export const ENCRYPTED_PLACEHOLDER = "<encrypted in stack file>";

/** `dev` -> stacks/dev.yaml; anything with a slash or .yaml ending is taken as a path. */
export function resolveStackFile(projectRoot: string, stackOrPath: string): { stack: string; path: string } {
  if (stackOrPath.includes("/") || stackOrPath.endsWith(".yaml")) {
    return {
      stack: basename(stackOrPath)
        .replace(/^Pulumi\./, "")
        .replace(/\.yaml$/, ""),
      path: stackOrPath,
    };
  }
  return { stack: stackOrPath, path: join(projectRoot, "stacks", `${stackOrPath}.yaml`) };
}

export function readStackFile(projectRoot: string, stackOrPath: string): StackFile {
  const { stack, path } = resolveStackFile(projectRoot, stackOrPath);
  if (!existsSync(path)) throw new Error(`stack file not found: ${path}`);
  const document = parse(readFileSync(path, "utf8")) as { config?: Record<string, unknown> } | null;
  return { stack, path, ...configMapFromValues(document?.config ?? {}) };
}

/** YAML config values -> the CLI's string map (structured values as JSON; `secure:` values are secret keys). */
export function configMapFromValues(values: Record<string, unknown>): {
  config: Record<string, string>;
  secretKeys: string[];
} {
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (value !== null && typeof value === "object" && "secure" in value) {
      config[key] = ENCRYPTED_PLACEHOLDER;
      secretKeys.push(key);
    } else {
      config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  return { config, secretKeys };
}
