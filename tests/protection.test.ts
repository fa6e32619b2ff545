// Protection decisions: cron validation, which volumes join which Longhorn recurring jobs, the jobs and
// snapshot classes, Longhorn's backup target per object store, pgBackRest's credentials file, and the
// volume backup CronJobs' least-privilege wiring, and the restic copies of Rook-Ceph/Portworx volumes.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import type { BackupStoreHandle } from "../components/cluster/handle";
import {
  cloneClaim,
  copyJob,
  COPY_DEADLINE_SECONDS,
  RESTIC_IMAGE,
  RESTIC_SECRET,
  resticTarget,
} from "../components/protection/copy";
import { configFromMap } from "../components/config/load";
import { cronProblem } from "../components/config/cron";
import { pgbackrestConfig } from "../components/databases/postgres/manifests";
import {
  BACKUP_GROUP,
  claimProtectionLabels,
  longhornRecurringJobs,
  longhornSnapshotClasses,
  SNAPSHOT_GROUP,
} from "../components/protection/longhorn";
import { planProtection } from "../components/protection/plan";
import { volumeBackupCronJob, volumeBackupRole } from "../components/protection/volume-backup";
import { BACKUP_DEFAULTS } from "../components/config/backups";
import type { StorageBackend } from "../components/config/types";
import { backupTargetValues, longhornBackupTarget } from "../components/storage/longhorn/backup-target";

const unwrap = <T>(output: pulumi.Input<T>): Promise<T> =>
  new Promise((resolve) =>
    pulumi.output(output).apply((value) => {
      resolve(value as T);
    }),
  );

describe("cron expressions", () => {
  for (const valid of ["0 */6 * * *", "*/15 * * * *", "0 1 * * 0", "30 2 1,15 * 1-5", "0 0 * * 7"])
    it(`accepts ${valid}`, () => {
      assert.equal(cronProblem(valid), undefined);
    });
  for (const [invalid, why] of [
    ["0 */6 * *", /5 fields/],
    ["60 * * * *", /minute outside 0-59/],
    ["0 0 0 * *", /day of month outside 1-31/],
    ["0 0 * 13 *", /month outside 1-12/],
    ["0 5-1 * * *", /reversed hour range/],
    ["*/0 * * * *", /zero step/],
    ["@every 1h", /5 fields/],
    ["0 0 * * MON", /invalid day of week/],
  ] as const)
    it(`rejects ${invalid}`, () => {
      assert.match(cronProblem(invalid) ?? "", why);
    });
});

describe("Longhorn recurring jobs", () => {
  const config = configFromMap({
    "hadb:backups": JSON.stringify({
      enabled: true,
      target: { nfs: "nas:/b" },
      schedule: "0 3 * * *",
      retain: 7,
    }),
    "hadb:databases": JSON.stringify([
      { engine: "iris", name: "iris" },
      { engine: "mysql", name: "mysql" },
    ]),
  });

  it("MySQL volumes join snapshots and backups; IRIS joins snapshots only (its backups are frozen copies)", () => {
    const [iris, mysql] = config.databases;
    assert.ok(iris && mysql);
    const irisLabels = claimProtectionLabels(iris, "longhorn", config.backups);
    const mysqlLabels = claimProtectionLabels(mysql, "longhorn", config.backups);
    for (const labels of [irisLabels, mysqlLabels]) {
      assert.equal(
        labels["recurring-job.longhorn.io/source"],
        "enabled",
        "Longhorn copies PVC labels only with it",
      );
      assert.equal(labels[`recurring-job-group.longhorn.io/${SNAPSHOT_GROUP}`], "enabled");
    }
    assert.equal(mysqlLabels[`recurring-job-group.longhorn.io/${BACKUP_GROUP}`], "enabled");
    assert.equal(irisLabels[`recurring-job-group.longhorn.io/${BACKUP_GROUP}`], undefined);
    assert.deepEqual(claimProtectionLabels(mysql, "rook-ceph", config.backups), {}, "Longhorn labels only");
    assert.deepEqual(claimProtectionLabels(mysql, "longhorn", { ...config.backups, enabled: false }), {});
  });

  it("one job per group, with the configured schedules and retention", () => {
    const jobs = longhornRecurringJobs(config.backups) as any[];
    const byName = Object.fromEntries(jobs.map((job) => [job.metadata.name, job.spec]));
    assert.deepEqual(byName[BACKUP_GROUP], {
      name: BACKUP_GROUP,
      task: "backup",
      cron: "0 3 * * *",
      retain: 7,
      concurrency: 1,
      groups: [BACKUP_GROUP],
      labels: { "hadb.io/job": BACKUP_GROUP },
    });
    assert.equal(byName[SNAPSHOT_GROUP].task, "snapshot");
    assert.equal(byName[SNAPSHOT_GROUP].cron, "0 * * * *");
    assert.equal(byName[SNAPSHOT_GROUP].retain, 24);
    for (const job of jobs) assert.equal(job.metadata.namespace, "longhorn-system");
  });

  it("snapshot classes say whether they snapshot or back up (Longhorn's default would be a backup)", () => {
    const classes = longhornSnapshotClasses() as any[];
    assert.deepEqual(
      classes.map((c) => [c.metadata.name, c.driver, c.parameters.type]),
      [
        ["hadb-longhorn-snapshots", "driver.longhorn.io", "snap"],
        ["hadb-longhorn-backups", "driver.longhorn.io", "bak"],
      ],
    );
  });
});

