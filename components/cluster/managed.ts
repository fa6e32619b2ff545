import type { ManagedClusterSettings, NodeOsFamily } from "../config/types";

/** What every cloud cluster component (AKS, EKS, GKE) is built from. */
export interface ManagedClusterArgs {
  settings: ManagedClusterSettings;
  /** Validated: exactly 3 distinct zones of the region. */
  zones: string[];
  /** Validated: a multiple of the zone count. */
  nodeCount: number;
  nodeOs: NodeOsFamily;
  /** Create the private object store for backups. */
  backups: boolean;
  /** Give the nodes the cloud permissions Portworx needs to create and attach its drives. */
  portworx: boolean;
}
