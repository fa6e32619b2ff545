// Validation of `hadb:backups`: schedules, retention and where off-cluster copies go.
import { ENGINE_CATALOG } from "../databases/catalog";
import { STORAGE_CATALOG } from "../storage/catalog";
import { cronProblem } from "./cron";
import { isRecord, Problems } from "./problems";
import {
  MANAGED_CLOUDS,
  type BackupSettings,
  type Cloud,
  type DatabaseSpec,
  type StorageBackend,
} from "./types";

export const BACKUP_DEFAULTS: BackupSettings = {
  enabled: false,
  // Every 6 hours, kept 3 weeks (within Longhorn's 100 kept per recurring job); hourly local
  // snapshots, kept a day.
  schedule: "0 */6 * * *",
  retain: 84,
  snapshotSchedule: "0 * * * *",
  snapshotRetain: 24,
};
const BACKUP_KEYS = ["enabled", "schedule", "retain", "snapshotSchedule", "snapshotRetain", "target"];
const NFS_EXPORT = /^[A-Za-z0-9.-]+:\/[A-Za-z0-9._/-]*$/;

export function readBackups(
  problems: Problems,
  key: string,
  value: unknown,
  context: { cloud: Cloud; storage: StorageBackend; databases: DatabaseSpec[] },
): BackupSettings {
  const { cloud, storage, databases } = context;
  if (!isRecord(value)) {
    problems.add(key, value, 'must be an object like {enabled: true, schedule: "0 */6 * * *", retain: 84}');
    return BACKUP_DEFAULTS;
  }
  problems.unknownKeys(key, value, BACKUP_KEYS);
  const settings: BackupSettings = { ...BACKUP_DEFAULTS };
  const enabled = value.enabled ?? false;
  if (typeof enabled !== "boolean") problems.add(`${key}.enabled`, enabled, "must be true or false");
  else settings.enabled = enabled;
  for (const field of ["schedule", "snapshotSchedule"] as const) {
    const cron = value[field];
    if (cron === undefined) continue;
    const problem = typeof cron === "string" ? cronProblem(cron) : "must be a cron string";
    if (problem !== undefined) problems.add(`${key}.${field}`, cron, problem);
    else settings[field] = cron as string;
  }
  for (const field of ["retain", "snapshotRetain"] as const) {
    const count = value[field];
    if (count === undefined) continue;
    const limit = STORAGE_CATALOG[storage].retainLimit;
    if (limit && typeof count === "number" && Number.isInteger(count) && count > limit.max)
      problems.add(
        `${key}.${field}`,
        count,
        `must be an integer from 1 to ${limit.max} on storage "${storage}": ${limit.reason}; keep fewer or take them less often`,
      );
    else settings[field] = problems.integer(`${key}.${field}`, count, 1, 1000, BACKUP_DEFAULTS[field]);
  }
  const managed = (MANAGED_CLOUDS as readonly string[]).includes(cloud);
  if (value.target !== undefined) {
    const target = value.target;
    if (managed) {
      problems.add(
        `${key}.target`,
        target,
        `only applies to clusters hadb has no object store for: on "${cloud}" hadb creates the bucket itself`,
      );
    } else if (!isRecord(target) || typeof target.nfs !== "string" || !NFS_EXPORT.test(target.nfs)) {
      problems.add(
        `${key}.target`,
        target,
        'must be {nfs: "server:/export"}, an NFS export outside the cluster',
      );
    } else settings.nfsTarget = target.nfs;
  }
  if (!settings.enabled) return settings;
  if (!managed && settings.nfsTarget === undefined) {
    problems.add(
      `${key}.target`,
      value.target,
      `is required when backups are enabled on cloud "${cloud}" (hadb creates object stores on aks | eks | gke only): give {nfs: "server:/export"}`,
    );
  }
  if (storage === "iscsi") {
    problems.add(
      `${key}.enabled`,
      settings.enabled,
      'cannot protect storage "iscsi": static LUNs have no snapshots here; snapshot the LUNs on the target instead',
    );
  }
  if (
    settings.nfsTarget !== undefined &&
    databases.some((database) => ENGINE_CATALOG[database.engine].consistency === "pgbackrest")
  )
    problems.add(
      `${key}.target`,
      value.target,
      "cannot hold pgBackRest repositories (they need object storage): PostgreSQL backups need a cloud stack",
    );
  return settings;
}
