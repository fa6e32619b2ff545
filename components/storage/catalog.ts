// What hadb knows about each storage backend, in one entry per backend: what it needs from the cluster,
// how fast it moves a volume during a failover, how database volumes leave the cluster, and its
// disaster-recovery mode. Pure data, read by config validation, the cluster layer, the failover budget,
// protection and DR. A backend without an entry does not compile (Record<StorageBackend, ...>).
import { STORAGE_BACKENDS, type StorageBackend } from "../config/types";
import { RECURRING_JOB_MAX_RETENTION } from "./longhorn/settings";

export interface StorageTimings {
  /** Detach from the old node + attach on the new one when the old node is healthy. */
  reattachSeconds: number;
  /** What releases a volume still attached to a node that is down, and how long it takes. */
  lostNodeReleaseStep: string;
  lostNodeReleaseSeconds: number;
  lostNodeReleaseSource: string;
  /** Only an operator's step releases it (the backend has no fencing of its own). */
  lostNodeReleaseByOperator: boolean;
  /**
   * Attach on the new node after a lost node, when it takes longer than `reattachSeconds` (a login, then
   * a mount that replays the journal of a filesystem never unmounted), and where that number comes from.
   */
  lostNodeAttachSeconds?: number;
  lostNodeAttachSource?: string;
}

/**
 * Backends without fencing (Rook-Ceph RBD, iSCSI): Kubernetes itself never releases the volume of a node
 * that vanished. The evicted pod stays Terminating with its containers last reported running, so the
 * attach-detach controller keeps the volume on that node and the new pod waits ("Multi-Attach": volume
 * already used by the old pod) until the node returns; its 6-minute force detach only starts once the old
 * pod is gone. Measured on real nodes (docs/real-nodes.md): not back after 600 s; the out-of-service taint
 * (the runbook's step, once the node is known to be off) had the pod deleted and the volume attached to
 * the new node within about a second.
 */
export const OUT_OF_SERVICE_RELEASE = {
  lostNodeReleaseStep:
    "out-of-service taint applied (runbook): the old pod is deleted and the volume detached",
  lostNodeReleaseSeconds: 0,
  lostNodeReleaseSource:
    "operator action (storageRunbook.nodeLost, once the node is known to be off); without it the volume stays attached until the node returns (measured: docs/real-nodes.md)",
  lostNodeReleaseByOperator: true,
} as const;

const RELEASED_BY_STORAGE = "volume released from the lost node";

/** Disaster-recovery modes, in the order error messages list their backends. */
export const DISASTER_RECOVERY_MODES = ["px-dr", "longhorn-dr-volumes"] as const;
/** PX-DR Metro (synchronous, one stretched Portworx cluster) or Longhorn DR volumes (asynchronous). */
export type DisasterRecoveryMode = (typeof DISASTER_RECOVERY_MODES)[number];

/** How IRIS and MySQL volumes leave the cluster: Longhorn's own backups, or restic copies of snapshots. */
export type VolumeCopyMethod = "longhorn-backup" | "restic";

/**
 * What can fence a node the backend has lost (keep it from writing before its volume moves;
 * docs/fencing.md). Read by hadb:fencing's validation, the budget and the policy pack.
 */
export interface StorageFencing {
  /** The backend fences a lost node by itself, which hadb cannot turn off: its name and how it does it. */
  itself?: { product: string; how: string };
  /** hadb's fence agent fences it beside the lab's own iSCSI target (hadb:iscsi.target kind "vagrant"). */
  agentOnLabTarget: boolean;
  /** Why hadb cannot fence it where neither applies (docs/fencing.md#research). */
  unavailable?: string;
}

export interface StorageBackendEntry {
  needs: {
    /** Keeps several copies of each volume, each on its own node. */
    replicatedNodes: boolean;
    /** Takes raw block devices under its own control (cloud volumes or node disks). */
    rawDisks: boolean;
    /** open-iscsi on every node, which a read-only node image cannot install. */
    iscsiInitiator: boolean;
    /** The rbd kernel module (Container-Optimized OS has none). */
    rbdKernelModule: boolean;
    /** What a lab VM runs next to a database, when that needs more than a database alone. */
    labNodeMemory?: { minimumMB: number; runs: string };
  };
  failover: StorageTimings & {
    /**
     * Deletes the pods of a lost node itself, StatefulSet pods included; elsewhere a StatefulSet pod
     * waits for the out-of-service taint (storageRunbook).
     */
    deletesLostNodePods: boolean;
  };
  fencing: StorageFencing;
  /** What carries IRIS and MySQL volume copies off the cluster; undefined: validation refuses backups. */
  volumeCopies: VolumeCopyMethod | undefined;
  disasterRecovery: DisasterRecoveryMode | undefined;
  /**
   * The most snapshots or backups of a volume the backend lets one schedule keep (`hadb:backups.retain`,
   * `snapshotRetain`), and why; undefined: hadb's own limit only.
   */
  retainLimit?: { max: number; reason: string };
}

/** Lab VM memory that fits a Ceph monitor + OSD (or Portworx) next to a database. */
const RAW_DISK_LAB_MEMORY_MB = 8192;