/** An S3 backup store as the cluster layer hands it over. */
const s3Store = (bucket: string, id: string, key: string): BackupStoreHandle => ({
  kind: "s3",
  bucket: pulumi.output(bucket),
  region: "eu-west-1",
  endpoint: "https://s3.eu-west-1.amazonaws.com",
  accessKeyId: pulumi.output(id),
  secretAccessKey: pulumi.output(key),
  ready: [],
});

describe("Longhorn backup target", () => {
  it("S3 (AWS): s3://bucket@region/ with AWS keys and no endpoint override", async () => {
    const target = longhornBackupTarget(s3Store("b1", "AKIA", "s3cr3t"), undefined);
    assert.ok(target?.credentials);
    assert.equal(await unwrap(target.url), "s3://b1@eu-west-1/");
    assert.deepEqual(await unwrap(target.credentials), {
      AWS_ACCESS_KEY_ID: "AKIA",
      AWS_SECRET_ACCESS_KEY: "s3cr3t",
    });
    assert.equal(await pulumi.isSecret(target.credentials), true);
    const values = backupTargetValues(target) as any;
    assert.equal(values.defaultBackupStore.backupTargetCredentialSecret, "hadb-backup-credentials");
  });

  it("GCS: the S3 form plus the interoperability endpoint", async () => {
    const target = longhornBackupTarget(
      {
        kind: "gcs",
        bucket: pulumi.output("g1"),
        region: "europe-west1",
        endpoint: "https://storage.googleapis.com",
        accessKeyId: pulumi.output("GOOG1"),
        secretAccessKey: pulumi.output("k"),
        ready: [],
      },
      undefined,
    );
    assert.equal((await unwrap(target?.credentials ?? {})).AWS_ENDPOINTS, "https://storage.googleapis.com");
  });

  it("Azure: azblob://container@core.windows.net/ with the account name and key", async () => {
    const target = longhornBackupTarget(
      {
        kind: "azure-blob",
        container: pulumi.output("hadb-backups"),
        region: "westeurope",
        accountName: pulumi.output("acct"),
        accountKey: pulumi.output("key"),
        ready: [],
      },
      undefined,
    );
    assert.equal(await unwrap(target?.url ?? ""), "azblob://hadb-backups@core.windows.net/");
    assert.deepEqual(await unwrap(target?.credentials ?? {}), {
      AZBLOB_ACCOUNT_NAME: "acct",
      AZBLOB_ACCOUNT_KEY: "key",
    });
  });

  it("NFS: nfs://server:/export/ without credentials; nothing without a store", () => {
    const target = longhornBackupTarget(undefined, "nas.example.com:/exports/hadb");
    assert.equal(target?.url, "nfs://nas.example.com:/exports/hadb/");
    assert.equal(target.credentials, undefined);
    assert.equal(
      (backupTargetValues(target) as any).defaultBackupStore.backupTargetCredentialSecret,
      undefined,
    );
    assert.equal(longhornBackupTarget(undefined, undefined), undefined);
  });
});

describe("pgBackRest repo2 credentials", () => {
  it("an INI file under a .conf key, as PGO mounts it", () => {
    assert.deepEqual(pgbackrestConfig("s3", { id: "AKIA", secret: "x" }), {
      "s3.conf": "[global]\nrepo2-s3-key=AKIA\nrepo2-s3-key-secret=x\n",
    });
    assert.deepEqual(Object.keys(pgbackrestConfig("azure", { id: "acct", secret: "k" })), ["azure.conf"]);
  });
});

