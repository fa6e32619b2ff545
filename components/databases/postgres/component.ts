import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterHandle } from "../../cluster/handle";
import { POSTGRES_PORTS } from "../catalog";
import type { DatabaseArgs } from "../args";
import { serviceHost, type DatabaseEndpoint } from "../endpoint";
import { credentialsRevision, databaseCredential, generatedSalt } from "../password";
import { credentialsGuard } from "../credentials-guard";
import { scramSha256Verifier } from "./scram";
import type { BackupSettings } from "../../config/types";
import { pinnedRelease } from "../../shared/helm";
import {
  pgbackrestConfig,
  type ObjectRepo,
  PGO_CHART,
  PGO_NAMESPACE,
  pgoValues,
  postgresCluster,
  postgresNames,
  postgresUserSecret,
} from "./manifests";

/** The Crunchy Postgres Operator, installed once per stack when any database uses engine postgres. */
export class PostgresOperator extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: { cluster: ClusterHandle }, opts?: pulumi.ComponentResourceOptions) {
    super("hadb:databases:PostgresOperator", name, {}, opts);
    const childOpts = { parent: this, provider: args.cluster.provider };
    const namespace = new k8s.core.v1.Namespace(
      `${name}-ns`,
      {
        metadata: {
          name: PGO_NAMESPACE,
          // The operator runs non-root with a read-only root filesystem.
          labels: { "pod-security.kubernetes.io/enforce": "restricted" },
        },
      },
      childOpts,
    );
    this.release = pinnedRelease(
      name,
      { name: "pgo", chart: PGO_CHART, namespace: PGO_NAMESPACE, values: pgoValues() },
      { ...childOpts, dependsOn: [namespace] },
    );
    this.registerOutputs({ chartVersion: PGO_CHART.version });
  }
}

export interface PostgresDatabaseArgs extends DatabaseArgs {
  operator: PostgresOperator;
  /** Off-cluster backups: pgBackRest repo2 in the cluster's object store, on this schedule. */
  backups: BackupSettings;
}

/** One PostgresCluster: a single writer by default (more instances add streaming replicas). */
export class PostgresDatabase extends pulumi.ComponentResource {
  readonly endpoint: DatabaseEndpoint;

  constructor(name: string, args: PostgresDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hadb:databases:Postgres", name, {}, opts);
    const { database } = args;
    const names = postgresNames(database, args.namespaceName);
    const childOpts = { parent: this, provider: args.cluster.provider };
    const revision = database.passwordRevision;
    const password = databaseCredential("password", name, this, args.inheritedCredentials, revision);
    const salt = generatedSalt(`${name}-scram-salt`, this, revision);
    const verifier = pulumi.secret(
      pulumi.all([password, salt]).apply(([plain, saltBase64]) => scramSha256Verifier(plain, saltBase64)),
    );
    // The user Secret is force-applied (PGO co-owns it), so only the guard stops a redeploy from
    // writing new passwords over kept data (credentials-guard.ts).
    const guard = new k8s.core.v1.ConfigMap(
      `${name}-credentials-guard`,
      credentialsGuard(database, names.namespace, credentialsRevision([password])),
      { ...childOpts, dependsOn: [args.namespace] },
    );
    const userSecret = new k8s.core.v1.Secret(
      `${name}-credentials`,
      postgresUserSecret(database, names, { password, verifier }),
      { ...childOpts, dependsOn: [args.namespace, guard] },
    );
    const staticVolume = args.storage.volumeNameFor?.(database.name);
    const store = args.backups.enabled ? args.cluster.backupStore : undefined;
    let objectRepo: ObjectRepo | undefined;
    const repoConfig: pulumi.Resource[] = [];
    if (store) {
      const configSecret = `${names.cluster}-pgbackrest`;
      // Azure Blob speaks its own API; S3 and GCS (interoperability endpoint) speak S3.
      const azure = store.kind === "azure-blob";
      const kind = azure ? "azure" : "s3";
      const credentials = azure
        ? { id: store.accountName, secret: store.accountKey }
        : { id: store.accessKeyId, secret: store.secretAccessKey };
      repoConfig.push(
        new k8s.core.v1.Secret(
          `${name}-pgbackrest`,
          {
            metadata: { name: configSecret, namespace: names.namespace },
            type: "Opaque",
            stringData: pulumi.secret(
              pulumi
                .all([credentials.id, credentials.secret])
                .apply(([id, secret]) => pgbackrestConfig(kind, { id, secret })),
            ),
          },
          { ...childOpts, dependsOn: [args.namespace] },
        ),
      );
      objectRepo = {
        kind,
        bucket: azure ? store.container : store.bucket,
        endpoint: azure ? "" : store.endpoint.replace(/^https:\/\//, ""),
        region: store.region,
        configSecret,
        schedule: args.backups.schedule,
        retain: args.backups.retain,
      };
    }
    const cluster = new k8s.apiextensions.CustomResource(
      name,
      postgresCluster(database, names, {
        storageClassName: args.storage.storageClassName,
        evictionTolerationSeconds: args.evictionTolerationSeconds,
        nodeSelector: args.cluster.databaseNodeSelector,
        ...(objectRepo ? { objectRepo } : {}),
        ...(staticVolume !== undefined ? { volumeName: staticVolume } : {}),
        ...(args.exportMetrics ? { exporter: true } : {}),
      }),
      {
        ...childOpts,
        dependsOn: [args.operator.release, userSecret, args.namespace, ...repoConfig, ...args.storage.ready],
      },
    );
    this.endpoint = {
      engine: "postgres",
      namespace: names.namespace,
      host: serviceHost(names.primaryService, names.namespace),
      ports: { ...POSTGRES_PORTS },
      username: database.postgres?.user ?? "app",
      database: database.postgres?.database,
      credentialsSecret: names.userSecret,
      password,
      credentials: { password },
      // PGO's primary Service stays ClusterIP (validation refuses other exposure for PostgreSQL).
      externalAddress: pulumi.output(null),
    };
    this.registerOutputs({ cluster: cluster.metadata.name });
  }
}
