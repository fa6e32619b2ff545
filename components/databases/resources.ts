// Creates one database's Kubernetes objects from its engine's manifests, in the order failover relies
// on: credentials (after their guard, credentials-guard.ts) and configuration, then the claim (only once
// storage is ready), then the single writer, then its Service.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { ClusterHandle } from "../cluster/handle";
import type { StorageHandle } from "../storage/handle";
import { onNodes, type SingleWriterDeployment } from "./deployment";

export interface DatabaseManifests {
  /** The credentials guard (credentials-guard.ts): applied before the credentials Secret. */
  credentialsGuard: k8s.types.input.core.v1.ConfigMap;
  credentials: k8s.types.input.core.v1.Secret;
  config: k8s.types.input.core.v1.ConfigMap;
  claim: k8s.types.input.core.v1.PersistentVolumeClaim;
  deployment: SingleWriterDeployment;
  service: k8s.types.input.core.v1.Service;
}

export interface DatabaseResourceContext {
  parent: pulumi.Resource;
  cluster: ClusterHandle;
  storage: StorageHandle;
  namespace: k8s.core.v1.Namespace;
  /** DR standby: created at 0 replicas; activation owns the count from then on. */
  standby?: boolean;
}

export function createDatabaseResources(
  name: string,
  manifests: DatabaseManifests,
  context: DatabaseResourceContext,
): { deployment: k8s.apps.v1.Deployment; service: k8s.core.v1.Service } {
  const childOpts = {
    parent: context.parent,
    provider: context.cluster.provider,
    dependsOn: [context.namespace],
  };
  const guard = new k8s.core.v1.ConfigMap(`${name}-credentials-guard`, manifests.credentialsGuard, childOpts);
  const credentials = new k8s.core.v1.Secret(`${name}-credentials`, manifests.credentials, {
    ...childOpts,
    dependsOn: [context.namespace, guard],
  });
  const config = new k8s.core.v1.ConfigMap(`${name}-config`, manifests.config, childOpts);
  const claim = new k8s.core.v1.PersistentVolumeClaim(`${name}-data`, manifests.claim, {
    ...childOpts,
    dependsOn: [context.namespace, ...context.storage.ready],
  });
  const placed = onNodes(manifests.deployment, context.cluster.databaseNodeSelector);
  const deployment = new k8s.apps.v1.Deployment(
    name,
    context.standby ? { ...placed, spec: { ...placed.spec, replicas: 0 } } : placed,
    {
      ...childOpts,
      dependsOn: [credentials, config, claim],
      // On a standby `npm run dr -- failover` scales the writer up; `pulumi up` must not scale it back.
      ...(context.standby ? { ignoreChanges: ["spec.replicas"] } : {}),
    },
  );
  const service = new k8s.core.v1.Service(`${name}-svc`, manifests.service, {
    ...childOpts,
    dependsOn: [deployment],
  });
  return { deployment, service };
}
