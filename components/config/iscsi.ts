// Validation of `hadb:iscsi` (storage iscsi): where the LUNs come from and which database gets which.
import { isRecord, Problems } from "./problems";
import type { Cloud, DatabaseSpec, IscsiSettings, IscsiTarget } from "./types";

/** iSCSI qualified names (RFC 3720 3.2.6.3): iqn.YYYY-MM.reversed.domain[:anything], eui.<16 hex>, naa.<16|32 hex>. */
export const IQN =
  /^(iqn\.\d{4}-(0[1-9]|1[0-2])\.[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[^\s]+)?|eui\.[0-9A-Fa-f]{16}|naa\.([0-9A-Fa-f]{16}|[0-9A-Fa-f]{32}))$/;
const HOST =
  /^([0-9]{1,3}(\.[0-9]{1,3}){3}|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)$/;
/** RFC 3720 recommends CHAP secrets of at least 12 bytes; some initiators stop at 16. */
export const MIN_CHAP_SECRET = 12;
/** The lab target numbers LUNs from 1 (tgt keeps LUN 0 for its controller). */
export const VAGRANT_FIRST_LUN = 1;
export const VAGRANT_TARGET_IQN = "iqn.2026-11.io.hadb.lab:databases";

export function isPortal(text: string): boolean {
  const match = /^(.+?)(?::(\d{1,5}))?$/.exec(text);
  if (!match) return false;
  const [, host = "", port] = match;
  const octetsOk = !/^[0-9.]+$/.test(host) || host.split(".").every((octet) => Number(octet) <= 255);
  return HOST.test(host) && octetsOk && (port === undefined || (Number(port) >= 1 && Number(port) <= 65535));
}

export function readIscsi(
  problems: Problems,
  key: string,
  value: unknown,
  context: { cloud: Cloud; databases: DatabaseSpec[]; chapPassword: string | undefined },
): IscsiSettings | undefined {
  const targetKey = `${key}.target`;
  const expected =
    '"vagrant" (a target VM in the lab) or {portal, iqn, luns, chapUser} of an external target';
  if (!isRecord(value) || value.target === undefined) {
    problems.add(
      targetKey,
      isRecord(value) ? value.target : value,
      `is required for storage "iscsi": ${expected}`,
    );
    return undefined;
  }
  problems.unknownKeys(key, value, ["target"]);
  const raw = value.target;
  let target: IscsiTarget | undefined;
  let luns: number[] = [];
  if (raw === "vagrant") {
    if (context.cloud !== "vagrant") {
      problems.add(
        targetKey,
        raw,
        `needs cloud "vagrant" (cloud is "${context.cloud}"); describe an external target instead`,
      );
    }
    target = { kind: "vagrant" };
    luns = context.databases.map((_, index) => VAGRANT_FIRST_LUN + index);
  } else if (isRecord(raw)) {
    problems.unknownKeys(targetKey, raw, ["portal", "iqn", "luns", "chapUser"]);
    const portal = typeof raw.portal === "string" && isPortal(raw.portal) ? raw.portal : undefined;
    if (!portal)
      problems.add(
        `${targetKey}.portal`,
        raw.portal,
        'must be host or host:port of the target portal, e.g. "10.0.0.5:3260"',
      );
    const iqn = typeof raw.iqn === "string" && IQN.test(raw.iqn) ? raw.iqn : undefined;
    if (!iqn)
      problems.add(
        `${targetKey}.iqn`,
        raw.iqn,
        'must be an iSCSI qualified name, e.g. "iqn.2026-01.com.example:storage.db"',
      );
    if (
      !Array.isArray(raw.luns) ||
      raw.luns.some((lun) => !Number.isInteger(lun) || (lun as number) < 0 || (lun as number) > 16383)
    ) {
      problems.add(
        `${targetKey}.luns`,
        raw.luns,
        "must be a list of LUN numbers (0-16383), one per database",
      );
    } else {
      luns = raw.luns as number[];
      const repeated = luns.filter((lun, index) => luns.indexOf(lun) !== index);
      if (repeated.length > 0) {
        problems.add(
          `${targetKey}.luns`,
          luns,
          `must be distinct: a LUN shared by two databases would have two writers (repeated: ${repeated.join(", ")})`,
        );
      }
    }
    const chapUser =
      typeof raw.chapUser === "string" && raw.chapUser.trim() !== "" ? raw.chapUser : undefined;
    if (!chapUser)
      problems.add(
        `${targetKey}.chapUser`,
        raw.chapUser,
        "is required: hadb only logs in to targets with CHAP",
      );
    const chapPassword = context.chapPassword;
    if (chapPassword === undefined || chapPassword.length < MIN_CHAP_SECRET) {
      problems.add(
        "hadb:iscsiChapPassword",
        chapPassword === undefined ? undefined : "(set)",
        `must be set as a secret of at least ${MIN_CHAP_SECRET} characters for an external target (pulumi config set --secret hadb:iscsiChapPassword ...)`,
      );
    }
    if (portal && iqn && chapUser && chapPassword) {
      target = { kind: "external", portal, iqn, luns, chapUser, chapPassword };
    }
  } else {
    problems.add(targetKey, raw, `is not allowed; allowed: ${expected}`);
  }
  if (luns.length < context.databases.length) {
    problems.add(
      `${targetKey}.luns`,
      luns,
      `has ${luns.length} LUNs for ${context.databases.length} databases: each database needs its own LUN`,
    );
  }
  if (!target) return undefined;
  return {
    target,
    lunByDatabase: Object.fromEntries(
      context.databases.map((database, index) => [database.name, luns[index] ?? -1]),
    ),
  };
}
