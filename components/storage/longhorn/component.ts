import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ReplicatedStorageArgs, StorageHandle } from "../handle";
import { pinnedRelease } from "../../shared/helm";
import { storageNamespace } from "../namespace";
import { BACKUP_CREDENTIALS_SECRET, backupTargetValues, type LonghornBackupTarget } from "./backup-target";
import { LONGHORN_CHART, LONGHORN_NAMESPACE, longhornStorageClass, longhornValues } from "./chart";

/** Longhorn from its official chart, installed only after node prep, plus hadb's database StorageClass. */
export class Longhorn extends pulumi.ComponentResource {
  readonly handle: StorageHandle;

  constructor(
    name: string,
    args: ReplicatedStorageArgs & {
      backupTarget?: LonghornBackupTarget;
      /** Per database name: the Longhorn backup URL its volume is restored from. */
      restores?: Record<string, string>;
    },
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("hadb:storage:Longhorn", name, {}, opts);
    const childOpts = { parent: this, provider: args.cluster.provider };
    const namespace = storageNamespace(
      `${name}-ns`,
      { namespace: LONGHORN_NAMESPACE, app: "longhorn", instance: name },
      childOpts,
    );
    // Backups: the target and its credentials exist before Longhorn reads them at install.
    const credentials = args.backupTarget?.credentials
      ? new k8s.core.v1.Secret(
          `${name}-backup-credentials`,
          {
            metadata: { name: BACKUP_CREDENTIALS_SECRET, namespace: LONGHORN_NAMESPACE },
            type: "Opaque",
            stringData: args.backupTarget.credentials,
          },
          { ...childOpts, dependsOn: [namespace] },
        )
      : undefined;
    const release = pinnedRelease(
      name,
      {
        name: "longhorn",
        chart: LONGHORN_CHART,
        namespace: LONGHORN_NAMESPACE,
        values: {
          ...longhornValues({ replicas: args.replicas, zones: args.cluster.zones }),
          ...(args.backupTarget ? backupTargetValues(args.backupTarget) : {}),
        },
        timeout: 900,
      },
      { ...childOpts, dependsOn: [namespace, ...args.nodePrep.ready, ...(credentials ? [credentials] : [])] },
    );
    const storageClassName = `hadb-${name}`;
    const storageClass = new k8s.storage.v1.StorageClass(
      `${name}-class`,
      longhornStorageClass({ name: storageClassName, replicas: args.replicas }),
      { ...childOpts, dependsOn: [release] },
    );
    // One class per restore: every claim of a `fromBackup` class restores that same backup.
    const restoreClasses: Record<string, string> = {};
    for (const [database, url] of Object.entries(args.restores ?? {})) {
      const className = `hadb-restore-${database}`;
      new k8s.storage.v1.StorageClass(
        `${name}-restore-${database}`,
        longhornStorageClass({ name: className, replicas: args.replicas, fromBackup: url }),
        { ...childOpts, dependsOn: [release] },
      );
      restoreClasses[database] = className;
    }
    this.handle = {
      restoreClassFor: (database) => restoreClasses[database],
      backend: "longhorn",
      storageClassName,
      replicaCount: args.replicas,
      ready: [storageClass],
    };
    this.registerOutputs({ storageClassName, chartVersion: LONGHORN_CHART.version });
  }
}
