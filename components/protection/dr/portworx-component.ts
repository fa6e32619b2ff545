import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterHandle } from "../../cluster/handle";
import { databaseNamespace } from "../../databases/namespace";
import type { StorageHandle } from "../../storage/handle";
import {
  CLUSTER_PAIR,
  clusterPair,
  FAILBACK_SCHEDULE,
  MIGRATION_SCHEDULE,
  MIGRATOR_ACCOUNT,
  migrationSchedule,
  REVERSE_CLUSTER_PAIR,
  schedulePolicy,
  tokenClientConfig,
  remoteApiEndpointOf,
} from "./portworx-manifests";
import type { PrimarySite } from "./reference";
import type { CustomObject } from "../../shared/custom-object";

export interface PortworxDisasterRecoveryArgs {
  /** The standby cluster (this stack's). */
  cluster: ClusterHandle;
  /** This stack's kubeconfig (its API address goes into the primary's ClusterPair). */
  kubeconfig: pulumi.Input<string>;
  kubeContext: string | undefined;
  storage: StorageHandle;
  primary: PrimarySite;
  /** Standby site's cluster domain (names the SchedulePolicy per direction). */
  domains: { primary: string; standby: string };
  intervalMinutes: number;
}

export interface PortworxDisasterRecoverySummary {
  mode: "px-dr-metro";
  namespace: string;
  clusterPair: string;
  migrationSchedule: string;
  failbackSchedule: string;
  intervalMinutes: number;
  domains: { primary: string; standby: string };
}

/**
 * PX-DR from the standby's side: a migrator service account on each cluster, a ClusterPair on each
 * cluster pointing at the other (bidirectional, as Portworx recommends), the primary's MigrationSchedule
 * that copies the database namespace's resources here at 0 replicas, and a suspended reverse schedule
 * for failback. Operational state (`spec.suspend`) belongs to `npm run dr`, not to `pulumi up`.
 */
export class PortworxDisasterRecovery extends pulumi.ComponentResource {
  readonly summary: PortworxDisasterRecoverySummary;

  constructor(name: string, args: PortworxDisasterRecoveryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hadb:protection:PortworxDisasterRecovery", name, {}, opts);
    const { namespace, databases } = args.primary.info;
    // Named remote-cluster-*: the synth files objects created through it under that cluster's folder.
    const primaryProvider = new k8s.Provider(
      "remote-cluster-primary",
      { kubeconfig: args.primary.kubeconfig },
      { parent: this },
    );
    const onStandby = { parent: this, provider: args.cluster.provider };
    const onPrimary = { parent: this, provider: primaryProvider };

    const standbyToken = migratorToken(`${name}-standby`, onStandby);
    const primaryToken = migratorToken(`${name}-primary`, onPrimary);
    const standbyConfig = pulumi
      .all([args.kubeconfig, standbyToken])
      .apply(([kubeconfig, token]) =>
        tokenClientConfig(
          args.domains.standby,
          remoteApiEndpointOf(kubeconfig, args.domains.standby, args.kubeContext),
          token,
        ),
      );
    const primaryConfig = pulumi
      .all([args.primary.kubeconfig, primaryToken])
      .apply(([kubeconfig, token]) =>
        tokenClientConfig(args.domains.primary, remoteApiEndpointOf(kubeconfig, args.domains.primary), token),
      );

    // The database namespace exists on the primary; the standby gets it now so its reverse pair has a home.
    const standbyNamespace = new k8s.core.v1.Namespace(`${name}-ns`, databaseNamespace(namespace), onStandby);

    const customResource = (
      resourceName: string,
      body: CustomObject,
      options: pulumi.CustomResourceOptions,
    ) => new k8s.apiextensions.CustomResource(resourceName, body, options);
    // The pairs hold a token: secret in Pulumi state (Stork keeps them in the ClusterPair, as designed).
    const forwardPair = customResource(
      `${name}-pair`,
      clusterPair(CLUSTER_PAIR, namespace, pulumi.secret(standbyConfig)),
      onPrimary,
    );
    const reversePair = customResource(
      `${name}-reverse-pair`,
      clusterPair(REVERSE_CLUSTER_PAIR, namespace, pulumi.secret(primaryConfig)),
      { ...onStandby, dependsOn: [standbyNamespace, ...args.storage.ready] },
    );
    const policyName = `hadb-px-dr-every-${args.intervalMinutes}m`;
    const forwardPolicy = customResource(
      `${name}-policy`,
      schedulePolicy(policyName, args.intervalMinutes),
      onPrimary,
    );
    const reversePolicy = customResource(
      `${name}-reverse-policy`,
      schedulePolicy(policyName, args.intervalMinutes),
      { ...onStandby, dependsOn: args.storage.ready },
    );
    // `npm run dr` suspends and resumes the schedules; a later `pulumi up` must not undo a failover.
    const operational = { ignoreChanges: ["spec.suspend"] };
    customResource(
      `${name}-schedule`,
      migrationSchedule({
        name: MIGRATION_SCHEDULE,
        namespace,
        clusterPair: CLUSTER_PAIR,
        policy: policyName,
        suspend: false,
      }),
      // The standby's Portworx must have joined the stretched cluster before resources arrive.
      { ...onPrimary, ...operational, dependsOn: [forwardPair, forwardPolicy, ...args.storage.ready] },
    );
    customResource(
      `${name}-failback-schedule`,
      migrationSchedule({
        name: FAILBACK_SCHEDULE,
        namespace,
        clusterPair: REVERSE_CLUSTER_PAIR,
        policy: policyName,
        suspend: true,
      }),
      { ...onStandby, ...operational, dependsOn: [reversePair, reversePolicy] },
    );

    this.summary = {
      mode: "px-dr-metro",
      namespace,
      clusterPair: CLUSTER_PAIR,
      migrationSchedule: MIGRATION_SCHEDULE,
      failbackSchedule: FAILBACK_SCHEDULE,
      intervalMinutes: args.intervalMinutes,
      domains: args.domains,
    };
    this.registerOutputs({ databases: databases.map((database) => database.name), ...this.summary });
  }
}

/**
 * A service account Stork on the other site acts as. cluster-admin because a migration creates any kind
 * of namespaced object (Portworx's documented setup); its token lives only in Secrets and ClusterPairs.
 */
function migratorToken(name: string, opts: pulumi.CustomResourceOptions): pulumi.Output<string> {
  const account = new k8s.core.v1.ServiceAccount(`${name}-migrator`, { metadata: MIGRATOR_ACCOUNT }, opts);
  new k8s.rbac.v1.ClusterRoleBinding(
    `${name}-migrator`,
    {
      metadata: { name: MIGRATOR_ACCOUNT.name },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
      subjects: [{ kind: "ServiceAccount", ...MIGRATOR_ACCOUNT }],
    },
    opts,
  );
  // A long-lived token Secret: the provider waits until the token controller has filled it in.
  const tokenSecret = new k8s.core.v1.Secret(
    `${name}-migrator-token`,
    {
      metadata: {
        name: `${MIGRATOR_ACCOUNT.name}-token`,
        namespace: MIGRATOR_ACCOUNT.namespace,
        annotations: { "kubernetes.io/service-account.name": MIGRATOR_ACCOUNT.name },
      },
      type: "kubernetes.io/service-account-token",
    },
    { ...opts, dependsOn: [account] },
  );
  return pulumi.secret(
    tokenSecret.data.apply((data) => {
      const token = data.token;
      if (token === undefined) throw new Error(`service-account token Secret ${name} has no token yet`);
      return Buffer.from(token, "base64").toString("utf8");
    }),
  );
}
