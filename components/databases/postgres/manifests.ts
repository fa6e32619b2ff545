// PostgreSQL through Crunchy Postgres for Kubernetes (PGO) 5.8: chart pin and values, the
// PostgresCluster custom resource and the user Secret hadb pre-creates so the password is hadb's
// generated secret. Field names follow postgres-operator.crunchydata.com/v1beta1 (read upstream).
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { DatabaseSpec } from "../../config/types";
import { recommendedLabels } from "../../shared/labels";
import { failoverTolerations } from "../failover";

export const PGO_NAMESPACE = "postgres-operator";

/**
 * PGO 5.8.6: newest 5.x release in Crunchy's release notes (PostgreSQL 16-18 images, pgBackRest 2.56);
 * the v1beta1 API this program writes. 6.x moves to a v1 API and is a deliberate upgrade.
 */
export const PGO_CHART = {
  chart: "oci://registry.developers.crunchydata.com/crunchydata/pgo",
  version: "5.8.6",
} as const;

export function pgoValues(): Record<string, unknown> {
  return {
    // No phoning home from production clusters.
    disable_check_for_upgrades: true,
    // Watches every namespace: hadb's database namespace is configurable.
    singleNamespace: false,
  };
}

/** PGO's Patroni defaults (v1beta1): probe period = sync period, leader lease = TTL. */
export const PATRONI_DEFAULTS = { syncPeriodSeconds: 10, leaderLeaseDurationSeconds: 30 } as const;
/** The instance set name: PGO limits cluster name + set name to 46 characters. */
export const INSTANCE_SET = "db";

export interface PostgresNames {
  namespace: string;
  cluster: string;
  /** PGO's user Secret name: `<cluster>-pguser-<user>`. */
  userSecret: string;
  /** PGO's Service for the current primary. */
  primaryService: string;
}

export function postgresNames(database: DatabaseSpec, namespace: string): PostgresNames {
  const user = database.postgres?.user ?? "app";
  return {
    namespace,
    cluster: database.name,
    userSecret: `${database.name}-pguser-${user}`,
    primaryService: `${database.name}-primary`,
  };
}

const labelsOf = (database: DatabaseSpec): Record<string, string> => ({
  ...recommendedLabels({ name: "postgres", instance: database.name, component: "database" }),
});

/**
 * The user Secret, created before the cluster: PGO keeps an existing `password` and derives the
 * SCRAM verifier from it, so the password is hadb's generated secret and is known to the stack.
 */
export function postgresUserSecret(
  database: DatabaseSpec,
  names: PostgresNames,
  password: pulumi.Input<string>,
): k8s.types.input.core.v1.Secret {
  const user = database.postgres?.user ?? "app";
  return {
    metadata: {
      name: names.userSecret,
      namespace: names.namespace,
      labels: {
        ...labelsOf(database),
        "postgres-operator.crunchydata.com/cluster": names.cluster,
        "postgres-operator.crunchydata.com/role": "pguser",
        "postgres-operator.crunchydata.com/pguser": user,
      },
    },
    type: "Opaque",
    stringData: { user, password },
  };
}

export interface PostgresClusterOptions {
  storageClassName: string;
  evictionTolerationSeconds: number;
  /** A dedicated database pool's node labels, if any. */
  nodeSelector: Record<string, string> | undefined;
}

function instanceAffinity(
  database: DatabaseSpec,
  nodeSelector: Record<string, string> | undefined,
): Record<string, unknown> | undefined {
  const replicas = database.postgres?.instances ?? 1;
  const affinity: Record<string, unknown> = {};
  if (nodeSelector) {
    affinity.nodeAffinity = {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          {
            matchExpressions: Object.entries(nodeSelector).map(([key, value]) => ({
              key,
              operator: "In",
              values: [value],
            })),
          },
        ],
      },
    };
  }
  if (replicas > 1) {
    // A replica on the primary's node would fail with it.
    affinity.podAntiAffinity = {
      requiredDuringSchedulingIgnoredDuringExecution: [
        {
          topologyKey: "kubernetes.io/hostname",
          labelSelector: {
            matchLabels: {
              "postgres-operator.crunchydata.com/cluster": database.name,
              "postgres-operator.crunchydata.com/instance-set": INSTANCE_SET,
            },
          },
        },
      ],
    };
  }
  return Object.keys(affinity).length > 0 ? affinity : undefined;
}

export function postgresCluster(
  database: DatabaseSpec,
  names: PostgresNames,
  options: PostgresClusterOptions,
): Record<string, unknown> {
  const settings = database.postgres;
  if (!settings) throw new Error(`database ${database.name} has no postgres settings`);
  const claim = {
    accessModes: ["ReadWriteOnce"],
    storageClassName: options.storageClassName,
    resources: { requests: { storage: database.volumeSize } },
  };
  const affinity = instanceAffinity(database, options.nodeSelector);
  return {
    apiVersion: "postgres-operator.crunchydata.com/v1beta1",
    kind: "PostgresCluster",
    metadata: { name: names.cluster, namespace: names.namespace, labels: labelsOf(database) },
    spec: {
      postgresVersion: settings.version,
      instances: [
        {
          name: INSTANCE_SET,
          // Each instance is its own StatefulSet with its own volume: one writer per volume.
          replicas: settings.instances,
          dataVolumeClaimSpec: claim,
          resources: database.resources,
          tolerations: failoverTolerations(options.evictionTolerationSeconds),
          ...(affinity ? { affinity } : {}),
        },
      ],
      users: [{ name: settings.user, databases: [settings.database] }],
      backups: {
        pgbackrest: {
          // A volume repository on the same replicated storage; protection moves it off-cluster.
          repos: [{ name: "repo1", volume: { volumeClaimSpec: claim } }],
        },
      },
      // Private: PGO's Service spec cannot carry a source-range allowlist.
      service: { type: "ClusterIP" },
      patroni: { ...PATRONI_DEFAULTS },
    },
  };
}
