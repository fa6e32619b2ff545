// Validation of a database entry's `restoreFrom`, and whether the stack's storage can read it.
import { DNS_LABEL, isRecord, Problems } from "./problems";
import type { BackupSettings, DatabaseSpec, Engine, RestoreSource, StorageBackend } from "./types";

const LONGHORN_BACKUP_URL =
  /^(s3|azblob|nfs|cifs):\/\/[^\s?]+\?(?=.*\bbackup=[\w.-]+)(?=.*\bvolume=[\w.-]+)[^\s]*$/;

export function readRestoreFrom(
  problems: Problems,
  key: string,
  value: unknown,
  engine: Engine,
): RestoreSource | undefined {
  if (value === undefined) return undefined;
  if (engine === "postgres") {
    problems.add(key, value, 'is not used by engine "postgres": PGO restores from its pgBackRest repository');
    return undefined;
  }
  if (!isRecord(value) || Object.keys(value).length !== 1) {
    problems.add(key, value, 'must be {volumeSnapshot: "<name>"} or {longhornBackup: "<backup URL>"}');
    return undefined;
  }
  if (value.volumeSnapshot !== undefined) {
    const name = problems.string(
      `${key}.volumeSnapshot`,
      value.volumeSnapshot,
      DNS_LABEL,
      "must name a VolumeSnapshot in the databases' namespace",
    );
    return name === undefined ? undefined : { kind: "volumeSnapshot", name };
  }
  if (value.longhornBackup !== undefined) {
    const url = problems.string(
      `${key}.longhornBackup`,
      value.longhornBackup,
      LONGHORN_BACKUP_URL,
      "must be a Longhorn backup URL with backup= and volume= (the Backup's status.url)",
    );
    return url === undefined ? undefined : { kind: "longhornBackup", url };
  }
  problems.add(key, value, 'must be {volumeSnapshot: "<name>"} or {longhornBackup: "<backup URL>"}');
  return undefined;
}

/** A restore source must be one the stack's storage can read. */
export function checkRestores(
  problems: Problems,
  key: string,
  databases: DatabaseSpec[],
  storage: StorageBackend,
  backups: BackupSettings,
  snapshotsServed: boolean,
): void {
  databases.forEach((database, index) => {
    const source = database.restoreFrom;
    if (!source) return;
    const entryKey = `${key}[${index}].restoreFrom`;
    if (source.kind === "longhornBackup" && storage === "longhorn") {
      if (!backups.enabled)
        problems.add(
          `${entryKey}.longhornBackup`,
          source.url,
          "needs hadb:backups.enabled with the backup's target: Longhorn restores only from its own backup target",
        );
      else if (backups.nfsTarget !== undefined && !source.url.startsWith(`nfs://${backups.nfsTarget}`))
        problems.add(
          `${entryKey}.longhornBackup`,
          source.url,
          `is not on this stack's backup target nfs://${backups.nfsTarget}: Longhorn restores only from its own target`,
        );
    }
    if (source.kind === "longhornBackup" && storage !== "longhorn")
      problems.add(
        `${entryKey}.longhornBackup`,
        source.url,
        `is a Longhorn backup, but storage is "${storage}": restore it into a longhorn stack`,
      );
    if (source.kind === "volumeSnapshot" && storage !== "iscsi" && !snapshotsServed)
      problems.add(
        `${entryKey}.volumeSnapshot`,
        source.name,
        "needs VolumeSnapshot support, which this cluster gets only with hadb:backups.enabled (hadb then installs the snapshot controller); or restore from a longhornBackup",
      );
    if (source.kind === "volumeSnapshot" && storage === "iscsi")
      problems.add(
        `${entryKey}.volumeSnapshot`,
        source.name,
        'cannot be restored onto storage "iscsi": static LUNs have no snapshots',
      );
  });
}
