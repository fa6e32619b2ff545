// Off-cluster copies of IRIS and MySQL volumes on Rook-Ceph and Portworx: neither backend uploads a
// CSI snapshot anywhere by itself (RBD snapshots stay in the Ceph cluster; Portworx CloudSnaps need
// credentials made with pxctl, outside the Kubernetes API). hadb cuts a snapshot (IRIS frozen), clones
// it into a short-lived claim and lets restic upload the clone, deduplicated and encrypted, to the same
// bucket/container/NFS export Longhorn and pgBackRest use. Pure builders; volume-backup.sh fills in the
// __JOB__/__CLONE__/__SNAPSHOT__ names at run time.
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { BackupStoreHandle } from "../cluster/handle";
import { recommendedLabels } from "../shared/labels";

/**
 * restic 0.18.1 (2025-09-21, the newest release verified here; since 0.17 `cat config` exits 10 when
 * a repository does not exist yet, which the job relies on to initialise exactly once). The image's
 * entrypoint is /usr/bin/restic; the Job runs its own shell script instead, as the engine's user.
 */
export const RESTIC_IMAGE = "restic/restic:0.18.1";
/** Secret (database namespace) with RESTIC_PASSWORD and the object store's credentials. */
export const RESTIC_SECRET = "hadb-restic";
/** The restic Job's own deadline: a first copy uploads the whole volume. */
export const COPY_DEADLINE_SECONDS = 3 * 3600;
/** Where the NFS export is mounted in the copy Job (restic's local backend writes there). */
const NFS_MOUNT = "/repository";

export interface ResticTarget {
  /** Repository URL prefix; each database appends `/<namespace>/<database>`. */
  repositoryBase: pulumi.Input<string>;
  /** Secret data: RESTIC_PASSWORD plus the backend's credential variables (secret as a whole). */
  secretData: pulumi.Output<Record<string, string>>;
  /** NFS targets: the export the Job mounts. */
  nfs?: { server: string; path: string };
  /** Where the copies are, as the `backups` output says it (the NFS export, not the pod's mount). */
  location: pulumi.Input<string>;
}

/** restic's repository and credentials for the stack's backup store (or NFS export). */
export function resticTarget(
  store: BackupStoreHandle | undefined,
  nfsTarget: string | undefined,
  password: pulumi.Output<string>,
): ResticTarget | undefined {
  if (store?.kind === "azure-blob") {
    const repository = pulumi.interpolate`azure:${store.container}:/restic`;
    return {
      repositoryBase: repository,
      location: repository,
      secretData: pulumi.secret(
        pulumi
          .all([password, store.accountName, store.accountKey])
          .apply(([restic, name, key]): Record<string, string> => ({
            RESTIC_PASSWORD: restic,
            AZURE_ACCOUNT_NAME: name,
            AZURE_ACCOUNT_KEY: key,
          })),
      ),
    };
  }
  if (store) {
    // GCS through its S3 interoperability endpoint with HMAC keys, like Longhorn's target.
    const repository = pulumi.interpolate`s3:${store.endpoint}/${store.bucket}/restic`;
    return {
      repositoryBase: repository,
      location: repository,
      secretData: pulumi.secret(
        pulumi
          .all([password, store.accessKeyId, store.secretAccessKey])
          .apply(([restic, id, key]): Record<string, string> => ({
            RESTIC_PASSWORD: restic,
            AWS_ACCESS_KEY_ID: id,
            AWS_SECRET_ACCESS_KEY: key,
            AWS_DEFAULT_REGION: store.region,
          })),
      ),
    };
  }
  if (nfsTarget !== undefined) {
    const [server = "", path = "/"] = nfsTarget.split(/:(.*)/s);
    return {
      repositoryBase: `${NFS_MOUNT}/restic`,
      location: `nfs://${server}${path.replace(/\/?$/, "/")}restic`,
      secretData: pulumi.secret(
        password.apply((restic): Record<string, string> => ({ RESTIC_PASSWORD: restic })),
      ),
      nfs: { server, path },
    };
  }
  return undefined;
}

/** The short-lived claim the copy reads: a clone of the snapshot, in the data volume's class. */
export function cloneClaim(
  namespace: string,
  database: string,
  storageClassName: string,
  size: string,
): k8s.types.input.core.v1.PersistentVolumeClaim {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: {
      name: "__CLONE__",
      namespace,
      labels: recommendedLabels({ name: "hadb", instance: database, component: "backup-copy" }),
    },
    spec: {
      accessModes: ["ReadWriteOnce"],
      storageClassName,
      dataSource: { apiGroup: "snapshot.storage.k8s.io", kind: "VolumeSnapshot", name: "__SNAPSHOT__" },
      resources: { requests: { storage: size } },
    },
  };
}

