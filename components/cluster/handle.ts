import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { Cloud, NodeOsFamily } from "../config/types";

/**
 * What every cluster component hands to the layers above. Storage and databases only ever use this,
 * so they do not care whether the cluster is AKS, EKS, GKE, Vagrant or one that already existed.
 */
export interface ClusterHandle {
  platform: Cloud;
  /** Every Kubernetes resource of the stack is created through this provider. */
  provider: k8s.Provider;
  /** Kubeconfig (secret) when hadb created the cluster or hadb:kubeconfig gave it; else undefined. */
  kubeconfig: pulumi.Output<string> | undefined;
  zones: string[];
  nodeOs: NodeOsFamily;
  nodeCount: number;
  /** An iSCSI target the cluster layer created (the Vagrant lab's target VM), for storage "iscsi". */
  iscsiTarget?: IscsiTargetHandle;
  /** How open-iscsi and the NFS client get onto the nodes. */
  nodePreparation: NodePreparation;
  /** Whether the cluster serves snapshot.storage.k8s.io/v1 (CRDs + snapshot controller). */
  volumeSnapshots: boolean;
  /** Where Rook-Ceph OSDs and Portworx drives get raw block storage. */
  blockDevices: BlockDeviceSource;
  /** Private object store for off-cluster backups; present when hadb:backups.enabled on a cloud. */
  backupStore?: BackupStoreHandle;
  /** Node labels that pin database pods to a dedicated pool; undefined = any node. */
  databaseNodeSelector?: Record<string, string>;
  /** What the stack exports about the cluster (docs/outputs.md). */
  summary: ClusterSummary;
}

export interface ClusterSummary {
  platform: Cloud;
  /** Cloud cluster name, known after deploy; undefined for clusters hadb did not create. */
  name?: pulumi.Output<string>;
  region?: string;
  zones: string[];
  nodeCount: number;
  nodeImage?: string;
}

/**
 * "daemonset": the node-prep DaemonSet installs and starts the packages on every node.
 * "cluster": the cluster layer already did (node user data, or an image that needs nothing);
 * storage waits for `ready` instead.
 */
export type NodePreparation = { by: "daemonset" } | { by: "cluster"; how: string; ready: pulumi.Resource[] };

/**
 * "volumes": each OSD / drive is a volume claimed from the cloud's block StorageClass (or, for
 * Portworx, created by Portworx itself from `portworxDeviceSpec`).
 * "devices": raw disks attached to every node at these paths.
 * "none": the cluster cannot offer raw block storage; `reason` says why.
 */
export type BlockDeviceSource =
  | {
      kind: "volumes";
      storageClassName: string;
      sizeGB: number;
      /** Portworx cloud-drive spec, e.g. "type=gp3,size=100". */
      portworxDeviceSpec: string;
      /** The StorageClass (and its CSI driver) exist after these. */
      ready: pulumi.Resource[];
    }
  | { kind: "devices"; paths: string[] }
  | { kind: "none"; reason: string };

/** A private bucket/container and credentials limited to it. Secret values are Pulumi secrets. */
export type BackupStoreHandle =
  | {
      kind: "s3" | "gcs";
      bucket: pulumi.Output<string>;
      region: string;
      /** S3-compatible endpoint: AWS's regional endpoint, or GCS's interoperability endpoint. */
      endpoint: string;
      accessKeyId: pulumi.Output<string>;
      secretAccessKey: pulumi.Output<string>;
      ready: pulumi.Resource[];
    }
  | {
      kind: "azure-blob";
      container: pulumi.Output<string>;
      region: string;
      accountName: pulumi.Output<string>;
      accountKey: pulumi.Output<string>;
      ready: pulumi.Resource[];
    };

/** How nodes reach an iSCSI target: portal, IQN, one LUN per database, CHAP credentials. */
export interface IscsiTargetHandle {
  portal: string;
  iqn: string;
  /** LUN per database name. */
  lunByDatabase: Record<string, number>;
  chapUser: pulumi.Input<string>;
  /** Secret. */
  chapPassword: pulumi.Input<string>;
  /** Whether the target also demands CHAP at discovery (SendTargets). */
  discoveryChap: boolean;
  /** Resources that must exist before anything logs in (the target VM). */
  ready: pulumi.Resource[];
  /** Where hadb's fence agent can run beside the target (the lab's target VM); absent for external targets. */
  fenceAgentHost?: FenceAgentHost;
}

/** The host of an iSCSI target hadb runs itself, able to run hadb's fence agent (docs/fencing.md). */
export interface FenceAgentHost {
  /** The API server as the host reaches it. */
  apiServer: string;
  /** Every node with the address its initiator logs in from: the target's ACL entries, one per node. */
  initiators: { node: string; address: string }[];
  /** Runs the agent's installer on the host with these inputs, plus the token of `tokenSecret` and the cluster CA. */
  installFenceAgent(
    name: string,
    inputs: {
      installScript: string;
      environment: Record<string, string>;
      tokenSecret: { namespace: string; name: string };
    },
    opts: pulumi.ComponentResourceOptions,
  ): pulumi.Resource;
}
