import type * as pulumi from "@pulumi/pulumi";
import type { ClusterHandle } from "../cluster/handle";
import type { HadbConfig } from "../config/types";
import type { NodePrepHandle } from "../nodeprep/component";
import type { StorageHandle } from "./handle";
import { Longhorn } from "./longhorn/component";

export type { StorageHandle } from "./handle";

/** The storage layer selected by `hadb:storage`. Validation has already rejected backends not supported yet. */
export function createStorage(
  name: string,
  config: HadbConfig,
  cluster: ClusterHandle,
  nodePrep: NodePrepHandle,
  opts?: pulumi.ComponentResourceOptions,
): StorageHandle {
  switch (config.storage) {
    case "longhorn":
      return new Longhorn(name, { cluster, nodePrep, replicas: config.storageReplicas }, opts).handle;
    case "rook-ceph":
    case "portworx":
    case "iscsi":
      throw new Error(`hadb:storage "${config.storage}" passed validation but has no storage component`);
  }
}
