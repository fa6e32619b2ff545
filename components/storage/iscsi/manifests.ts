// Pure builders for the iSCSI backend: static PersistentVolumes on LUNs of one target, each pre-bound
// to exactly one database claim. One writer per LUN is enforced by construction (one LUN per database,
// claimRef pre-binding, ReadWriteOnce, and replicas 1 + Recreate upstairs); a lost node is fenced at
// the target by hadb's fence agent on the lab's own target (docs/fencing.md).
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { FENCING_ANNOTATION } from "../../config/fencing";
import { recommendedLabels } from "../../shared/labels";

export const ISCSI_STORAGE_CLASS = "hadb-iscsi";

/**
 * What a user runs when a node is lost for good (exported as `storageRunbook`). Kubernetes never releases
 * the LUN of a node that vanished by itself (docs/real-nodes.md); iSCSI cannot fence, so the taint is only
 * safe once the node is known to be off.
 */
export const ISCSI_RUNBOOK = {
  nodeLost:
    "kubectl taint nodes <node> node.kubernetes.io/out-of-service=nodeshutdown:NoExecute  # only after confirming the node is powered off",
  nodeBack: "kubectl taint nodes <node> node.kubernetes.io/out-of-service=nodeshutdown:NoExecute-",
} as const;
export const ISCSI_NAMESPACE = "hadb-iscsi";
export const CHAP_SECRET_NAME = "hadb-iscsi-chap";
/** The Secret type the in-tree iSCSI volume plugin reads CHAP credentials from. */
export const CHAP_SECRET_TYPE = "kubernetes.io/iscsi-chap";

const labels = (component: string, instance = "iscsi") =>
  recommendedLabels({ name: "hadb-iscsi", instance, component });

export function iscsiNamespace(): k8s.types.input.core.v1.Namespace {
  // Holds only the CHAP Secret the kubelet reads; no pods ever run here.
  return {
    metadata: {
      name: ISCSI_NAMESPACE,
      labels: { ...labels("storage"), "pod-security.kubernetes.io/enforce": "restricted" },
    },
  };
}

export function chapSecret(credentials: {
  user: pulumi.Input<string>;
  password: pulumi.Input<string>;
  discovery: boolean;
}): k8s.types.input.core.v1.Secret {
  return {
    metadata: { name: CHAP_SECRET_NAME, namespace: ISCSI_NAMESPACE, labels: labels("credentials") },
    type: CHAP_SECRET_TYPE,
    stringData: {
      "node.session.auth.username": credentials.user,
      "node.session.auth.password": credentials.password,
      ...(credentials.discovery
        ? {
            "discovery.sendtargets.auth.username": credentials.user,
            "discovery.sendtargets.auth.password": credentials.password,
          }
        : {}),
    },
  };
}

export function iscsiStorageClass(): k8s.types.input.storage.v1.StorageClass {
  return {
    metadata: { name: ISCSI_STORAGE_CLASS, labels: labels("storage-class") },
    // Static volumes only: LUNs are made on the target, not provisioned on demand.
    provisioner: "kubernetes.io/no-provisioner",
    reclaimPolicy: "Retain",
    volumeBindingMode: "Immediate",
    allowVolumeExpansion: false,
  };
}

export interface LunVolume {
  database: string;
  namespace: string;
  /**
   * The claim the PV is pre-bound to. Undefined when an operator names the claim (PGO): that claim
   * then names this PV in `volumeName`, which binds it just as exclusively.
   */
  claim?: string;
  size: string;
  lun: number;
  /** What fences a lost node before this LUN moves; the policy pack reads it (`FENCING_ANNOTATION`). */
  fencing: "target-agent" | "off";
}

export function persistentVolumeName(volume: Pick<LunVolume, "namespace" | "database">): string {
  return `hadb-iscsi-${volume.namespace}-${volume.database}`;
}

export function lunPersistentVolume(
  target: { portal: string; iqn: string; discoveryChap: boolean },
  volume: LunVolume,
): k8s.types.input.core.v1.PersistentVolume {
  return {
    metadata: {
      name: persistentVolumeName(volume),
      labels: labels("volume", volume.database),
      annotations: { [FENCING_ANNOTATION]: volume.fencing },
    },
    spec: {
      capacity: { storage: volume.size },
      accessModes: ["ReadWriteOnce"],
      persistentVolumeReclaimPolicy: "Retain",
      storageClassName: ISCSI_STORAGE_CLASS,
      // Pre-bound: no other claim can ever take this LUN.
      ...(volume.claim !== undefined
        ? { claimRef: { namespace: volume.namespace, name: volume.claim } }
        : {}),
      iscsi: {
        targetPortal: target.portal,
        iqn: target.iqn,
        lun: volume.lun,
        fsType: "ext4",
        readOnly: false,
        chapAuthSession: true,
        chapAuthDiscovery: target.discoveryChap,
        secretRef: { name: CHAP_SECRET_NAME, namespace: ISCSI_NAMESPACE },
      },
    },
  };
}
