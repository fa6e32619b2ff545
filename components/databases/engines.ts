// How each engine is built, in one entry per engine: its component (the Kubernetes objects of one
// database) and its failover budget, computed from the same manifest builders the component uses. The
// facts (image, ports, uid, container, consistency) are its ENGINE_CATALOG entry. An engine without an
// entry here does not compile (Record<Engine, ...>).
import type * as pulumi from "@pulumi/pulumi";
import type { BackupSettings, DatabaseSpec, Engine, HadbConfig } from "../config/types";
import {
  controllerTimingsFor,
  databaseTimingsOf,
  failoverBudget,
  storageTimings,
  type FailureBudget,
} from "../failover/budget";
import { agentFencingTimings } from "../failover/fencing";
import type { DatabaseArgs } from "./args";
import { ENGINE_CATALOG, singleWriterOf } from "./catalog";
import type { SingleWriterDeployment } from "./deployment";
import type { DatabaseEndpoint } from "./endpoint";
import { IrisDatabase } from "./iris/component";
import { irisDeployment, irisNames } from "./iris/manifests";
import { MysqlDatabase } from "./mysql/component";
import { mysqlDeployment, mysqlNames } from "./mysql/manifests";
import { postgresFailoverBudget } from "./postgres/budget";
import { PostgresDatabase, type PostgresOperator } from "./postgres/component";

/** What the databases of one stack share. */
export interface EngineContext {
  /** The stack's PostgreSQL operator, created by the first database that asks for it. */
  postgresOperator: () => PostgresOperator;
  /** Backup schedule and retention (PostgreSQL runs its own pgBackRest schedules). */
  backups: BackupSettings;
}

export interface EngineBuilders {
  /** Creates one database of this engine as a child component and returns its endpoint. */
  create: (
    name: string,
    args: DatabaseArgs,
    context: EngineContext,
    opts: pulumi.ComponentResourceOptions,
  ) => DatabaseEndpoint;
  /** Worst-case recovery timeline of one database per failure. */
  failoverBudget: (database: DatabaseSpec, config: HadbConfig) => FailureBudget[];
}

export const ENGINE_BUILDERS: Record<Engine, EngineBuilders> = {
  iris: singleWriterEngine(IrisDatabase, irisNames, irisDeployment),
  mysql: singleWriterEngine(MysqlDatabase, mysqlNames, mysqlDeployment),
  postgres: {
    create: (name, args, context, opts) =>
      new PostgresDatabase(
        name,
        { ...args, operator: context.postgresOperator(), backups: context.backups },
        opts,
      ).endpoint,
    failoverBudget: postgresFailoverBudget,
  },
};

/** An engine hadb runs as a single writer: its component, and the Deployment that component creates. */
function singleWriterEngine<Names>(
  Component: new (
    name: string,
    args: DatabaseArgs,
    opts: pulumi.ComponentResourceOptions,
  ) => { endpoint: DatabaseEndpoint },
  namesOf: (database: DatabaseSpec, namespace: string) => Names,
  deploymentOf: (
    database: DatabaseSpec,
    names: Names,
    options: { evictionTolerationSeconds: number; credentialsRevision: pulumi.Input<string> },
  ) => SingleWriterDeployment,
): EngineBuilders {
  return {
    create: (name, args, _context, opts) => new Component(name, args, opts).endpoint,
    failoverBudget: (database, config) =>
      singleWriterBudget(
        database,
        config,
        // Timings do not depend on the passwords; the revision annotation only needs a value.
        deploymentOf(database, namesOf(database, config.namespace), {
          evictionTolerationSeconds: config.evictionTolerationSeconds,
          credentialsRevision: "",
        }),
      ),
  };
}

/** The budget of a single writer, read from the Deployment its component creates. */
function singleWriterBudget(
  database: DatabaseSpec,
  config: HadbConfig,
  deployment: SingleWriterDeployment,
): FailureBudget[] {
  return failoverBudget({
    database: databaseTimingsOf(
      deployment,
      singleWriterOf(database.engine).container,
      ENGINE_CATALOG[database.engine].startSecondsEstimate,
    ),
    storage: storageTimings(config.storage),
    controller: controllerTimingsFor(config.cloud, config.vagrant),
    fencing: agentFencingTimings(config.fencing),
    ...(database.failoverMeasured ? { measured: database.failoverMeasured } : {}),
  });
}
