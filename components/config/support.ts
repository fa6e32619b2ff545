// Values the config accepts as valid but this release cannot deploy yet. Each maps to the planned work
// that lands it, so the error tells the user what is coming instead of silently doing nothing.
// Landing a feature = deleting its line here (tests then require a stack in stacks/ that uses it).

import type { Cloud, Engine, StorageBackend } from "./types";

export const NOT_SUPPORTED_YET: {
  cloud: Partial<Record<Cloud, string>>;
  storage: Partial<Record<StorageBackend, string>>;
  engine: Partial<Record<Engine, string>>;
} = {
  cloud: {},
  storage: {},
  engine: {},
};

export function supportedNow<T extends string>(all: readonly T[], pending: Partial<Record<T, string>>): T[] {
  return all.filter((value) => pending[value] === undefined);
}
