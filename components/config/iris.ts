// Validation of a database entry's `iris` settings: memory and extra CPF keys.
import { IRIS_DEFAULT_GMHEAP_KB, IRIS_GLOBAL_BUFFER_SHARE } from "../databases/catalog";
import { isRecord, oneOf, Problems } from "./problems";
import { MEBIBYTE } from "./quantity";
import type { IrisSettings } from "./types";

/** CPF keys hadb manages itself; setting them through `cpfConfig` would fight the generated merge file. */
const MANAGED_CPF_KEYS = ["globals", "gmheap"];
const CPF_KEY = /^[A-Za-z][A-Za-z0-9]*$/;
const IRIS_KEYS = ["globalBuffersMB", "gmheapKB", "cpfConfig"];

export function readIris(
  problems: Problems,
  key: string,
  value: unknown,
  memoryLimitBytes: number,
): IrisSettings {
  const defaults: IrisSettings = {
    globalBuffersMB: Math.max(64, Math.floor((memoryLimitBytes * IRIS_GLOBAL_BUFFER_SHARE) / MEBIBYTE)),
    gmheapKB: IRIS_DEFAULT_GMHEAP_KB,
    cpfConfig: {},
  };
  if (value === undefined) return defaults;
  if (!isRecord(value)) {
    problems.add(key, value, `must be an object with ${oneOf(IRIS_KEYS)}`);
    return defaults;
  }
  problems.unknownKeys(key, value, IRIS_KEYS);
  const limitMB = Math.floor(memoryLimitBytes / MEBIBYTE);
  const globalBuffersMB =
    value.globalBuffersMB === undefined
      ? defaults.globalBuffersMB
      : problems.integer(
          `${key}.globalBuffersMB`,
          value.globalBuffersMB,
          16,
          Math.max(16, Math.floor(limitMB * 0.8)),
          0,
        );
  const gmheapKB =
    value.gmheapKB === undefined
      ? defaults.gmheapKB
      : problems.integer(`${key}.gmheapKB`, value.gmheapKB, 16384, 1073741760, 0);

  const cpfConfig: Record<string, string> = {};
  const cpf = value.cpfConfig ?? {};
  if (!isRecord(cpf)) {
    problems.add(`${key}.cpfConfig`, cpf, "must be a map of [config] keys to values");
  } else {
    for (const [name, setting] of Object.entries(cpf)) {
      const settingKey = `${key}.cpfConfig.${name}`;
      if (!CPF_KEY.test(name))
        problems.add(settingKey, setting, "has an invalid CPF key name (letters and digits only)");
      else if (MANAGED_CPF_KEYS.includes(name.toLowerCase())) {
        problems.add(settingKey, setting, `is managed by hadb: use ${key}.globalBuffersMB / gmheapKB`);
      } else if (
        (typeof setting !== "string" && typeof setting !== "number") ||
        /[\r\n[\]]/.test(String(setting))
      ) {
        problems.add(settingKey, setting, "must be a single-line string or number (no newlines or brackets)");
      } else cpfConfig[name] = String(setting);
    }
  }
  return { globalBuffersMB, gmheapKB, cpfConfig };
}
