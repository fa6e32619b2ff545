// The single-writer Deployment every engine uses: one replica, Recreate (never two pods on the volume,
// not even during a rollout), failover tolerations, non-root pod, no API token. Engines supply only
// their containers and volumes.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { failoverTolerations, type FailoverToleration } from "./failover";

/** A probe whose timings (read by the failover budget) are plain numbers; unset = Kubernetes' default. */
export interface DatabaseProbe extends k8s.types.input.core.v1.Probe {
  periodSeconds?: number;
  failureThreshold?: number;
}

/** A container of a single writer, named, with plain probes. */
export interface DatabaseContainer extends k8s.types.input.core.v1.Container {
  name: string;
  livenessProbe?: DatabaseProbe;
  readinessProbe?: DatabaseProbe;
  startupProbe?: DatabaseProbe;
}

/**
 * The Deployment as plain data: what the component creates, what the failover budget reads and what
 * a standby or a node selector changes, all without casts.
 */
export interface SingleWriterDeployment {
  metadata: SingleWriterParts["metadata"];
  spec: {
    replicas: number;
    strategy: { type: "Recreate" };
    revisionHistoryLimit: number;
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string>; annotations?: SingleWriterParts["podAnnotations"] };
      spec: {
        automountServiceAccountToken: boolean;
        enableServiceLinks: boolean;
        terminationGracePeriodSeconds: number;
        tolerations: FailoverToleration[];
        securityContext: k8s.types.input.core.v1.PodSecurityContext;
        containers: DatabaseContainer[];
        volumes: k8s.types.input.core.v1.Volume[];
        nodeSelector?: Record<string, string>;
      };
    };
  };
}

export interface SingleWriterParts {
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  selector: Record<string, string>;
  podAnnotations?: Record<string, pulumi.Input<string>>;
  /** The engine's non-root user; also the volume's group. */
  uid: number;
  evictionTolerationSeconds: number;
  /** Time for the engine's clean shutdown on SIGTERM (a kill means crash recovery at the next start). */
  terminationGracePeriodSeconds: number;
  containers: DatabaseContainer[];
  volumes: k8s.types.input.core.v1.Volume[];
}

export function singleWriterDeployment(parts: SingleWriterParts): SingleWriterDeployment {
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
  deployment: SingleWriterDeployment,
  nodeSelector: Record<string, string> | undefined,
): SingleWriterDeployment {
  if (!nodeSelector) return deployment;
  const { spec } = deployment;
  return {
    ...deployment,
    spec: { ...spec, template: { ...spec.template, spec: { ...spec.template.spec, nodeSelector } } },
  };
}
