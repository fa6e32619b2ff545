import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

/** An official chart at a pinned version (OCI charts carry their registry in `chart` and have no repo). */
export interface PinnedChart {
  chart: string;
  version: string;
  repo?: string;
}

export interface PinnedReleaseArgs {
  /** Helm release name. */
  name: string;
  chart: PinnedChart;
  namespace: string;
  values: pulumi.Input<Record<string, unknown>>;
  /** Seconds Helm waits for the release's workloads. */
  timeout?: number;
}

/**
 * Every chart hadb installs: waits until its workloads are ready and rolls a failed install back
 * (atomic) instead of leaving it half done; keeps 10 revisions for `helm rollback`.
 */
export function pinnedRelease(
  resourceName: string,
  args: PinnedReleaseArgs,
  opts: pulumi.CustomResourceOptions,
): k8s.helm.v3.Release {
  return new k8s.helm.v3.Release(
    resourceName,
    {
      name: args.name,
      chart: args.chart.chart,
      version: args.chart.version,
      ...(args.chart.repo !== undefined ? { repositoryOpts: { repo: args.chart.repo } } : {}),
      namespace: args.namespace,
      values: args.values,
      atomic: true,
      timeout: args.timeout ?? 600,
      maxHistory: 10,
    },
    opts,
  );
}
