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
  /** Who brings this site's databases: hadb, as writers or as a DR standby, or Stork. */
  site: DatabasesSite;
  /** hadb:monitoring on: engines export metrics. */
  exportMetrics?: boolean;
}

/** Who brings the databases of this site (decided once per stack, in buildHadb). */
export type DatabasesSite =
  /** hadb creates the namespace and every database, with their writers running. */
  | { kind: "own" }
  /**
   * Longhorn DR standby: hadb creates the databases at 0 replicas until activation, with the primary's
   * credentials (per database and role), on claims bound to the standby volumes of `storage`.
   */
  | {
      kind: "standby";
      storage: StorageHandle;
      inheritedCredentials: pulumi.Output<Record<string, Record<string, string>>>;
    }
  /** PX-DR standby: Stork migrates the namespace and its objects; hadb creates no databases. */
  | { kind: "stork" };

/** The database namespace and one component per configured database. */
export class Databases extends pulumi.ComponentResource {
  readonly endpoints: Record<string, DatabaseEndpoint> = {};

  constructor(name: string, args: DatabasesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hadb:databases:Databases", name, {}, opts);
    const { site } = args;
    if (site.kind === "stork") {
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
        storage: site.kind === "standby" ? site.storage : args.storage,
        database,
        namespace,
        namespaceName: args.namespace,
        evictionTolerationSeconds: args.evictionTolerationSeconds,
        claimLabels: args.claimLabels[database.name] ?? {},
        ...(args.exportMetrics ? { exportMetrics: true } : {}),
        ...(site.kind === "standby"
          ? {
              standby: true,
              inheritedCredentials: site.inheritedCredentials.apply(
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
