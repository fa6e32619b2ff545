// Collecting config problems with uniform wording: "<key>: <bad value> <what is allowed>".
import { supportedNow } from "./support";
import { parseQuantity } from "./quantity";
import { closest } from "../shared/closest";

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid hadb stack configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** A Kubernetes object name that is also a DNS label (RFC 1123). */
export const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

export const show = (value: unknown): string => (value === undefined ? "(unset)" : JSON.stringify(value));
export const oneOf = (values: readonly string[]): string => values.join(" | ");
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export const isEmptyObject = (value: unknown): boolean => isRecord(value) && Object.keys(value).length === 0;

/** Collects problems with uniform wording; each reader returns a usable fallback so checking goes on. */
export class Problems {
  readonly list: string[] = [];

  add(key: string, value: unknown, expected: string): void {
    this.list.push(`${key}: ${show(value)} ${expected}`);
  }

  unknownKeys(key: string, value: Record<string, unknown>, allowed: readonly string[]): void {
    for (const name of Object.keys(value)) {
      if (allowed.includes(name)) continue;
      const meant = closest(name, allowed);
      this.add(
        `${key}.${name}`,
        value[name],
        `is not a known key${meant ? ` (did you mean ${meant}?)` : ""}; allowed: ${oneOf(allowed)}`,
      );
    }
  }

  choice<T extends string>(
    key: string,
    value: unknown,
    all: readonly T[],
    pending: Partial<Record<T, string>>,
    fallback: T,
  ): T {
    if (typeof value !== "string" || !(all as readonly string[]).includes(value)) {
      this.add(key, value, `is not allowed; allowed: ${oneOf(all)}`);
      return fallback;
    }
    const planned = pending[value as T];
    if (planned !== undefined) {
      this.add(
        key,
        value,
        `is not supported yet (planned with ${planned}); supported now: ${oneOf(supportedNow(all, pending))}`,
      );
    }
    return value as T;
  }

  integer(key: string, value: unknown, min: number, max: number, fallback: number): number {
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      this.add(key, value, `must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return value;
  }

  string(key: string, value: unknown, pattern: RegExp, expected: string): string | undefined {
    if (typeof value !== "string" || !pattern.test(value)) {
      this.add(key, value, expected);
      return undefined;
    }
    return value;
  }

  quantity(key: string, value: unknown, kind: "memory" | "cpu" | "storage"): number {
    const parsed = typeof value === "string" ? parseQuantity(value) : undefined;
    if (parsed === undefined || parsed <= 0) {
      const example = kind === "cpu" ? '"500m" or "2"' : '"512Mi" or "10Gi"';
      this.add(key, value, `must be a positive Kubernetes quantity string, e.g. ${example}`);
      return 0;
    }
    return parsed;
  }
}
