// The pipeline: cluster -> node prep -> storage -> databases. Each layer gets only the handles below it.
import * as pulumi from "@pulumi/pulumi";
import { createCluster } from "./cluster";
import type { HadbConfig } from "./config/types";
import { stackFailoverBudget } from "./databases/budget";
import { Databases } from "./databases/component";
import type { FailureBudget } from "./failover/budget";
import { NodePrep } from "./nodeprep/component";
import { createStorage } from "./storage";

/** Stack outputs; documented in README ("Outputs"). */
export interface HadbOutputs {
  kubeconfig: pulumi.Output<string> | undefined;
  storageClassName: string;
  namespace: string;
  databases: Record<string, Omit<import("./databases/endpoint").DatabaseEndpoint, "password">>;
  databasePasswords: pulumi.Output<Record<string, string>>;
  /** Worst-case recovery timeline per database and failure (README "Failover budget"). */
  failoverBudget: Record<string, FailureBudget[]>;
}

export function buildHadb(config: HadbConfig): HadbOutputs {
  const cluster = createCluster("cluster", config);
  const nodePrep = new NodePrep("hadb-node-prep", { cluster, enabled: config.prepareNodes });
  const storage = createStorage(config.storage, config, cluster, nodePrep.handle);
  const databases = new Databases("databases", {
    cluster,
    storage,
    namespace: config.namespace,
    databases: config.databases,
    evictionTolerationSeconds: config.evictionTolerationSeconds,
  });

  const endpoints = Object.entries(databases.endpoints);
  return {
    kubeconfig: cluster.kubeconfig ? pulumi.secret(cluster.kubeconfig) : undefined,
    storageClassName: storage.storageClassName,
    namespace: config.namespace,
    databases: Object.fromEntries(
      endpoints.map(([name, { password: _password, ...plain }]) => [name, plain]),
    ),
    failoverBudget: stackFailoverBudget(config),
    databasePasswords: pulumi.secret(
      pulumi.all(Object.fromEntries(endpoints.map(([name, endpoint]) => [name, endpoint.password]))),
    ),
  };
}

/** The outputs as exported by the stack: keys without a value (e.g. kubeconfig of an existing cluster) are left out. */
export function stackOutputs(outputs: HadbOutputs): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).filter(([, value]) => value !== undefined));
}
