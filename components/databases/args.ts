import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { ClusterHandle } from "../cluster/handle";
import type { DatabaseSpec } from "../config/types";
import type { StorageHandle } from "../storage/handle";

/** What every engine's component is built from: the handles below it and one validated entry. */
export interface DatabaseArgs {
  cluster: ClusterHandle;
  storage: StorageHandle;
  database: DatabaseSpec;
  namespace: k8s.core.v1.Namespace;
  namespaceName: string;
  evictionTolerationSeconds: number;
  /** Extra labels of the data claim (Longhorn recurring-job groups of the protection plan). */
  claimLabels: Record<string, string>;
  /** DR standby: 0 replicas until activation scales the writer up (`npm run dr`). */
  standby?: boolean;
  /** hadb:monitoring on: engines whose metrics need the database's own change export them (PGO's exporter). */
  exportMetrics?: boolean;
  /** DR standby: the primary's credentials per role, instead of generated ones. */
  inheritedCredentials?: pulumi.Output<Record<string, string>>;
}
