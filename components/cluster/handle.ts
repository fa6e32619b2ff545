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
  /** Kubeconfig (secret) when hadb created the cluster; undefined for an existing cluster. */
  kubeconfig: pulumi.Output<string> | undefined;
  zones: string[];
  nodeOs: NodeOsFamily;
  nodeCount: number;
  /** An iSCSI target the cluster layer created (the Vagrant lab's target VM), for storage "iscsi". */
  iscsiTarget?: IscsiTargetHandle;
}

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
}
