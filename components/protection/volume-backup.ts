// The scheduled volume backup of one database (pure; tested): volume-backup.sh snapshots the data claim
// (IRIS frozen around it), keeps `retain` snapshots and, for off-cluster copies, clones the snapshot and
// runs the restic copy Job. Its least-privilege Role and its CronJob; field names follow batch/v1.
import type * as k8s from "@pulumi/kubernetes";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { kubectlCronJob } from "./kubectl-job";
import { COPY_DEADLINE_SECONDS } from "./copy";
import { recommendedLabels } from "../shared/labels";

export const VOLUME_BACKUP_SCRIPT = "volume-backup.sh";

export function volumeBackupScript(): string {
  return readFileSync(join(__dirname, VOLUME_BACKUP_SCRIPT), "utf8");
}

export interface VolumeBackupNames {
  namespace: string;
  /** The database Deployment and its data claim. */
  deployment: string;
  claim: string;
  /** ServiceAccount/Role/ConfigMap/CronJob name. */
  job: string;
}

/** One scheduled run of volume-backup.sh: how it makes the copy consistent and where it goes. */
export interface VolumeBackupMode {
  /** IRIS: ExternalFreeze/Thaw around the snapshot; none: crash-consistent. */
  freeze: "iris" | "none";
  /** none: the snapshot is the backup (Longhorn `bak`, or a local restore point); restic: copied off. */
  copy: "none" | "restic";
}

/**
 * What the job may do, in its namespace only: exec into the IRIS pod (to freeze it), manage
 * VolumeSnapshots, and for off-cluster copies create and remove the clone claim and the restic Job.
 */
export function volumeBackupRole(
  names: VolumeBackupNames,
  mode: VolumeBackupMode,
): k8s.types.input.rbac.v1.Role {
  return {
    metadata: { name: names.job, namespace: names.namespace },
    rules: [
      ...(mode.freeze === "iris"
        ? [
            {
              apiGroups: ["apps"],
              resources: ["deployments"],
              resourceNames: [names.deployment],
              verbs: ["get"],
            },
            { apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] },
          ]
        : []),
      { apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] },
      {
        apiGroups: ["snapshot.storage.k8s.io"],
        resources: ["volumesnapshots"],
        verbs: ["create", "get", "list", "delete"],
      },
      ...(mode.copy === "restic"
        ? [
            { apiGroups: [""], resources: ["persistentvolumeclaims"], verbs: ["create", "get", "delete"] },
            { apiGroups: ["batch"], resources: ["jobs"], verbs: ["create", "get", "delete"] },
            { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
          ]
        : []),
    ],
  };
}

export function volumeBackupCronJob(
  names: VolumeBackupNames,
  args: VolumeBackupMode & { schedule: string; retain: number; snapshotClass: string },
): k8s.types.input.batch.v1.CronJob {
  return kubectlCronJob({
    name: names.job,
    namespace: names.namespace,
    labels: recommendedLabels({ name: "volume-backup", instance: names.deployment, component: "backup" }),
    schedule: args.schedule,
    script: VOLUME_BACKUP_SCRIPT,
    env: [
      { name: "HADB_NAMESPACE", value: names.namespace },
      { name: "HADB_DEPLOYMENT", value: names.deployment },
      { name: "HADB_CLAIM", value: names.claim },
      { name: "HADB_SNAPSHOT_CLASS", value: args.snapshotClass },
      { name: "HADB_RETAIN", value: String(args.retain) },
      { name: "HADB_FREEZE", value: args.freeze },
      { name: "HADB_COPY", value: args.copy },
      ...(args.copy === "restic"
        ? [{ name: "HADB_COPY_TIMEOUT_SECONDS", value: String(COPY_DEADLINE_SECONDS + 600) }]
        : []),
    ],
    // A copy uploads the whole volume the first time (restic deduplicates every later one).
    activeDeadlineSeconds: args.copy === "restic" ? COPY_DEADLINE_SECONDS + 1800 : 900,
    container: "backup",
  });
}
