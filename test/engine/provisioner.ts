// STAND-IN dynamic volume provisioner for the real-engine tier: the control plane runs no CSI driver
// (Longhorn, Ceph and Portworx need real nodes), so this loop does what an external provisioner does
// for a claim whose StorageClass names it: creates a PersistentVolume of the claim's size, access modes
// and class, with the class's reclaim policy, pre-bound to the claim. The volume is a hostPath no
// container ever uses (kwok plays the kubelets). Claims that name a volume (static PVs) are left alone.
import type { ControlPlane } from "../controlplane/cluster";
import { assignLoadBalancers } from "./load-balancers";

interface Claim {
  metadata: { name: string; namespace: string; uid: string };
  spec: {
    storageClassName?: string;
    volumeName?: string;
    accessModes?: string[];
    resources?: { requests?: { storage?: string } };
    volumeMode?: string;
  };
  status?: { phase?: string };
}

export const PROVISIONED_LABEL = "hadb.test/stand-in-provisioner";

export interface Provisioner {
  /** Volumes created so far (names). */
  created: string[];
  stop(): Promise<void>;
}

async function reclaimPolicies(cp: ControlPlane): Promise<Map<string, string>> {
  const classes = JSON.parse(await cp.kubectl(["get", "storageclass", "-o", "json"])) as {
    items: { metadata: { name: string }; reclaimPolicy?: string }[];
  };
  return new Map(classes.items.map((c) => [c.metadata.name, c.reclaimPolicy ?? "Delete"]));
}

async function provisionPending(cp: ControlPlane, created: string[]): Promise<void> {
  const claims = JSON.parse(await cp.kubectl(["get", "pvc", "-A", "-o", "json"])) as { items: Claim[] };
  const pending = claims.items.filter((c) => c.status?.phase === "Pending" && !c.spec.volumeName);
  if (pending.length === 0) return;
  const policies = await reclaimPolicies(cp);
  for (const claim of pending) {
    const className = claim.spec.storageClassName ?? "";
    const policy = policies.get(className);
    if (policy === undefined) continue; // its class does not exist (yet): a real provisioner waits too
    const name = `pvc-${claim.metadata.uid}`;
    const volume = {
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name, labels: { [PROVISIONED_LABEL]: "true" } },
      spec: {
        capacity: { storage: claim.spec.resources?.requests?.storage ?? "1Gi" },
        accessModes: claim.spec.accessModes ?? ["ReadWriteOnce"],
        storageClassName: className,
        volumeMode: claim.spec.volumeMode ?? "Filesystem",
        persistentVolumeReclaimPolicy: policy,
        claimRef: {
          apiVersion: "v1",
          kind: "PersistentVolumeClaim",
          namespace: claim.metadata.namespace,
          name: claim.metadata.name,
          uid: claim.metadata.uid,
        },
        hostPath: { path: `/var/lib/hadb-engine/${name}`, type: "DirectoryOrCreate" },
      },
    };
    const result = await cp.kubectlResult(["create", "-f", "-"], JSON.stringify(volume));
    if (result.code === 0) created.push(name);
  }
}

/** Starts the loop (every 2 s until stop()): volumes, and load-balancer addresses (load-balancers.ts). */
export function startProvisioner(cp: ControlPlane): Provisioner {
  const created: string[] = [];
  const state = { stopped: false };
  const loop = (async () => {
    while (!state.stopped) {
      try {
        await provisionPending(cp, created);
        await assignLoadBalancers(cp);
      } catch {
        // the API server is starting or stopping: try again next round
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
  })();
  return {
    created,
    async stop() {
      state.stopped = true;
      await loop;
    },
  };
}
