// What hadb knows about each storage backend, in one entry per backend: what it needs from the cluster,
// how fast it moves a volume during a failover, how database volumes leave the cluster, and its
// disaster-recovery mode. Pure data, read by config validation, the cluster layer, the failover budget,
// protection and DR. A backend without an entry does not compile (Record<StorageBackend, ...>).
import { STORAGE_BACKENDS, type StorageBackend } from "../config/types";
import { KUBERNETES_FORCE_DETACH_SECONDS } from "../failover/timings";
import { RECURRING_JOB_MAX_RETENTION } from "./longhorn/settings";

export interface StorageTimings {
  /** Detach from the old node + attach on the new one when the old node is healthy. */
  reattachSeconds: number;
  /** Extra wait to release a volume still attached to a node that is down. */
  lostNodeReleaseSeconds: number;
  lostNodeReleaseSource: string;
}

/** Disaster-recovery modes, in the order error messages list their backends. */
export const DISASTER_RECOVERY_MODES = ["px-dr", "longhorn-dr-volumes"] as const;
/** PX-DR Metro (synchronous, one stretched Portworx cluster) or Longhorn DR volumes (asynchronous). */
export type DisasterRecoveryMode = (typeof DISASTER_RECOVERY_MODES)[number];

/** How IRIS and MySQL volumes leave the cluster: Longhorn's own backups, or restic copies of snapshots. */
export type VolumeCopyMethod = "longhorn-backup" | "restic";

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
      lostNodeReleaseSeconds: 15,
      lostNodeReleaseSource:
        "Longhorn nodeDownPodDeletionPolicy=delete-both-statefulset-and-deployment-pod (chart value)",
      deletesLostNodePods: true,
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
      // RBD volumes are released by the node.kubernetes.io/out-of-service taint (runbook step); without it
      // only Kubernetes' force detach helps.
      lostNodeReleaseSeconds: KUBERNETES_FORCE_DETACH_SECONDS,
      lostNodeReleaseSource: "Kubernetes 6-minute force detach unless the out-of-service taint is applied",
      deletesLostNodePods: false,
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
      lostNodeReleaseSeconds: 30,
      lostNodeReleaseSource: "Stork health monitor reschedules pods off offline Portworx nodes",
      deletesLostNodePods: false,
    },
    volumeCopies: "restic",
    disasterRecovery: "px-dr",
  },
  iscsi: {
    needs: { replicatedNodes: false, rawDisks: false, iscsiInitiator: true, rbdKernelModule: false },
    failover: {
      reattachSeconds: 10,
      lostNodeReleaseSeconds: KUBERNETES_FORCE_DETACH_SECONDS,
      lostNodeReleaseSource: "Kubernetes 6-minute force detach (iSCSI has no fencing)",
      deletesLostNodePods: false,
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