export const STORAGE_CATALOG: Record<StorageBackend, StorageBackendEntry> = {
  longhorn: {
    needs: { replicatedNodes: true, rawDisks: false, iscsiInitiator: true, rbdKernelModule: false },
    failover: {
      reattachSeconds: 15,
      // nodeDownPodDeletionPolicy: the manager force-deletes the pod and its VolumeAttachment once the
      // node is down and the pod is terminating (hadb sets it in the chart values).
      lostNodeReleaseStep: RELEASED_BY_STORAGE,
      lostNodeReleaseSeconds: 15,
      lostNodeReleaseSource:
        "Longhorn nodeDownPodDeletionPolicy=delete-both-statefulset-and-deployment-pod (chart value)",
      lostNodeReleaseByOperator: false,
      deletesLostNodePods: true,
    },
    fencing: {
      itself: {
        product: "Longhorn",
        how: "it deletes the lost node's pods and attachments, and the node's engine loses the healthy replicas",
      },
      agentOnLabTarget: false,
    },
    volumeCopies: "longhorn-backup",
    disasterRecovery: "longhorn-dr-volumes",
    // Both become a RecurringJob's `retain`, which Longhorn's admission webhook caps.
    retainLimit: {
      max: RECURRING_JOB_MAX_RETENTION.default,
      reason: `Longhorn refuses a recurring job that keeps more than its ${RECURRING_JOB_MAX_RETENTION.setting} setting (${RECURRING_JOB_MAX_RETENTION.default}, Longhorn's default, which hadb keeps)`,
    },
  },
  "rook-ceph": {
    needs: {
      replicatedNodes: true,
      rawDisks: true,
      iscsiInitiator: false,
      rbdKernelModule: true,
      labNodeMemory: {
        minimumMB: RAW_DISK_LAB_MEMORY_MB,
        runs: "a Ceph monitor, an OSD (4 GiB memory target)",
      },
    },
    failover: {
      reattachSeconds: 15,
      // The same Kubernetes rule as iSCSI (measured there): RBD volumes wait for the runbook's taint.
      ...OUT_OF_SERVICE_RELEASE,
      deletesLostNodePods: false,
    },
    fencing: {
      agentOnLabTarget: false,
      unavailable:
        "an RBD client is only fenced by Ceph's blocklist, which Rook applies with its network fencing (the CSI-Addons controller and enableFencing), which hadb does not install",
    },
    volumeCopies: "restic",
    disasterRecovery: undefined,
  },
  portworx: {
    needs: {
      replicatedNodes: true,
      rawDisks: true,
      iscsiInitiator: false,
      rbdKernelModule: false,
      labNodeMemory: { minimumMB: RAW_DISK_LAB_MEMORY_MB, runs: "Portworx (4 GB minimum per node)" },
    },
    failover: {
      reattachSeconds: 10,
      lostNodeReleaseStep: RELEASED_BY_STORAGE,
      lostNodeReleaseSeconds: 30,
      lostNodeReleaseSource: "Stork health monitor reschedules pods off offline Portworx nodes",
      lostNodeReleaseByOperator: false,
      deletesLostNodePods: false,
    },
    fencing: {
      itself: { product: "Portworx", how: "it halts I/O on a node out of quorum" },
      agentOnLabTarget: false,
    },
    volumeCopies: "restic",
    disasterRecovery: "px-dr",
  },
  iscsi: {
    needs: { replicatedNodes: false, rawDisks: false, iscsiInitiator: true, rbdKernelModule: false },
    failover: {
      reattachSeconds: 10,
      // After a lost node the new node logs in and mounts a filesystem that was never unmounted: its
      // journal is replayed. Measured on real (emulated) nodes: login 9.6 s after the release, the
      // container started 42 s after it (docs/fencing.md#measured-on-real-nodes).
      lostNodeAttachSeconds: 20,
      lostNodeAttachSource:
        "iSCSI login and a mount replaying the journal of a filesystem never unmounted (measured on real nodes: docs/fencing.md)",
      ...OUT_OF_SERVICE_RELEASE,
      deletesLostNodePods: false,
    },
    fencing: {
      agentOnLabTarget: true,
      unavailable:
        "an external target can only be fenced by the target itself (its ACL or SCSI-3 persistent reservations), which hadb does not manage; hadb's fence agent runs beside the lab's own target",
    },
    // Static LUNs have no snapshots here: validation refuses hadb:backups on iscsi.
    volumeCopies: undefined,
    disasterRecovery: undefined,
  },
};

const backendsWhere = (test: (entry: StorageBackendEntry) => boolean): readonly StorageBackend[] =>
  STORAGE_BACKENDS.filter((backend) => test(STORAGE_CATALOG[backend]));

/** Backends that put raw block devices under their own control (cloud volumes or node disks). */
export const RAW_DISK_BACKENDS = backendsWhere((entry) => entry.needs.rawDisks);

/** Backends that keep several copies of each volume on different nodes. */
export const REPLICATED_BACKENDS = backendsWhere((entry) => entry.needs.replicatedNodes);

/** Backends with a disaster-recovery mode, PX-DR first. */
export const DISASTER_RECOVERY_BACKENDS: readonly StorageBackend[] = DISASTER_RECOVERY_MODES.flatMap((mode) =>
  backendsWhere((entry) => entry.disasterRecovery === mode),
);

/** Backends whose volumes hadb's fence agent fences beside the lab's own iSCSI target. */
export const LAB_TARGET_AGENT_BACKENDS = backendsWhere((entry) => entry.fencing.agentOnLabTarget);