describe("volume backup CronJobs", () => {
  const names = { namespace: "hadb", deployment: "iris", claim: "iris-data", job: "iris-backup" };
  const iris = { freeze: "iris", copy: "none" } as const;

  it("never overlaps itself, runs the wrapper non-root, and targets the given class", () => {
    const cronJob = volumeBackupCronJob(names, {
      schedule: "0 3 * * *",
      retain: 7,
      snapshotClass: "bak",
      ...iris,
    }) as any;
    assert.equal(cronJob.spec.concurrencyPolicy, "Forbid");
    const pod = cronJob.spec.jobTemplate.spec.template.spec;
    assert.equal(pod.securityContext.runAsNonRoot, true);
    const [container] = pod.containers;
    assert.deepEqual(container.command, ["bash", "/scripts/volume-backup.sh"]);
    const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));
    assert.deepEqual(
      [
        env.HADB_CLAIM,
        env.HADB_DEPLOYMENT,
        env.HADB_SNAPSHOT_CLASS,
        env.HADB_RETAIN,
        env.HADB_FREEZE,
        env.HADB_COPY,
      ],
      ["iris-data", "iris", "bak", "7", "iris", "none"],
    );
    assert.match(container.image, /:\d+\.\d+\.\d+$/, "pinned");
  });

  it("an IRIS job's Role reaches only its namespace's IRIS Deployment, pod exec and VolumeSnapshots", () => {
    const role = volumeBackupRole(names, iris) as any;
    assert.equal(role.metadata.namespace, "hadb");
    const resources = role.rules.flatMap((rule: any) => rule.resources);
    assert.deepEqual(resources.sort(), ["deployments", "pods", "pods/exec", "volumesnapshots"]);
    const deployments = role.rules.find((rule: any) => rule.resources.includes("deployments"));
    assert.deepEqual(deployments.resourceNames, ["iris"]);
    assert.ok(role.rules.every((rule: any) => !rule.verbs.includes("*")));
  });

  it("a crash-consistent copy job cannot exec; it may create its clone claim and restic Job", () => {
    const role = volumeBackupRole(names, { freeze: "none", copy: "restic" }) as any;
    const resources = role.rules.flatMap((rule: any) => rule.resources);
    assert.deepEqual(resources.sort(), [
      "jobs",
      "persistentvolumeclaims",
      "pods",
      "pods/log",
      "volumesnapshots",
    ]);
    const cronJob = volumeBackupCronJob(names, {
      schedule: "0 3 * * *",
      retain: 7,
      snapshotClass: "c",
      freeze: "none",
      copy: "restic",
    }) as any;
    const env = Object.fromEntries(
      cronJob.spec.jobTemplate.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]),
    );
    // The script waits a little longer than the restic Job may run, the CronJob longer still.
    assert.ok(Number(env.HADB_COPY_TIMEOUT_SECONDS) > COPY_DEADLINE_SECONDS);
    assert.ok(cronJob.spec.jobTemplate.spec.activeDeadlineSeconds > Number(env.HADB_COPY_TIMEOUT_SECONDS));
  });
});

describe("restic copies (Rook-Ceph, Portworx)", () => {
  const password = pulumi.output("pw");
  it("uses the stack's object store or NFS export, with credentials only in the secret data", async () => {
    const s3 = resticTarget(s3Store("b", "id", "key"), undefined, password);
    assert.equal(await unwrap(s3?.repositoryBase ?? ""), "s3:https://s3.eu-west-1.amazonaws.com/b/restic");
    assert.deepEqual(await unwrap(s3?.secretData ?? {}), {
      RESTIC_PASSWORD: "pw",
      AWS_ACCESS_KEY_ID: "id",
      AWS_SECRET_ACCESS_KEY: "key",
      AWS_DEFAULT_REGION: "eu-west-1",
    });
    assert.equal(await pulumi.isSecret(s3?.secretData ?? pulumi.output({})), true);
    const nfs = resticTarget(undefined, "nas.example:/exports/hadb", password);
    assert.ok(nfs);
    assert.deepEqual(nfs.nfs, { server: "nas.example", path: "/exports/hadb" });
    assert.equal(nfs.repositoryBase, "/repository/restic");
    assert.equal(nfs.location, "nfs://nas.example/exports/hadb/restic");
    assert.equal(resticTarget(undefined, undefined, password), undefined);
  });

  it("the copy Job reads the clone read-only as the engine's user, and never the root filesystem", () => {
    const job = copyJob({
      namespace: "hadb",
      database: "orders",
      uid: 999,
      repository: "s3:https://x/b/restic/hadb/orders",
      keep: 5,
      deadlineSeconds: 600,
    }) as any;
    assert.equal(job.metadata.name, "__JOB__");
    assert.equal(job.spec.backoffLimit, 0);
    const pod = job.spec.template.spec;
    assert.deepEqual(pod.securityContext.runAsUser, 999);
    assert.equal(pod.securityContext.runAsNonRoot, true);
    const [container] = pod.containers;
    assert.equal(container.image, RESTIC_IMAGE);
    assert.equal(container.securityContext.readOnlyRootFilesystem, true);
    assert.deepEqual(container.envFrom, [{ secretRef: { name: RESTIC_SECRET } }]);
    const script = container.command[2] as string;
    assert.match(script, /restic cat config/);
    assert.match(script, /"\$status" -eq 10 \]; then restic init/);
    assert.match(script, /--exclude "\$HADB_SOURCE\/lost\+found" "\$HADB_SOURCE"/);
    const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));
    assert.equal(env.HADB_SOURCE, "/data", "where the clone is mounted");
    assert.match(script, /forget --host "\$HADB_DATABASE" --keep-last "\$HADB_KEEP" --prune/);
    const data = pod.volumes.find((v: any) => v.name === "data");
    assert.deepEqual(data.persistentVolumeClaim, { claimName: "__CLONE__", readOnly: true });
    const clone = cloneClaim("hadb", "orders", "hadb-rook-ceph", "20Gi") as any;
    assert.deepEqual(clone.spec.dataSource, {
      apiGroup: "snapshot.storage.k8s.io",
      kind: "VolumeSnapshot",
      name: "__SNAPSHOT__",
    });
  });
});

