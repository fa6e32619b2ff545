// PX-DR (Metro, synchronous) objects: the service-account kubeconfig Stork uses to reach the other
// cluster, the ClusterPair, SchedulePolicy and MigrationSchedule. Field names follow Stork's
// stork.libopenstorage.org/v1alpha1 types (libopenstorage/stork pkg/apis/stork/v1alpha1) and the
// Portworx Metro DR docs (read upstream).
import type * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { recommendedLabels } from "../../shared/labels";
import type { CustomObject } from "../../shared/custom-object";

export const STORK_API = "stork.libopenstorage.org/v1alpha1";
/** Stork stores a migrated workload's replica count here and scales it to 0 on the destination. */
export const MIGRATION_REPLICAS_ANNOTATION = "stork.libopenstorage.org/migrationReplicas";
/** Service account Stork on the *other* site authenticates as (a token never expires like a user's). */
export const MIGRATOR_ACCOUNT = { name: "hadb-px-dr-migrator", namespace: "kube-system" };
export const CLUSTER_PAIR = "hadb-px-dr";
export const REVERSE_CLUSTER_PAIR = "hadb-px-dr-reverse";
export const MIGRATION_SCHEDULE = "hadb-px-dr";
export const FAILBACK_SCHEDULE = "hadb-px-dr-failback";

const labels = (component: string) => recommendedLabels({ name: "hadb", instance: "px-dr", component });

/** Where a kubeconfig's current (or named) context points: the API server and its CA. */
export interface ApiEndpoint {
  server: string;
  /** Base64 PEM, as kubeconfigs carry it; undefined = the server's certificate is publicly trusted. */
  certificateAuthorityData?: string;
}

interface KubeconfigDocument {
  "current-context"?: string;
  contexts?: { name: string; context?: { cluster?: string } }[];
  clusters?: { name: string; cluster?: { server?: string; "certificate-authority-data"?: string } }[];
}

export function apiEndpointOf(kubeconfig: string, context?: string): ApiEndpoint {
  let document: KubeconfigDocument;
  try {
    document = parse(kubeconfig) as KubeconfigDocument;
  } catch (error) {
    throw new Error(`the kubeconfig is not YAML: ${(error as Error).message}`, { cause: error });
  }
  const contextName = context ?? document["current-context"];
  const found = document.contexts?.find((entry) => entry.name === contextName);
  const cluster = document.clusters?.find((entry) => entry.name === found?.context?.cluster);
  const server = cluster?.cluster?.server;
  if (!server)
    throw new Error(
      `the kubeconfig has no API server for context ${JSON.stringify(contextName)}: PX-DR needs each site's API address`,
    );
  const certificateAuthorityData = cluster.cluster?.["certificate-authority-data"];
  return { server, ...(certificateAuthorityData ? { certificateAuthorityData } : {}) };
}

/** A site's API address as the other site's Stork will dial it: never a loopback address. */
export function remoteApiEndpointOf(kubeconfig: string, site: string, context?: string): ApiEndpoint {
  const endpoint = apiEndpointOf(kubeconfig, context);
  const host = new URL(endpoint.server).hostname;
  if (host === "localhost" || /^127\./.test(host) || host === "::1" || host === "[::1]")
    throw new Error(
      `the kubeconfig of site ${site} points at ${endpoint.server}, which the other site cannot reach: give a kubeconfig with the cluster's routable API address`,
    );
  return endpoint;
}

/**
 * A ClusterPair's `spec.config`: client-go's clientcmd Config as Stork deserializes it (maps keyed by
 * name, users under `users`), with the migrator's token instead of anyone's personal credentials.
 */
export function tokenClientConfig(
  site: string,
  endpoint: ApiEndpoint,
  token: string,
): Record<string, unknown> {
  return {
    clusters: {
      [site]: {
        server: endpoint.server,
        ...(endpoint.certificateAuthorityData
          ? { "certificate-authority-data": endpoint.certificateAuthorityData }
          : {}),
      },
    },
    users: { [MIGRATOR_ACCOUNT.name]: { token } },
    contexts: { [site]: { cluster: site, user: MIGRATOR_ACCOUNT.name } },
    "current-context": site,
  };
}

/** Sync DR pairs carry no storage options: both sites are one Portworx cluster. */
export function clusterPair(
  name: string,
  namespace: string,
  remoteConfig: pulumi.Input<Record<string, unknown>>,
): CustomObject {
  return {
    apiVersion: STORK_API,
    kind: "ClusterPair",
    metadata: { name, namespace, labels: labels("cluster-pair") },
    spec: { config: remoteConfig, options: {} },
  };
}

/** Cluster-scoped; `policy` is top-level (not under spec). */
export function schedulePolicy(name: string, intervalMinutes: number): CustomObject {
  return {
    apiVersion: STORK_API,
    kind: "SchedulePolicy",
    metadata: { name, labels: labels("schedule-policy") },
    policy: { interval: { intervalMinutes } },
  };
}

export interface MigrationScheduleInput {
  name: string;
  namespace: string;
  clusterPair: string;
  policy: string;
  /** The failback schedule waits suspended until `npm run dr -- failback` resumes it. */
  suspend: boolean;
}

/**
 * Resources only (`includeVolumes: false`: the volumes already are in both sites), applications left
 * at 0 replicas on the destination, and Stork suspends the schedule itself if the destination
 * becomes the active site (autoSuspend).
 */
export function migrationSchedule(input: MigrationScheduleInput): CustomObject {
  return {
    apiVersion: STORK_API,
    kind: "MigrationSchedule",
    metadata: { name: input.name, namespace: input.namespace, labels: labels("migration-schedule") },
    spec: {
      template: {
        spec: {
          clusterPair: input.clusterPair,
          namespaces: [input.namespace],
          includeResources: true,
          includeVolumes: false,
          startApplications: false,
        },
      },
      schedulePolicyName: input.policy,
      suspend: input.suspend,
      autoSuspend: true,
    },
  };
}

/** Cluster-scoped request to Stork to mark a cluster domain active or inactive (failover/failback). */
export function clusterDomainUpdate(name: string, domain: string, active: boolean): CustomObject {
  return {
    apiVersion: STORK_API,
    kind: "ClusterDomainUpdate",
    metadata: { name },
    spec: { clusterdomain: domain, active },
  };
}