export interface CopyJobInput {
  namespace: string;
  database: string;
  /** The engine's user: it owns every file, so the copy reads them without root. */
  uid: number;
  repository: string;
  nfs?: { server: string; path: string };
  /** Copies restic keeps for this database. */
  keep: number;
  deadlineSeconds: number;
}

/**
 * Initialise the repository once (`cat config` exits 10 only when none exists), back up the clone,
 * then forget all but the newest `keep` copies of this database and prune. lost+found is root's and
 * unreadable to the engine's user: excluded, as it holds nothing of the database.
 */
export const RESTIC_SCRIPT = [
  "set -eu",
  "status=0",
  "restic cat config >/dev/null 2>&1 || status=$?",
  'if [ "$status" -eq 10 ]; then restic init; elif [ "$status" -ne 0 ]; then restic cat config >/dev/null; exit "$status"; fi',
  'restic backup --host "$HADB_DATABASE" --tag hadb --exclude "$HADB_SOURCE/lost+found" "$HADB_SOURCE"',
  'restic forget --host "$HADB_DATABASE" --keep-last "$HADB_KEEP" --prune',
].join("\n");

export function copyJob(input: CopyJobInput): k8s.types.input.batch.v1.Job {
  const labels = recommendedLabels({ name: "hadb", instance: input.database, component: "backup-copy" });
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "__JOB__", namespace: input.namespace, labels },
    spec: {
      // One attempt: the CronJob reports the failure and the next run starts from a new snapshot.
      backoffLimit: 0,
      activeDeadlineSeconds: input.deadlineSeconds,
      ttlSecondsAfterFinished: 3600,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: "Never",
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: input.uid,
            runAsGroup: input.uid,
            seccompProfile: { type: "RuntimeDefault" },
          },
          containers: [
            {
              name: "restic",
              image: RESTIC_IMAGE,
              command: ["/bin/sh", "-c", RESTIC_SCRIPT],
              env: [
                { name: "RESTIC_REPOSITORY", value: input.repository },
                { name: "HADB_DATABASE", value: input.database },
                { name: "HADB_KEEP", value: String(input.keep) },
                { name: "HADB_SOURCE", value: "/data" },
                // restic's cache, HOME and temporary pack files on scratch volumes: the root
                // filesystem is read-only.
                { name: "RESTIC_CACHE_DIR", value: "/cache" },
                { name: "HOME", value: "/cache" },
                { name: "TMPDIR", value: "/tmp" },
              ],
              envFrom: [{ secretRef: { name: RESTIC_SECRET } }],
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
              },
              resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
              volumeMounts: [
                { name: "data", mountPath: "/data", readOnly: true },
                { name: "cache", mountPath: "/cache" },
                { name: "tmp", mountPath: "/tmp" },
                ...(input.nfs ? [{ name: "repository", mountPath: NFS_MOUNT }] : []),
              ],
            },
          ],
          volumes: [
            { name: "data", persistentVolumeClaim: { claimName: "__CLONE__", readOnly: true } },
            { name: "cache", emptyDir: {} },
            { name: "tmp", emptyDir: {} },
            ...(input.nfs ? [{ name: "repository", nfs: input.nfs }] : []),
          ],
        },
      },
    },
  };
}

/** The copy's templates in the backup job's ConfigMap (volume-backup.sh fills in the names). */
export function copyTemplates(
  input: {
    namespace: string;
    database: string;
    storageClassName: string;
    volumeSize: string;
    uid: number;
    keep: number;
  },
  restic: ResticTarget,
): Record<string, pulumi.Input<string>> {
  const { namespace, database } = input;
  return {
    "clone-claim.json": JSON.stringify(
      cloneClaim(namespace, database, input.storageClassName, input.volumeSize),
    ),
    "copy-job.json": pulumi.output(restic.repositoryBase).apply((base) =>
      JSON.stringify(
        copyJob({
          namespace,
          database,
          uid: input.uid,
          repository: `${base}/${namespace}/${database}`,
          ...(restic.nfs ? { nfs: restic.nfs } : {}),
          keep: input.keep,
          deadlineSeconds: COPY_DEADLINE_SECONDS,
        }),
      ),
    ),
  };
}
