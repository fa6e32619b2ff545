// A DR standby, per disaster-recovery mode: which databases it runs, what it reads from the primary's
// backups, and the DR objects it creates once its storage exists. One entry per mode
// (Record<DisasterRecoveryMode, ...>), chosen once from the primary's storage backend.
import * as pulumi from "@pulumi/pulumi";
import type { ClusterHandle } from "../../cluster/handle";
import { DEFAULT_DR_INTERVAL_MINUTES } from "../../config/disaster-recovery";
import type { DatabaseSpec, HadbConfig } from "../../config/types";
import type { DatabasesSite } from "../../databases/component";
import { STORAGE_CATALOG, type DisasterRecoveryMode } from "../../storage/catalog";
import type { StorageHandle } from "../../storage/handle";
import type { LonghornBackupTarget } from "../../storage/longhorn/backup-target";
import { PORTWORX_NAMESPACE } from "../../storage/portworx/manifests";
import type { MonitoringInputs } from "../../monitoring/plan";
import { standbyVolumes } from "./longhorn-standby";
import { LonghornStandbyVolumes, type LonghornStandbySummary } from "./longhorn-component";
import { PortworxDisasterRecovery, type PortworxDisasterRecoverySummary } from "./portworx-component";
import { standbyDatabases } from "./primary";
import type { PrimarySite } from "./reference";

export type StandbySummary = PortworxDisasterRecoverySummary | LonghornStandbySummary;

/** What a site's monitoring watches: its databases, where its objects live, which DR lag. */
export interface SiteMonitoring {
  databases: DatabaseSpec[];
  /** Default: the database namespace. */
  objectNamespace?: string;
  disasterRecovery?: MonitoringInputs["disasterRecovery"];
}

interface StandbyMode {
  /** The database entries the standby runs (its own config leaves hadb:databases unset). */
  databases: (config: HadbConfig, primary: PrimarySite) => DatabaseSpec[];
  /** Creates the DR objects once the standby's storage exists; says how its databases run. */
  build: (
    config: HadbConfig,
    cluster: ClusterHandle,
    storage: StorageHandle,
    primary: PrimarySite,
  ) => { databases: DatabasesSite; summary: StandbySummary; monitoring: SiteMonitoring };
}

const STANDBY_MODES: Record<DisasterRecoveryMode, StandbyMode> = {
  // Stork migrates the namespace and its objects (at 0 replicas): hadb creates no databases here.
  "px-dr": {
    databases: (config) => config.databases,
    build: (config, cluster, storage, primary) => ({
      databases: { kind: "stork" },
      summary: portworxStandby(config, cluster, storage, primary).summary,
      // Nothing runs here until Stork brings the primary's databases (and their namespace): monitors,
      // rules and the dashboard live in the Portworx namespace, watching the pair's members.
      monitoring: {
        databases: [],
        objectNamespace: PORTWORX_NAMESPACE,
        disasterRecovery: {
          kind: "px-dr",
          intervalMinutes: config.disasterRecovery?.intervalMinutes ?? DEFAULT_DR_INTERVAL_MINUTES,
        },
      },
    }),
  },
  // The primary's databases at 0 replicas, with its credentials, on volumes following its backups.
  "longhorn-dr-volumes": {
    databases: (_config, primary) => standbyDatabases(primary.info.databases),
    build: (config, cluster, storage, primary) => {
      const volumes = new LonghornStandbyVolumes("dr-standby-volumes", {
        cluster,
        storage,
        primary,
        intervalMinutes: config.disasterRecovery?.intervalMinutes ?? DEFAULT_DR_INTERVAL_MINUTES,
      });
      return {
        databases: {
          kind: "standby",
          storage: volumes.storage,
          inheritedCredentials: primary.secrets.apply((secrets) => secrets.databaseCredentials),
        },
        summary: volumes.summary,
        monitoring: { databases: config.databases, ...standbyLagWatch(config, primary) },
      };
    },
  },
};

/** This stack as the standby of `primary`, in the DR mode of the primary's storage backend. */
export interface StandbySite {
  primary: PrimarySite;
  mode: StandbyMode;
}

export function standbySite(primary: PrimarySite): StandbySite {
  const mode = STORAGE_CATALOG[primary.info.storage].disasterRecovery;
  if (mode === undefined) throw new Error(`a DR primary on storage ${primary.info.storage} passed pairing`);
  return { primary, mode: STANDBY_MODES[mode] };
}

/** A Longhorn standby reads the primary's target with the primary's credentials (none for NFS). */
export function standbyBackupTarget(primary: PrimarySite): LonghornBackupTarget | undefined {
  const url = primary.info.longhorn?.backupTarget;
  if (url === undefined) return undefined;
  return url.startsWith("nfs://")
    ? { url }
    : {
        url,
        credentials: pulumi.secret(
          primary.secrets.apply((secrets) => {
            if (!secrets.backupTargetCredentials)
              throw new Error(`the DR primary ${primary.stack} publishes no credentials for ${url}`);
            return secrets.backupTargetCredentials;
          }),
        ),
      };
}

function portworxStandby(
  config: HadbConfig,
  cluster: ClusterHandle,
  storage: StorageHandle,
  primary: PrimarySite,
): PortworxDisasterRecovery {
  const standbyDomain = config.portworx?.clusterDomain;
  const primaryDomain = primary.info.portworx?.clusterDomain;
  if (!cluster.kubeconfig || standbyDomain === undefined || primaryDomain === undefined)
    throw new Error("PX-DR standby without kubeconfig or cluster domains passed validation");
  return new PortworxDisasterRecovery("px-dr", {
    cluster,
    kubeconfig: cluster.kubeconfig,
    kubeContext: config.kubeContext,
    storage,
    primary,
    domains: { primary: primaryDomain, standby: standbyDomain },
    intervalMinutes: config.disasterRecovery?.intervalMinutes ?? DEFAULT_DR_INTERVAL_MINUTES,
  });
}

/** A Longhorn standby's volumes lag the primary's backups (no rule while the primary publishes no schedule). */
function standbyLagWatch(config: HadbConfig, primary: PrimarySite): Pick<SiteMonitoring, "disasterRecovery"> {
  const schedule = primary.info.longhorn?.backupSchedule;
  if (schedule === undefined) return {};
  return {
    disasterRecovery: {
      kind: "longhorn-standby",
      primaryBackupSchedule: schedule,
      volumes: Object.fromEntries(
        standbyVolumes(config.databases, config.namespace, config.storageReplicas).map((v) => [
          v.database,
          v.volume,
        ]),
      ),
    },
  };
}
