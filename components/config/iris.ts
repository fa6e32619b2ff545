// Validation of a database entry's `iris` settings: memory, extra CPF keys, and the application's
// namespace and user (accounts.ts).
import { IRIS_DEFAULT_GMHEAP_KB, IRIS_GLOBAL_BUFFER_SHARE } from "../databases/catalog";
import { isRecord, oneOf, Problems } from "./problems";
import { MEBIBYTE } from "./quantity";
import type { IrisSettings } from "./types";
import { APP_ACCOUNT, IRIS_APP_NAMESPACE, reservedDatabaseReason, reservedUserReason } from "./accounts";

/** CPF keys hadb manages itself; setting them through `cpfConfig` would fight the generated merge file. */
const MANAGED_CPF_KEYS = ["globals", "gmheap"];
const CPF_KEY = /^[A-Za-z][A-Za-z0-9]*$/;
const IRIS_KEYS = ["globalBuffersMB", "gmheapKB", "cpfConfig", "namespace", "user"];

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
    namespace: IRIS_APP_NAMESPACE,
    user: APP_ACCOUNT,
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
  return { globalBuffersMB, gmheapKB, cpfConfig, ...readIrisAccount(problems, key, value, defaults) };
}

/** The IRIS application namespace and user (`iris.namespace`, `iris.user`). */
function readIrisAccount(
  problems: Problems,
  key: string,
  value: Record<string, unknown>,
  defaults: IrisSettings,
): Pick<IrisSettings, "namespace" | "user"> {
  const namespace =
    value.namespace === undefined
      ? defaults.namespace
      : problems.string(
          `${key}.namespace`,
          value.namespace,
          /^[A-Za-z][A-Za-z0-9]{0,30}$/,
          "must be an IRIS namespace name: letters and digits, at most 31, starting with a letter",
        );
  const user =
    value.user === undefined
      ? defaults.user
      : problems.string(
          `${key}.user`,
          value.user,
          /^[a-z][a-z0-9_]{0,31}$/,
          "must be an IRIS username: lowercase letters, digits and _, at most 32, starting with a letter",
        );
  const namespaceProblem = namespace === undefined ? undefined : reservedDatabaseReason("iris", namespace);
  if (namespaceProblem !== undefined) problems.add(`${key}.namespace`, namespace, namespaceProblem);
  const userProblem = user === undefined ? undefined : reservedUserReason("iris", user);
  if (userProblem !== undefined) problems.add(`${key}.user`, user, userProblem);
  return { namespace: (namespace ?? defaults.namespace).toUpperCase(), user: user ?? defaults.user };
}
