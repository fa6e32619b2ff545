// What a DR primary publishes for its standby (stack outputs `disasterRecovery`, plain, and
// `disasterRecoverySecrets`, secret), and the pure builder of the plain part.
import type * as pulumi from "@pulumi/pulumi";
import type { DatabaseSpec, HadbConfig, StorageBackend } from "../../config/types";
import { STORAGE_CATALOG } from "../../storage/catalog";

/**
 * Stack output `disasterRecovery` of a primary: everything a standby checks and builds from. `Url` is
 * an Input while the program builds it (bucket names exist after deploy), a string as read back.
 */
export interface PrimaryDisasterRecovery<Url = string> {
  role: "primary";
  /** A backend with a DR mode (storage catalog): Portworx (PX-DR) or Longhorn (DR volumes). */
  storage: StorageBackend;
  /** Database namespace: PX-DR migrates it under the same name; Longhorn standbys mirror it. */
  namespace: string;
  /** The primary exports `kubeconfig` (PX-DR pairs the clusters with it). */
  kubeconfigExported: boolean;
  portworx?: { clusterName: string; clusterDomain: string; kvdbEndpoints: string[] };
  /**
   * Longhorn: the backup target standby volumes restore from (URL only; credentials are secret), and the
   * primary's backup schedule: a standby is as far behind as the gap between two backups (its RPO).
   */
  longhorn?: { backupTarget: Url; backupSchedule?: string };
  /** Database entries as validated on the primary (no secrets in them). */
  databases: DatabaseSpec[];
}

/** Stack output `disasterRecoverySecrets` of a primary (a Pulumi secret as a whole). */
export interface PrimaryDisasterRecoverySecrets {
  /** Longhorn: the backup target's credential Secret data (Longhorn's variable names); NFS: none. */
  backupTargetCredentials?: Record<string, string>;
  /** Every generated credential per database and role ("password", "root-password"): the data on
   *  restored volumes was written with them, so a promoted standby must use the same. */
  databaseCredentials: Record<string, Record<string, string>>;
}

/**
 * The primary's database entries as a Longhorn standby runs them: their data comes from the standby
 * volumes, never from the restore source the primary started from.
 */
export function standbyDatabases(databases: DatabaseSpec[]): DatabaseSpec[] {
  // The applications' namespaces are the primary site's: the standby cluster need not have them.
  return databases.map(({ restoreFrom: _restoreFrom, ...database }) => ({
    ...database,
    consumerNamespaces: [],
  }));
}

/** The plain part; `backupTarget` is the URL the primary's Longhorn writes to (known after deploy). */
export function primaryDisasterRecovery(
  config: HadbConfig,
  facts: { kubeconfigExported: boolean; backupTarget: pulumi.Input<string> | undefined },
): PrimaryDisasterRecovery<pulumi.Input<string>> | undefined {
  if (config.disasterRecovery?.role !== "primary") return undefined;
  if (STORAGE_CATALOG[config.storage].disasterRecovery === undefined)
    throw new Error(`disaster recovery on storage ${config.storage} passed validation`);
  const portworx = config.portworx;
  return {
    role: "primary",
    storage: config.storage,
    namespace: config.namespace,
    kubeconfigExported: facts.kubeconfigExported,
    ...(portworx?.clusterDomain !== undefined && portworx.kvdbEndpoints
      ? {
          portworx: {
            clusterName: portworx.clusterName,
            clusterDomain: portworx.clusterDomain,
            kvdbEndpoints: portworx.kvdbEndpoints,
          },
        }
      : {}),
    ...(facts.backupTarget !== undefined
      ? { longhorn: { backupTarget: facts.backupTarget, backupSchedule: config.backups.schedule } }
      : {}),
    databases: config.databases,
  };
}
