import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterHandle, IscsiTargetHandle } from "../../cluster/handle";
import type { FencingSettings } from "../../config/fencing";
import type { DatabaseSpec } from "../../config/types";
import type { NodePrepHandle } from "../../nodeprep/component";
import { ENGINE_CATALOG } from "../../databases/catalog";
import { dataClaimName } from "../../shared/naming";
import type { FenceAgentTarget, StorageHandle } from "../handle";
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
  fencing: FencingSettings;
}

/**
 * Database volumes on LUNs of a single iSCSI target (a single point of failure: docs/storage/iscsi.md).
 * On the lab's own target, hadb's fence agent runs beside it (docs/fencing.md).
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
          fencing: args.fencing.by === "target-agent" ? "target-agent" : "off",
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
      ...(args.fencing.by === "target-agent"
        ? { fenceAgentTarget: fenceAgentTarget(args.target, namespace) }
        : {}),
    };
    this.registerOutputs({
      storageClassName: ISCSI_STORAGE_CLASS,
      portal: args.target.portal,
      iqn: args.target.iqn,
    });
  }
}

/** The lab's target, for hadb's fence agent (created after the databases: it acts in their namespace). */
function fenceAgentTarget(target: IscsiTargetHandle, namespace: pulumi.Resource): FenceAgentTarget {
  if (!target.fenceAgentHost)
    throw new Error("hadb:fencing by the target agent needs a target hadb runs (the lab's)");
  return { host: target.fenceAgentHost, iqn: target.iqn, ready: [namespace, ...target.ready] };
}
