import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterHandle } from "../../cluster/handle";
import { LONGHORN_NAMESPACE } from "../../storage/longhorn/chart";
import type { StorageHandle } from "../../storage/handle";
import {
  STANDBY_JOB,
  standbyJob,
  standbyJobRole,
  standbyPersistentVolume,
  standbyVolumes,
  standbyVolumesFile,
  standbyVolumesScript,
  STANDBY_SCRIPT,
} from "./longhorn-standby";
import type { PrimarySite } from "./reference";

export interface LonghornStandbyArgs {
  cluster: ClusterHandle;
  /** The standby's Longhorn, reading the primary's backup target. */
  storage: StorageHandle;
  primary: PrimarySite;
  intervalMinutes: number;
}

export interface LonghornStandbySummary {
  mode: "longhorn-dr-volumes";
  /** Database namespace (the same on both sites). */
  namespace: string;
  backupTarget: string;
  /** Standby volume per database. */
  volumes: Record<string, string>;
  reconcileEveryMinutes: number;
}

/**
 * Longhorn DR volumes from the standby's side: a reconciler CronJob that creates one standby volume
 * per primary database from its newest backup (Longhorn then follows every newer backup), and the
 * static PersistentVolumes the standby's databases (at 0 replicas) bind to after activation.
 */
export class LonghornStandbyVolumes extends pulumi.ComponentResource {
  /** The storage handle the standby's databases use: claims bind to the standby volumes' PVs. */
  readonly storage: StorageHandle;
  readonly summary: LonghornStandbySummary;

  constructor(name: string, args: LonghornStandbyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hadb:protection:LonghornStandbyVolumes", name, {}, opts);
    const childOpts = { parent: this, provider: args.cluster.provider, dependsOn: args.storage.ready };
    const { info } = args.primary;
    const volumes = standbyVolumes(info.databases, info.namespace, args.storage.replicaCount);
    const metadata = { name: STANDBY_JOB, namespace: LONGHORN_NAMESPACE };
    new k8s.core.v1.ServiceAccount(`${name}-account`, { metadata }, childOpts);
    new k8s.rbac.v1.Role(`${name}-role`, standbyJobRole(LONGHORN_NAMESPACE), childOpts);
    new k8s.rbac.v1.RoleBinding(
      `${name}-binding`,
      {
        metadata,
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: STANDBY_JOB },
        subjects: [{ kind: "ServiceAccount", ...metadata }],
      },
      childOpts,
    );
    new k8s.core.v1.ConfigMap(
      `${name}-script`,
      { metadata, data: { [STANDBY_SCRIPT]: standbyVolumesScript(), volumes: standbyVolumesFile(volumes) } },
      childOpts,
    );
    new k8s.batch.v1.CronJob(
      `${name}-reconciler`,
      standbyJob(LONGHORN_NAMESPACE, args.intervalMinutes),
      childOpts,
    );
    const persistentVolumes = volumes.map((volume) => {
      const database = info.databases.find((entry) => entry.name === volume.database);
      return new k8s.core.v1.PersistentVolume(
        `${name}-${volume.database}`,
        standbyPersistentVolume(volume, args.storage.storageClassName, database?.volumeSize ?? "0"),
        childOpts,
      );
    });
    const volumeByDatabase = Object.fromEntries(volumes.map((volume) => [volume.database, volume.volume]));
    this.storage = {
      ...args.storage,
      ready: [...args.storage.ready, ...persistentVolumes],
      volumeNameFor: (database) => {
        const volume = volumeByDatabase[database];
        if (volume === undefined) throw new Error(`no standby volume for database ${database}`);
        return volume;
      },
    };
    this.summary = {
      mode: "longhorn-dr-volumes",
      namespace: info.namespace,
      backupTarget: info.longhorn?.backupTarget ?? "",
      volumes: volumeByDatabase,
      reconcileEveryMinutes: args.intervalMinutes,
    };
    this.registerOutputs({ ...this.summary });
  }
}
