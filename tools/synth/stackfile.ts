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

/** A kubeconfig-shaped placeholder (the program reads the API address out of kubeconfigs). */
export function placeholderKubeconfig(cluster: string): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    `current-context: ${cluster}`,
    `clusters: [{name: ${cluster}, cluster: {server: "https://${cluster}.api.example:443"}}]`,
    `contexts: [{name: ${cluster}, context: {cluster: ${cluster}, user: ${cluster}}}]`,
    `users: [{name: ${cluster}, user: {token: "<unknown until deploy: token of ${cluster}>"}}]`,
    "",
  ].join("\n");
}

/** Secure values the program parses get a placeholder of the right shape. */
const SHAPED_PLACEHOLDERS: Record<string, string> = {
  "hadb:kubeconfig": placeholderKubeconfig("encrypted-in-stack-file"),
};

/** A StackReference name ("org/project/stack") -> the stack, whose file is stacks/<stack>.yaml offline. */
export function referencedStack(reference: string): string {
  return reference.split("/").pop() ?? reference;
}

/** Where a stack file's DR standby reads its primary: the StackReference name, else undefined. */
export function primaryStackOf(config: Record<string, string>): string | undefined {
  const text = config["hadb:disasterRecovery"];
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as { primaryStack?: unknown };
    return typeof value.primaryStack === "string" ? value.primaryStack : undefined;
  } catch {
    return undefined;
  }
}

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
      config[key] = SHAPED_PLACEHOLDERS[key] ?? ENCRYPTED_PLACEHOLDER;
      secretKeys.push(key);
    } else {
      config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  return { config, secretKeys };
}