describe("protection plan per storage backend", () => {
  const databases = configFromMap({
    "hadb:databases": JSON.stringify([
      { engine: "iris", name: "iris" },
      { engine: "mysql", name: "shop" },
      { engine: "postgres", name: "pg" },
    ]),
  }).databases;
  const backups = { ...BACKUP_DEFAULTS, enabled: true, schedule: "0 2 * * *", retain: 9 };
  const storage = (backend: StorageBackend) => ({
    backend,
    snapshotClassName: `hadb-${backend}-snapshots`,
    scheduledSnapshotClassName: `hadb-${backend}-scheduled`,
  });
  const plan = (backend: StorageBackend, clusterSnapshots = false, only = databases) =>
    planProtection({
      databases: only,
      namespace: "hadb",
      backups,
      storage: storage(backend),
      clusterSnapshots,
    });
  const jobs = (backend: StorageBackend) =>
    plan(backend).volumeBackups.map((job) => `${job.names.job} ${job.freeze} ${job.copy} after ${job.after}`);

  it("Longhorn: classes and recurring jobs of its own, a freeze/thaw backup per IRIS database only", () => {
    const longhorn = plan("longhorn");
    assert.equal(longhorn.snapshotController, true, "no snapshot API on the cluster: install it");
    assert.equal(plan("longhorn", true).snapshotController, false);
    assert.deepEqual(
      longhorn.snapshotClasses.map((object) => object.metadata.name),
      ["hadb-longhorn-snapshots", "hadb-longhorn-backups"],
    );
    assert.deepEqual(
      longhorn.storageSchedules.map((object) => object.kind),
      ["RecurringJob", "RecurringJob"],
    );
    assert.equal(longhorn.offCluster, "longhorn-backup");
    assert.equal(longhorn.snapshotClassName, "hadb-longhorn-snapshots");
    assert.deepEqual(jobs("longhorn"), ["iris-backup iris none after snapshot-classes"]);
    const [backup] = longhorn.volumeBackups;
    assert.ok(backup);
    assert.equal(backup.snapshotClass, "hadb-longhorn-backups", "the bak class uploads to the target");
    assert.equal(backup.schedule, "0 2 * * *");
  });

  for (const backend of ["rook-ceph", "portworx"] as const)
    it(`${backend}: scheduled snapshots and restic copies of every single writer, none of PostgreSQL`, () => {
      const result = plan(backend);
      assert.equal(result.offCluster, "restic");
      assert.equal(result.snapshotController, false, "the storage layer brings the snapshot API");
      assert.deepEqual(result.snapshotClasses, []);
      assert.equal(result.snapshotClassName, `hadb-${backend}-snapshots`);
      assert.deepEqual(jobs(backend), [
        "iris-snapshots iris none after storage",
        "iris-backup iris restic after restic-secret",
        "shop-snapshots none none after storage",
        "shop-backup none restic after restic-secret",
      ]);
      for (const job of result.volumeBackups)
        assert.equal(job.snapshotClass, `hadb-${backend}-scheduled`, "Delete class: retention frees space");
      const copies = result.volumeBackups.flatMap((job) => (job.copy === "restic" ? [job.uid] : []));
      assert.deepEqual(copies, [51773, 999], "each copy runs as its engine's user");
      const postgresOnly = plan(
        backend,
        false,
        databases.filter((d) => d.engine === "postgres"),
      );
      assert.equal(postgresOnly.offCluster, undefined, "no restic repository without a volume to copy");
      assert.deepEqual(postgresOnly.volumeBackups, []);
    });

  it("iSCSI: nothing (validation refuses backups on static LUNs)", () => {
    const iscsi = plan("iscsi");
    assert.equal(iscsi.offCluster, undefined);
    assert.deepEqual([iscsi.volumeBackups, iscsi.snapshotClasses, iscsi.storageSchedules], [[], [], []]);
  });
});
