import type * as pulumi from "@pulumi/pulumi";
import type { HadbConfig } from "../config/types";
import { STORAGE_CATALOG } from "../storage/catalog";
import { GIBIBYTE, parseQuantity } from "../config/quantity";
import { AksCluster } from "./aks/component";
import { EksCluster } from "./eks/component";
import { ExistingCluster } from "./existing";
import { GkeCluster } from "./gke/component";
import { VagrantCluster } from "./vagrant/component";
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
          blockDevices: config.blockDevices,
        },
        opts,
      ).handle;
    case "vagrant": {
      if (!config.vagrant) throw new Error("cloud vagrant without hadb:vagrant settings");
      const lunByDatabase = config.iscsi?.target.kind === "vagrant" ? config.iscsi.lunByDatabase : undefined;
      return new VagrantCluster(
        name,
        {
          settings: config.vagrant,
          nodeCount: config.nodeCount,
          rawDisks: STORAGE_CATALOG[config.storage].needs.rawDisks,
          ...(lunByDatabase
            ? {
                iscsiLuns: config.databases.map((database) => ({
                  database: database.name,
                  lun: lunByDatabase[database.name] ?? 0,
                  sizeGB: Math.ceil((parseQuantity(database.volumeSize) ?? 0) / GIBIBYTE),
                })),
              }
            : {}),
        },
        opts,
      ).handle;
    }
    case "aks":
    case "eks":
    case "gke": {
      const settings = config.managedCluster;
      if (settings?.cloud !== config.cloud)
        throw new Error(`cloud ${config.cloud} without validated hadb:${config.cloud} settings`);
      const args = {
        settings,
        zones: config.zones,
        nodeCount: config.nodeCount,
        nodeOs: config.nodeOs,
        backups: config.backups.enabled,
        portworx: config.storage === "portworx",
      };
      if (config.cloud === "aks") return new AksCluster(name, args, opts).handle;
      if (config.cloud === "eks") return new EksCluster(name, args, opts).handle;
      return new GkeCluster(name, args, opts).handle;
    }
  }
}
