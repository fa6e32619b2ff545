import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PortworxSettings } from "../../config/types";
import type { ReplicatedStorageArgs, StorageHandle } from "../handle";
import { pinnedRelease } from "../../shared/helm";
import { storageNamespace } from "../namespace";
import {
  AZURE_CREDENTIALS_SECRET,
  LICENSE_SECRET,
  PORTWORX_CHART,
  PORTWORX_NAMESPACE,
  portworxOperatorValues,
  portworxSnapshotClass,
  portworxStorageClass,
  storageCluster,
} from "./manifests";

/**
 * Portworx Enterprise: the operator from the official chart, a StorageCluster (cloud drives on AKS/EKS/
 * GKE, raw devices elsewhere; internal KVDB; Stork and CSI on), the database StorageClass (3 replicas)
 * and a VolumeSnapshotClass.
 */
export class Portworx extends pulumi.ComponentResource {
  readonly handle: StorageHandle;

  constructor(
    name: string,
    args: ReplicatedStorageArgs & { settings: PortworxSettings },
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("hadb:storage:Portworx", name, {}, opts);
    const childOpts = { parent: this, provider: args.cluster.provider };
    const { settings, cluster } = args;
    const namespace = storageNamespace(
      `${name}-ns`,
      { namespace: PORTWORX_NAMESPACE, app: "portworx", instance: name },
      childOpts,
    );
    const inNamespace = { ...childOpts, dependsOn: [namespace] };
    const secrets: pulumi.Resource[] = [];
    if (settings.licenseKey !== undefined) {
      secrets.push(
        new k8s.core.v1.Secret(
          `${name}-license`,
          {
            metadata: { name: LICENSE_SECRET, namespace: PORTWORX_NAMESPACE },
            stringData: { accountKey: pulumi.secret(settings.licenseKey) },
          },
          inNamespace,
        ),
      );
    }
    if (settings.azure) {
      secrets.push(
        new k8s.core.v1.Secret(
          `${name}-azure`,
          {
            metadata: { name: AZURE_CREDENTIALS_SECRET, namespace: PORTWORX_NAMESPACE },
            stringData: {
              AZURE_TENANT_ID: settings.azure.tenantId,
              AZURE_CLIENT_ID: settings.azure.clientId,
              AZURE_CLIENT_SECRET: pulumi.secret(settings.azure.clientSecret),
            },
          },
          inNamespace,
        ),
      );
    }
    const operator = pinnedRelease(
      name,
      {
        name: "portworx",
        chart: PORTWORX_CHART,
        namespace: PORTWORX_NAMESPACE,
        values: portworxOperatorValues(),
      },
      { ...childOpts, dependsOn: [namespace, ...args.nodePrep.ready] },
    );
    const zones = Math.max(cluster.zones.length, 1);
    const pxCluster = new k8s.apiextensions.CustomResource(
      `${name}-cluster`,
      storageCluster({
        name: settings.clusterName,
        platform: cluster.platform,
        blockDevices: cluster.blockDevices,
        nodesPerZone: Math.ceil(cluster.nodeCount / zones),
        volumeSnapshots: cluster.volumeSnapshots,
        licensed: settings.licenseKey !== undefined,
        azureCredentials: settings.azure !== undefined,
        ...(settings.kvdbEndpoints ? { kvdbEndpoints: settings.kvdbEndpoints } : {}),
        ...(settings.clusterDomain !== undefined ? { clusterDomain: settings.clusterDomain } : {}),
      }),
      { ...childOpts, dependsOn: [operator, ...secrets] },
    );
    const storageClassName = `hadb-${name}`;
    // PX-DR sites keep the same 3 copies: Metro domain protection spreads a volume's replicas over both
    // cluster domains (documented for repl 2), so each site holds at least one and one site holds two.
    const replicas = args.replicas;
    const storageClass = new k8s.storage.v1.StorageClass(
      `${name}-class`,
      portworxStorageClass(storageClassName, replicas),
      { ...childOpts, dependsOn: [pxCluster] },
    );
    const snapshotClassName = `${storageClassName}-snapshots`;
    // Portworx installs the snapshot controller itself where the platform has none (spec.csi).
    new k8s.apiextensions.CustomResource(`${name}-snapshot-class`, portworxSnapshotClass(snapshotClassName), {
      ...childOpts,
      dependsOn: [pxCluster],
    });
    const scheduledSnapshotClassName = `${storageClassName}-scheduled`;
    new k8s.apiextensions.CustomResource(
      `${name}-scheduled-snapshot-class`,
      portworxSnapshotClass(scheduledSnapshotClassName, "Delete"),
      { ...childOpts, dependsOn: [pxCluster] },
    );
    this.handle = {
      backend: "portworx",
      storageClassName,
      replicaCount: replicas,
      ready: [storageClass],
      snapshotClassName,
      scheduledSnapshotClassName,
    };
    this.registerOutputs({ storageClassName, chartVersion: PORTWORX_CHART.version });
  }
}
