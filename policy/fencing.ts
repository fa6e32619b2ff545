// hadb-fenced-storage: a database volume without fencing of its own (an iSCSI LUN, a Ceph RBD image) is
// declared fenced or explicitly not (docs/fencing.md). hadb writes the declaration itself
// (`hadb.io/fencing` on the iSCSI PersistentVolume and the RBD StorageClass): "target-agent" only with the
// fence agent's identity in the same stack, "off" only when the stack says hadb:fencing.mode off. A
// volume without the declaration (another project's, or one hadb did not make) is a violation.
import { FENCING_ANNOTATION } from "../components/config/fencing";
import { FENCE_AGENT } from "../components/storage/iscsi/fence-agent/manifests";
import {
  describe,
  kindOf,
  list,
  metadataOf,
  nameOf,
  record,
  text,
  type PolicyResourceInput,
} from "./objects";
import type { HadbPolicy } from "./policies";

/** CSI drivers of Ceph RBD (Rook names its driver <operator namespace>.rbd.csi.ceph.com). */
const isRbdDriver = (provisioner: string | undefined) => provisioner?.endsWith(".rbd.csi.ceph.com") ?? false;

/** Volumes that need fencing: iSCSI PersistentVolumes and Ceph RBD StorageClasses. */
function needsFencing(resource: PolicyResourceInput): string | undefined {
  const kind = kindOf(resource.type);
  if (kind === "PersistentVolume" && record(resource.props.spec).iscsi !== undefined) return "an iSCSI LUN";
  if (kind === "StorageClass" && isRbdDriver(text(resource.props.provisioner))) return "Ceph RBD images";
  return undefined;
}

/** The fence agent's node permissions, which "target-agent" stands for. */
function hasFenceAgent(resources: PolicyResourceInput[]): boolean {
  return resources.some(
    (r) =>
      kindOf(r.type) === "ClusterRole" &&
      nameOf(r) === FENCE_AGENT &&
      list(r.props.rules).some((rule) => (rule.verbs as unknown[] | undefined)?.includes("patch")),
  );
}

export const fencedStorage: HadbPolicy = {
  name: "hadb-fenced-storage",
  description:
    "iSCSI and Ceph RBD database volumes have no fencing of their own: they carry hadb.io/fencing, target-agent (with hadb's fence agent in the stack) or off (the stack opted out with hadb:fencing.mode off).",
  checkStack: (resources) => {
    const agent = hasFenceAgent(resources);
    const violations: { resource: PolicyResourceInput; message: string }[] = [];
    for (const resource of resources) {
      const what = needsFencing(resource);
      if (!what) continue;
      const declared = text(record(metadataOf(resource).annotations)[FENCING_ANNOTATION]);
      if (declared === "off") continue;
      if (declared === "target-agent" && agent) continue;
      violations.push({
        resource,
        message:
          declared === "target-agent"
            ? `${describe(resource)} declares ${FENCING_ANNOTATION}: target-agent but the stack has no fence agent (ClusterRole ${FENCE_AGENT} patching nodes)`
            : `${describe(resource)} holds ${what}, which nothing fences when its node is lost: a lost node keeps the volume, and releasing it by hand from a node that still writes makes two writers. Fence it (hadb:fencing, docs/fencing.md) or opt out explicitly (hadb:fencing.mode off sets ${FENCING_ANNOTATION}: off)`,
      });
    }
    return violations;
  },
};
