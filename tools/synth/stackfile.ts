// Reads a stack configuration file (the `Pulumi.<stack>.yaml` format) into the config map the Pulumi
// CLI would hand the program: every value a string, structured values as JSON.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { parse } from "yaml";
import { closest } from "../../components/shared/closest";
import { placeholdersOf, type Placeholder } from "./placeholders";

export interface StackFile {
  stack: string;
  path: string;
  config: Record<string, string>;
  secretKeys: string[];
  /** Values standing in for the user's own (a project, a host, a secret): replace before deploying. */
  placeholders: Placeholder[];
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

/** A stack name or file the user gave that cannot be read: one message, no stack trace. */
export class StackFileError extends Error {
  override name = "StackFileError";
}

/** Stacks a name can refer to: the ready ones in stacks/ and the user's Pulumi.<stack>.yaml files. */
export function availableStacks(projectRoot: string): { ready: string[]; own: string[] } {
  const names = (directory: string, pattern: RegExp): string[] =>
    existsSync(directory)
      ? readdirSync(directory)
          .map((file) => pattern.exec(file)?.[1])
          .filter((name): name is string => name !== undefined)
          .sort()
      : [];
  return {
    ready: names(join(projectRoot, "stacks"), /^(.+)\.yaml$/),
    own: names(projectRoot, /^Pulumi\.(.+)\.yaml$/),
  };
}

const stackOfPath = (path: string): string =>
  basename(path)
    .replace(/^Pulumi\./, "")
    .replace(/\.ya?ml$/, "");

/**
 * What a user may name: a stack of stacks/ (`dev`), a stack created next to Pulumi.yaml (`prod-orders` ->
 * Pulumi.prod-orders.yaml), or a path to a stack file (relative to where npm was run, else the project).
 */
export function resolveStackFile(
  projectRoot: string,
  stackOrPath: string,
  cwd: string = process.env.INIT_CWD ?? process.cwd(),
): { stack: string; path: string } {
  if (stackOrPath.includes("/") || /\.ya?ml$/.test(stackOrPath)) {
    const candidates = [resolve(cwd, stackOrPath), resolve(projectRoot, stackOrPath)];
    const path = candidates.find((candidate) => existsSync(candidate));
    if (path === undefined) throw new StackFileError(`stack file not found: ${candidates[0] ?? stackOrPath}`);
    return { stack: stackOfPath(path), path };
  }
  const candidates = [
    join(projectRoot, "stacks", `${stackOrPath}.yaml`),
    join(projectRoot, `Pulumi.${stackOrPath}.yaml`),
  ];
  const path = candidates.find((candidate) => existsSync(candidate));
  if (path !== undefined) return { stack: stackOrPath, path };
  const { ready, own } = availableStacks(projectRoot);
  const suggestion = closest(stackOrPath, [...ready, ...own]);
  throw new StackFileError(
    [
      `stack file not found: no ${relative(projectRoot, candidates[0] ?? "")} nor ${relative(projectRoot, candidates[1] ?? "")}` +
        (suggestion ? ` (did you mean ${suggestion}?)` : ""),
      `ready stacks (stacks/): ${ready.join(", ") || "none"}`,
      `your stacks (Pulumi.<stack>.yaml): ${own.join(", ") || "none"}`,
    ].join("\n"),
  );
}

export function readStackFile(projectRoot: string, stackOrPath: string): StackFile {
  const { stack, path } = resolveStackFile(projectRoot, stackOrPath);
  let document: { config?: Record<string, unknown> } | null;
  try {
    document = parse(readFileSync(path, "utf8")) as { config?: Record<string, unknown> } | null;
  } catch (error) {
    throw new StackFileError(
      `${path}: not a stack file: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (document !== null && (typeof document !== "object" || Array.isArray(document)))
    throw new StackFileError(`${path}: not a stack file: expected a mapping with a config: block`);
  const config = document?.config ?? {};
  return { stack, path, ...configMapFromValues(config), placeholders: placeholdersOf(config) };
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
