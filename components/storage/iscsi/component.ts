import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterHandle, IscsiTargetHandle } from "../../cluster/handle";
import type { DatabaseSpec } from "../../config/types";
import type { NodePrepHandle } from "../../nodeprep/component";
import { ENGINE_CATALOG } from "../../databases/catalog";
import { dataClaimName } from "../../shared/naming";
import type { StorageHandle } from "../handle";
import {
  chapSecret,
  iscsiNamespace,
  iscsiStorageClass,
  ISCSI_RUNBOOK,
  ISCSI_STORAGE_CLASS,
  lunPersistentVolume,
  persistentVolumeName,
} from "./manifests";

export interface IscsiStorageArgs {
  cluster: ClusterHandle;
  nodePrep: NodePrepHandle;
  target: IscsiTargetHandle;
  databases: DatabaseSpec[];
  /** Namespace of the database claims the volumes are pre-bound to. */
  databaseNamespace: string;
}

/**
 * Database volumes on LUNs of a single iSCSI target. A single target is a single point of failure and
 * iSCSI has no fencing: see docs/storage/iscsi.md.
 */
export class IscsiStorage extends pulumi.ComponentResource {
  readonly handle: StorageHandle;

  constructor(name: string, args: IscsiStorageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hadb:storage:Iscsi", name, {}, opts);
    const childOpts = { parent: this, provider: args.cluster.provider };
    const namespace = new k8s.core.v1.Namespace(`${name}-ns`, iscsiNamespace(), childOpts);
    const secret = new k8s.core.v1.Secret(
      `${name}-chap`,
      chapSecret({
        user: args.target.chapUser,
        password: pulumi.secret(args.target.chapPassword),
        discovery: args.target.discoveryChap,
      }),
      { ...childOpts, dependsOn: [namespace] },
    );
    const storageClass = new k8s.storage.v1.StorageClass(`${name}-class`, iscsiStorageClass(), childOpts);
    const volumes = args.databases.map((database) => {
      const lun = args.target.lunByDatabase[database.name];
      if (lun === undefined) throw new Error(`no LUN for database ${database.name}`);
      return new k8s.core.v1.PersistentVolume(
        `${name}-${database.name}`,
        lunPersistentVolume(args.target, {
          database: database.name,
          namespace: args.databaseNamespace,
          // An operator (PGO) creates and names its claims itself; hadb's single writers use dataClaimName.
          ...(ENGINE_CATALOG[database.engine].workload.kind === "operator"
            ? {}
            : { claim: dataClaimName(database.name) }),
          size: database.volumeSize,
          lun,
        }),
        // Mounting needs prepared nodes and a live target; the PVs are what databases wait for.
        { ...childOpts, dependsOn: [secret, storageClass, ...args.nodePrep.ready, ...args.target.ready] },
      );
    });
    this.handle = {
      backend: "iscsi",
      storageClassName: ISCSI_STORAGE_CLASS,
      // Not replicated: the target's own disk is the only copy.
      replicaCount: 1,
      runbook: { ...ISCSI_RUNBOOK },
      ready: [storageClass, ...volumes],
      volumeNameFor: (database) => persistentVolumeName({ namespace: args.databaseNamespace, database }),
    };
    this.registerOutputs({
      storageClassName: ISCSI_STORAGE_CLASS,
      portal: args.target.portal,
      iqn: args.target.iqn,
    });
  }
}
