import type * as pulumi from "@pulumi/pulumi";
import type { HadbConfig } from "../config/types";
import { ExistingCluster } from "./existing";
import type { ClusterHandle } from "./handle";

export type { ClusterHandle } from "./handle";

/** The cluster layer selected by `hadb:cloud`. Validation has already rejected clouds not supported yet. */
export function createCluster(
  name: string,
  config: HadbConfig,
  opts?: pulumi.ComponentResourceOptions,
): ClusterHandle {
  switch (config.cloud) {
    case "existing":
      return new ExistingCluster(
        name,
        {
          kubeconfig: config.kubeconfig,
          context: config.kubeContext,
          zones: config.zones,
          nodeOs: config.nodeOs,
          nodeCount: config.nodeCount,
        },
        opts,
      ).handle;
    case "aks":
    case "eks":
    case "gke":
    case "vagrant":
      throw new Error(`hadb:cloud "${config.cloud}" passed validation but has no cluster component`);
  }
}
