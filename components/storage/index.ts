import type * as pulumi from "@pulumi/pulumi";
import type { ClusterHandle } from "../cluster/handle";
import type { HadbConfig } from "../config/types";
import type { NodePrepHandle } from "../nodeprep/component";
import type { StorageHandle } from "./handle";
import { IscsiStorage } from "./iscsi/component";
import type { LonghornBackupTarget } from "./longhorn/backup-target";
import { Longhorn } from "./longhorn/component";
import { Portworx } from "./portworx/component";
import { RookCeph } from "./rook-ceph/component";
import type { IscsiTargetHandle } from "../cluster/handle";

export type { StorageHandle } from "./handle";

/** The storage layer selected by `hadb:storage`. Validation has already rejected backends not supported yet. */
export function createStorage(
  name: string,
  config: HadbConfig,
  cluster: ClusterHandle,
  nodePrep: NodePrepHandle,
  /** Longhorn: where backups go (a DR standby: where the primary's backups are read from). */
  backupTarget: LonghornBackupTarget | undefined,
  opts?: pulumi.ComponentResourceOptions,
): StorageHandle {
  switch (config.storage) {
    case "longhorn":
      return new Longhorn(
        name,
        {
          cluster,
          nodePrep,
          replicas: config.storageReplicas,
          restores: Object.fromEntries(
            config.databases.flatMap((database) =>
              database.restoreFrom?.kind === "longhornBackup"
                ? [[database.name, database.restoreFrom.url]]
                : [],
            ),
          ),
          ...(backupTarget ? { backupTarget } : {}),
        },
        opts,
      ).handle;
    case "iscsi":
      return new IscsiStorage(
        name,
        {
          cluster,
          nodePrep,
          target: iscsiTargetFor(config, cluster),
          databases: config.databases,
          databaseNamespace: config.namespace,
          fencing: config.fencing,
        },
        opts,
      ).handle;
    case "rook-ceph":
      return new RookCeph(name, { cluster, nodePrep, replicas: config.storageReplicas }, opts).handle;
    case "portworx": {
      if (!config.portworx) throw new Error("storage portworx without validated hadb:portworx settings");
      return new Portworx(
        name,
        { cluster, nodePrep, replicas: config.storageReplicas, settings: config.portworx },
        opts,
      ).handle;
    }
  }
}

/** The lab's target VM (from the cluster handle) or the external target described in config. */
function iscsiTargetFor(config: HadbConfig, cluster: ClusterHandle): IscsiTargetHandle {
  const target = config.iscsi?.target;
  if (target?.kind === "external") {
    return {
      portal: target.portal,
      iqn: target.iqn,
      lunByDatabase: config.iscsi?.lunByDatabase ?? {},
      chapUser: target.chapUser,
      chapPassword: target.chapPassword,
      // External targets: session CHAP always; discovery CHAP is not assumed.
      discoveryChap: false,
      ready: [],
    };
  }
  if (!cluster.iscsiTarget)
    throw new Error('storage "iscsi" with target "vagrant" needs the Vagrant lab cluster');
  return cluster.iscsiTarget;
}
