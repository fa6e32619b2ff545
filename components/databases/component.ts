import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterHandle } from "../cluster/handle";
import type { BackupSettings, DatabaseSpec } from "../config/types";
import type { StorageHandle } from "../storage/handle";
import type { DatabaseEndpoint } from "./endpoint";
import { databaseNamespace } from "./namespace";
import { ENGINE_BUILDERS, type EngineContext } from "./engines";
import { PostgresOperator } from "./postgres/component";

export interface DatabasesArgs {
  cluster: ClusterHandle;
  storage: StorageHandle;
  namespace: string;
  databases: DatabaseSpec[];
  evictionTolerationSeconds: number;
  /** Backup schedule and retention (PostgreSQL runs its own pgBackRest schedules). */
  backups: BackupSettings;
  /** Per database name: extra data-claim labels (protection plan). */
  claimLabels: Record<string, Record<string, string>>;
  /** False where something else owns the namespace (Stork on a PX-DR standby). */
  createNamespace: boolean;
  /** DR standby: databases at 0 replicas until activation. */
  standby?: boolean;
  /** hadb:monitoring on: engines export metrics. */
  exportMetrics?: boolean;
  /** DR standby: the primary's credentials, per database and role. */
  inheritedCredentials?: pulumi.Output<Record<string, Record<string, string>>>;
}

/** The database namespace and one component per configured database. */
export class Databases extends pulumi.ComponentResource {
  readonly endpoints: Record<string, DatabaseEndpoint> = {};

  constructor(name: string, args: DatabasesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hadb:databases:Databases", name, {}, opts);
    if (!args.createNamespace) {
      this.registerOutputs({ databases: [] });
      return;
    }
    const namespace = new k8s.core.v1.Namespace(`${name}-ns`, databaseNamespace(args.namespace), {
      parent: this,
      provider: args.cluster.provider,
    });
    let operator: PostgresOperator | undefined;
    const context: EngineContext = {
      postgresOperator: () =>
        (operator ??= new PostgresOperator("postgres-operator", { cluster: args.cluster }, { parent: this })),
      backups: args.backups,
    };
    for (const database of args.databases) {
      const common = {
        cluster: args.cluster,
        storage: args.storage,
        database,
        namespace,
        namespaceName: args.namespace,
        evictionTolerationSeconds: args.evictionTolerationSeconds,
        claimLabels: args.claimLabels[database.name] ?? {},
        ...(args.standby ? { standby: true } : {}),
        ...(args.exportMetrics ? { exportMetrics: true } : {}),
        ...(args.inheritedCredentials
          ? {
              inheritedCredentials: args.inheritedCredentials.apply(
                (credentials) => credentials[database.name] ?? {},
              ),
            }
          : {}),
      };
      const { create } = ENGINE_BUILDERS[database.engine];
      this.endpoints[database.name] = create(database.name, common, context, { parent: this });
    }
    this.registerOutputs({ databases: Object.keys(this.endpoints) });
  }
}
