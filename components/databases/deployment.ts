// The single-writer Deployment every engine uses: one replica, Recreate (never two pods on the volume,
// not even during a rollout), failover tolerations, non-root pod, no API token. Engines supply only
// their containers and volumes.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { failoverTolerations } from "./failover";

export interface SingleWriterParts {
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  selector: Record<string, string>;
  podAnnotations?: Record<string, pulumi.Input<string>>;
  /** The engine's non-root user; also the volume's group. */
  uid: number;
  evictionTolerationSeconds: number;
  /** Time for the engine's clean shutdown on SIGTERM (a kill means crash recovery at the next start). */
  terminationGracePeriodSeconds: number;
  containers: k8s.types.input.core.v1.Container[];
  volumes: k8s.types.input.core.v1.Volume[];
}

export function singleWriterDeployment(parts: SingleWriterParts): k8s.types.input.apps.v1.Deployment {
  return {
    metadata: parts.metadata,
    spec: {
      replicas: 1,
      strategy: { type: "Recreate" },
      revisionHistoryLimit: 3,
      selector: { matchLabels: parts.selector },
      template: {
        metadata: {
          labels: parts.metadata.labels,
          ...(parts.podAnnotations ? { annotations: parts.podAnnotations } : {}),
        },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: parts.terminationGracePeriodSeconds,
          tolerations: failoverTolerations(parts.evictionTolerationSeconds),
          securityContext: {
            runAsNonRoot: true,
            runAsUser: parts.uid,
            runAsGroup: parts.uid,
            fsGroup: parts.uid,
            // Skip the recursive chown of a large volume on every failover when ownership is already right.
            fsGroupChangePolicy: "OnRootMismatch",
            seccompProfile: { type: "RuntimeDefault" },
          },
          containers: parts.containers,
          volumes: parts.volumes,
        },
      },
    },
  };
}

/** Pins a database Deployment to labelled nodes (a dedicated pool); unchanged without a selector. */
export function onNodes(
  deployment: k8s.types.input.apps.v1.Deployment,
  nodeSelector: Record<string, string> | undefined,
): k8s.types.input.apps.v1.Deployment {
  if (!nodeSelector) return deployment;
  const spec = deployment.spec as k8s.types.input.apps.v1.DeploymentSpec;
  const template = spec.template as k8s.types.input.core.v1.PodTemplateSpec;
  return {
    ...deployment,
    spec: {
      ...spec,
      template: {
        ...template,
        spec: { ...(template.spec as object), nodeSelector } as k8s.types.input.core.v1.PodSpec,
      },
    },
  };
}
