import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ReplicatedStorageArgs, StorageHandle } from "../handle";
import { storageNamespace } from "../namespace";
import { LONGHORN_CHART, LONGHORN_NAMESPACE, longhornStorageClass, longhornValues } from "./chart";

/** Longhorn from its official chart, installed only after node prep, plus hadb's database StorageClass. */
export class Longhorn extends pulumi.ComponentResource {
  readonly handle: StorageHandle;

  constructor(name: string, args: ReplicatedStorageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("hadb:storage:Longhorn", name, {}, opts);
    const childOpts = { parent: this, provider: args.cluster.provider };
    const namespace = storageNamespace(
      `${name}-ns`,
      { namespace: LONGHORN_NAMESPACE, app: "longhorn", instance: name },
      childOpts,
    );
    const release = new k8s.helm.v3.Release(
      name,
      {
        name: "longhorn",
        chart: LONGHORN_CHART.chart,
        version: LONGHORN_CHART.version,
        repositoryOpts: { repo: LONGHORN_CHART.repo },
        namespace: LONGHORN_NAMESPACE,
        values: longhornValues({ replicas: args.replicas, zones: args.cluster.zones }),
        // Wait for Longhorn to be ready; roll back a failed install instead of leaving it half-done.
        atomic: true,
        timeout: 900,
        maxHistory: 10,
      },
      { ...childOpts, dependsOn: [namespace, ...args.nodePrep.ready] },
    );
    const storageClassName = `hadb-${name}`;
    const storageClass = new k8s.storage.v1.StorageClass(
      `${name}-class`,
      longhornStorageClass({ name: storageClassName, replicas: args.replicas }),
      { ...childOpts, dependsOn: [release] },
    );
    this.handle = {
      backend: "longhorn",
      storageClassName,
      replicaCount: args.replicas,
      ready: [storageClass],
    };
    this.registerOutputs({ storageClassName, chartVersion: LONGHORN_CHART.version });
  }
}
