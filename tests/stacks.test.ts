// Tier 1 + 2: every stack in stacks/ evaluated by the real program under Pulumi's mock runtime, with
// assertions on what users rely on, and every Kubernetes object validated against the Kubernetes
// OpenAPI schema (kubernetes-models). Proves what the program produces, not what a cluster does with it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ENGINE_CATALOG } from "../components/databases/catalog";
import { DATABASE_OUTPUT_KEYS, STACK_OUTPUTS } from "../components/outputs/catalog";
import { ENGINE_CLIENTS } from "../components/outputs/connection";
import type { HadbConfig } from "../components/config/types";
import { MOCK_SECRET_MARKER } from "../tools/synth/evaluate";
import { REDACTED, type KubeObject } from "../tools/synth/write";
import { siteConfig, STACKS, synthStack, type ResourceRow, type SynthResult } from "./helpers/synth";

const KUBERNETES_PROVIDER = "pulumi:providers:kubernetes::cluster-k8s";
const EKS_NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const THIRD_PARTY_GROUPS = [
  "ceph.rook.io",
  "snapshot.storage.k8s.io",
  "postgres-operator.crunchydata.com",
  "longhorn.io",
  "core.libopenstorage.org",
  "stork.libopenstorage.org",
  "monitoring.coreos.com",
];
/** A PX-DR standby writes its pair and schedule to the primary's cluster through this provider. */
const PRIMARY_PROVIDER = "pulumi:providers:kubernetes::remote-cluster-primary";
/** Resource type prefix of each cloud's provider: a stack creates resources of its own cloud only. */
const CLOUD_TYPE_PREFIXES: Record<string, string> = { aks: "azure-native:", eks: "aws:", gke: "gcp:" };
const decodeBase64 = (text: unknown): string => Buffer.from(String(text), "base64").toString("utf8");

const byKind = (result: SynthResult, kind: string): any[] => result.manifests.filter((m) => m.kind === kind);
const rowOf = (result: SynthResult, type: string, name: string): ResourceRow => {
  const row = result.resources.find((r) => r.type === type && r.name === name);
  assert.ok(row, `${type}::${name} not registered`);
  return row;
};

/** Validates one object against the OpenAPI schema of its apiVersion/kind. */
async function validateSchema(object: KubeObject): Promise<void> {
  const [group, version] = object.apiVersion.includes("/")
    ? object.apiVersion.split("/")
    : ["", object.apiVersion];
  const modulePath = group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`;
  const models = (await import(modulePath)) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = models[object.kind];
  assert.ok(Model, `no schema for ${object.apiVersion} ${object.kind}`);
  new Model(object).validate();
}

for (const stack of STACKS) {
  /** Every scalar inside a JSON value. */
  const leavesOf = (value: unknown): unknown[] =>
    value !== null && typeof value === "object" ? Object.values(value).flatMap(leavesOf) : [value];

  describe(`stack ${stack}`, () => {
    // A Longhorn DR standby runs its primary's databases: the site's effective configuration.
    const config: HadbConfig = siteConfig(stack);
    const standby = config.disasterRecovery?.role === "standby";
    const result = synthStack(stack);
    const deployments = byKind(result, "Deployment");
    const dbDeployments = deployments.filter(
      (d) => d.metadata.labels["app.kubernetes.io/component"] === "database",
    );

    const postgresClusters = byKind(result, "PostgresCluster");
    const engineOf = (name: string) => config.databases.find((d) => d.name === name)?.engine;

    it("deploys every configured database and nothing else", () => {
      assert.deepEqual(
        [...dbDeployments, ...postgresClusters].map((d) => d.metadata.name).sort(),
        config.databases.map((d) => d.name).sort(),
      );
      for (const cluster of postgresClusters) assert.equal(engineOf(cluster.metadata.name), "postgres");
    });

    it("single writer: each database Deployment runs 1 replica with the Recreate strategy", () => {
      for (const deployment of deployments) {
        const claims = (deployment.spec.template.spec.volumes ?? []).filter(
          (v: any) => v.persistentVolumeClaim,
        );
        if (claims.length === 0) continue;
        // A DR standby's writer waits at 0 until `npm run dr -- failover` activates its volume.
        assert.equal(deployment.spec.replicas, standby ? 0 : 1, deployment.metadata.name);
        assert.equal(deployment.spec.strategy.type, "Recreate", deployment.metadata.name);
      }
    });

    it("database containers have startup, liveness and readiness probes", () => {
      for (const deployment of dbDeployments) {
        for (const container of deployment.spec.template.spec.containers) {
          for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) {
            assert.ok(container[probe], `${deployment.metadata.name}/${container.name} ${probe}`);
          }
        }
      }
    });

    it("passwords rotate: engines that set them at start restart when they change; PGO gets a verifier", () => {
      for (const deployment of dbDeployments) {
        const revision = deployment.spec.template.metadata.annotations?.["hadb.io/credentials-revision"];
        assert.match(String(revision), /^[0-9a-f]{16}$/, deployment.metadata.name);
      }
      for (const cluster of postgresClusters) {
        // The application user's own schema (PostgreSQL 15+ public grants no CREATE) and its pg_hba rule.
        assert.equal(
          cluster.metadata.annotations["postgres-operator.crunchydata.com/autoCreateUserSchema"],
          "true",
        );
        assert.deepEqual(
          cluster.spec.authentication.rules.map((rule: { users: string[] }) => rule.users),
          [[cluster.spec.users[0].name]],
        );
        const secret = byKind(result, "Secret").find((s) =>
          s.metadata.name.startsWith(`${cluster.metadata.name}-pguser-`),
        );
        assert.equal(secret?.stringData.verifier, REDACTED);
      }
    });

    it("no default or literal password: passwords come from Secrets, are marked secret and never written", () => {
      for (const deployment of dbDeployments) {
        const [container] = deployment.spec.template.spec.containers;
        for (const env of container.env ?? []) {
          assert.ok(
            !/pass/i.test(env.name) || (env.valueFrom && env.value === undefined),
            `${env.name} must come from a Secret`,
          );
        }
        if (deployment.metadata.labels["app.kubernetes.io/name"] === "iris") {
          assert.deepEqual(container.args.slice(0, 2), [
            "--password-file",
            "/irissys/credentials/admin-password",
          ]);
        }
      }
      const credentials = byKind(result, "Secret").filter(
        (secret) =>
          secret.metadata.name.endsWith("-credentials") && secret.metadata.namespace === config.namespace,
      );
      const pgUsers = byKind(result, "Secret").filter((secret) => secret.metadata.name.includes("-pguser-"));
      assert.equal(credentials.length + pgUsers.length, config.databases.length);
      for (const secret of byKind(result, "Secret")) {
        for (const [key, value] of Object.entries((secret.stringData ?? {}) as Record<string, string>)) {
          // Passwords, PostgreSQL verifiers and the MySQL accounts init file (it carries passwords).
          if (/password|verifier|\.sql$/.test(key))
            assert.equal(value, REDACTED, `${secret.metadata.name} ${key}`);
        }
      }
      for (const [file, text] of Object.entries(result.texts)) {
        assert.ok(!text.includes(MOCK_SECRET_MARKER), `a generated password leaked into ${file}`);
        assert.ok(
          !/PasswordHash|password["']?\s*[:=]\s*["']?SYS\b/.test(text),
          `default password in ${file}`,
        );
      }
    });

    it("stack outputs: passwords are secret; endpoints are plain and complete", () => {
      assert.deepEqual(
        result.outputs.databasePasswords,
        Object.fromEntries(config.databases.map((d) => [d.name, REDACTED])),
        "databasePasswords must be a secret output",
      );
      const endpoints = result.outputs.databases as Record<string, any>;
      for (const database of config.databases) {
        const endpoint = endpoints[database.name];
        const service = database.engine === "postgres" ? `${database.name}-primary` : database.name;
        assert.equal(endpoint.host, `${service}.${config.namespace}.svc.cluster.local`);
        assert.deepEqual(endpoint.ports, ENGINE_CATALOG[database.engine].ports);
        assert.equal(
          endpoint.credentialsSecret,
          database.engine === "postgres"
            ? `${database.name}-pguser-${database.postgres?.user ?? ""}`
            : `${database.name}-credentials`,
        );
        assert.equal(endpoint.password, undefined);
        // Clients get the application account, never an admin one, and the database it owns.
        assert.ok(
          !["root", "postgres", "_SYSTEM", "SuperUser"].includes(endpoint.username),
          endpoint.username,
        );
        assert.ok(endpoint.database, `${database.name}: endpoint names no database`);
        assert.deepEqual(
          Object.keys(endpoint).sort(),
          DATABASE_OUTPUT_KEYS,
          "the same keys on every database",
        );
        assert.equal(endpoint.port, endpoint.ports[ENGINE_CLIENTS[database.engine].port]);
        assert.equal(endpoint.exposure.type, database.exposure.type);
        assert.equal(
          endpoint.exposure.address === null,
          database.exposure.type !== "loadBalancer",
          "a load balancer's address is exported, nothing else has one",
        );
      }
      assert.deepEqual(
        result.outputs.databaseConnections,
        Object.fromEntries(config.databases.map((d) => [d.name, REDACTED])),
        "databaseConnections must be a secret output",
      );
      assert.equal(result.outputs.storageClassName, `hadb-${config.storage}`);
      // A kubeconfig is exported (as a secret) for clusters hadb created or was given one of.
      if (config.cloud === "existing" && config.kubeconfig === undefined)
        assert.equal(result.outputs.kubeconfig, null);
      else assert.equal(result.outputs.kubeconfig, REDACTED);
    });

    it("stack outputs: every documented key on every stack, secret ones secret, absent ones null", () => {
      assert.deepEqual(Object.keys(result.outputs).sort(), Object.keys(STACK_OUTPUTS).sort());
      for (const [key, spec] of Object.entries(STACK_OUTPUTS)) {
        const value = result.outputs[key];
        if (value === null) {
          assert.ok(spec.nullWhen !== undefined, `${key} is null but never documented as nullable`);
          continue;
        }
        if (!spec.secret) assert.ok(!JSON.stringify(value).includes(REDACTED), `${key} holds a secret`);
        else
          assert.ok(
            leavesOf(value).every((leaf) => leaf === REDACTED),
            `${key} must be secret throughout`,
          );
      }
      assert.deepEqual(Object.keys(result.outputs.cluster as object).sort(), [
        "name",
        "nodeCount",
        "nodeImage",
        "platform",
        "region",
        "zones",
      ]);
    });

    if (config.storage === "longhorn") {
      it(`replicated storage keeps ${config.storageReplicas} copies on different nodes`, () => {
        const release = result.releases.find((r) => r.chart === "longhorn");
        assert.ok(release);
        assert.match(release.version, /^\d+\.\d+\.\d+$/, "chart version pinned");
        const settings = release.values.defaultSettings as Record<string, string>;
        assert.deepEqual(JSON.parse(settings.defaultReplicaCount ?? "{}"), { v1: "3", v2: "3" });
        assert.equal(settings.replicaSoftAntiAffinity, "false");
        assert.equal(settings.replicaZoneSoftAntiAffinity, config.zones.length >= 3 ? "false" : "true");
        const storageClass = byKind(result, "StorageClass").find((c) => c.metadata.name === "hadb-longhorn");
        assert.equal(storageClass.parameters.numberOfReplicas, String(config.storageReplicas));
        assert.equal(storageClass.reclaimPolicy, "Retain");
        for (const claim of byKind(result, "PersistentVolumeClaim")) {
          // A restored database's claim uses its own `fromBackup` class, with the same replica count.
          const restored = claim.spec.storageClassName.startsWith("hadb-restore-");
          const claimClass = byKind(result, "StorageClass").find(
            (c) => c.metadata.name === claim.spec.storageClassName,
          );
          assert.equal(
            restored ? claimClass.parameters.numberOfReplicas : claim.spec.storageClassName,
            restored ? String(config.storageReplicas) : storageClass.metadata.name,
          );
          assert.deepEqual(claim.spec.accessModes, ["ReadWriteOnce"]);
        }
      });
    }

    if (config.storage === "rook-ceph") {
      it(`Rook-Ceph: 3 monitors never sharing a node, pool of ${config.storageReplicas} copies, consistent RBD class`, () => {
        const releases = Object.fromEntries(result.releases.map((r) => [r.chart, r]));
        assert.match(releases["rook-ceph"]?.version ?? "", /^v\d+\.\d+\.\d+$/, "operator chart pinned");
        assert.match(releases["ceph-csi-drivers"]?.version ?? "", /^\d+\.\d+\.\d+$/, "drivers chart pinned");
        const [cluster] = byKind(result, "CephCluster");
        const [pool] = byKind(result, "CephBlockPool");
        assert.deepEqual(cluster.spec.mon, { count: 3, allowMultiplePerNode: false });
        assert.equal(cluster.spec.mgr.count, 2);
        assert.equal(cluster.spec.mgr.allowMultiplePerNode, false);
        assert.match(cluster.spec.cephVersion.image, /^quay\.io\/ceph\/ceph:v\d+\.\d+\.\d+$/);
        const namespace = cluster.metadata.namespace;
        assert.equal(pool.metadata.namespace, namespace);
        assert.equal(pool.spec.replicated.size, config.storageReplicas);
        assert.equal(
          pool.spec.failureDomain,
          config.zones.length >= config.storageReplicas ? "zone" : "host",
        );
        // OSDs: one per node, on the cloud's block class or the declared raw disks.
        const osd = cluster.spec.storage;
        if (config.managedCluster) {
          const [deviceSet] = osd.storageClassDeviceSets;
          assert.equal(deviceSet.count, config.nodeCount);
          assert.equal(deviceSet.volumeClaimTemplates[0].spec.volumeMode, "Block");
          assert.equal(
            deviceSet.volumeClaimTemplates[0].spec.resources.requests.storage,
            `${config.managedCluster.storageDiskGB}Gi`,
          );
        } else {
          // Declared disks (existing), or the one raw disk hadb adds to every lab VM.
          const expected =
            config.cloud === "vagrant" ? ["sdb"] : config.blockDevices.map((d) => d.replace("/dev/", ""));
          assert.deepEqual(
            osd.devices.map((d: any) => d.name),
            expected,
          );
          if (config.cloud === "vagrant") {
            const vagrantfile = result.texts["commands/cluster-up/files/Vagrantfile"] ?? "";
            const disks = vagrantfile.match(/name: "hadb-osd", size: "(\d+)GB"/g) ?? [];
            assert.equal(disks.length, config.nodeCount, "one raw OSD disk per lab node");
          }
        }
        const storageClass = byKind(result, "StorageClass").find(
          (c) => c.metadata.name === result.outputs.storageClassName,
        );
        assert.equal(storageClass.provisioner, `${namespace}.rbd.csi.ceph.com`);
        assert.equal(storageClass.parameters.clusterID, namespace);
        assert.equal(storageClass.parameters.pool, pool.metadata.name);
        assert.equal(storageClass.parameters["csi.storage.k8s.io/fstype"], "ext4");
        assert.equal(storageClass.reclaimPolicy, "Retain");
        assert.equal(storageClass.allowVolumeExpansion, true);
        for (const [parameter, value] of Object.entries(storageClass.parameters as Record<string, string>)) {
          if (parameter.endsWith("-secret-namespace")) assert.equal(value, namespace, parameter);
        }
        const drivers = releases["ceph-csi-drivers"]?.values as any;
        assert.equal(drivers.drivers.rbd.name, storageClass.provisioner, "driver name = provisioner");
        assert.equal(drivers.operatorConfig.namespace, namespace);
        const snapshotClasses = byKind(result, "VolumeSnapshotClass");
        assert.equal(snapshotClasses[0]?.driver, storageClass.provisioner);
        // The class needs snapshot.storage.k8s.io: hadb brings the controller where the platform has none.
        assert.equal(
          result.releases.some((r) => r.chart === "snapshot-controller"),
          !config.managedCluster,
        );
        const runbook = result.outputs.storageRunbook as Record<string, string>;
        assert.match(runbook.nodeLost ?? "", /node\.kubernetes\.io\/out-of-service=nodeshutdown:NoExecute/);
      });
    }

    if (postgresClusters.length > 0) {
      it("PostgreSQL: PGO chart pinned, one PostgresCluster per entry on the stack's StorageClass", () => {
        const operator = result.releases.find((r) => r.chart.endsWith("/pgo"));
        assert.ok(operator, "PGO release");
        assert.match(operator.version, /^5\.\d+\.\d+$/, "PGO 5.x pinned");
        for (const database of config.databases.filter((d) => d.engine === "postgres")) {
          const cluster = postgresClusters.find((c) => c.metadata.name === database.name);
          assert.equal(cluster.apiVersion, "postgres-operator.crunchydata.com/v1beta1");
          assert.equal(cluster.spec.postgresVersion, database.postgres?.version);
          const [instances] = cluster.spec.instances;
          assert.equal(instances.replicas, database.postgres?.instances);
          assert.equal(instances.dataVolumeClaimSpec.storageClassName, result.outputs.storageClassName);
          assert.deepEqual(instances.dataVolumeClaimSpec.accessModes, ["ReadWriteOnce"]);
          assert.deepEqual(cluster.spec.users, [
            { name: database.postgres?.user, databases: [database.postgres?.database] },
          ]);
          if (config.storage === "iscsi") {
            // One LUN: the claim binds to that LUN's PV, and there is no volume for a pgBackRest repo.
            assert.equal(
              instances.dataVolumeClaimSpec.volumeName,
              `hadb-iscsi-${config.namespace}-${database.name}`,
            );
            assert.equal(cluster.spec.backups, undefined);
          } else {
            const [repo] = cluster.spec.backups.pgbackrest.repos;
            assert.equal(repo.volume.volumeClaimSpec.storageClassName, result.outputs.storageClassName);
          }
          const secret = byKind(result, "Secret").find(
            (s) => s.metadata.name === `${database.name}-pguser-${database.postgres?.user ?? ""}`,
          );
          assert.equal(secret.metadata.labels["postgres-operator.crunchydata.com/cluster"], database.name);
          assert.equal(secret.metadata.labels["postgres-operator.crunchydata.com/role"], "pguser");
          assert.equal(secret.stringData.password, REDACTED);
        }
      });
    }

    if (config.backups.enabled) {
      it("backups: target + credentials wired, recurring jobs select the databases' volumes, IRIS is frozen", async () => {
        const longhorn = result.releases.find((r) => r.chart === "longhorn");
        const databasesOnLonghorn =
          config.storage === "longhorn" ? config.databases.filter((d) => d.engine !== "postgres") : [];
        if (config.storage === "longhorn") {
          const store = (longhorn?.values as any).defaultBackupStore;
          const expected = {
            aks: /^azblob:\/\/.+@core\.windows\.net\/$/,
            eks: /^s3:\/\/.+@eu-west-1\/$/,
            gke: /^s3:\/\/.+@europe-west1\/$/,
          } as Record<string, RegExp>;
          assert.match(
            store.backupTarget,
            expected[config.cloud] ?? new RegExp(`^nfs://${config.backups.nfsTarget ?? ""}/$`),
          );
          if (config.managedCluster) {
            assert.equal(store.backupTargetCredentialSecret, "hadb-backup-credentials");
            const secret = byKind(result, "Secret").find(
              (x) => x.metadata.name === "hadb-backup-credentials",
            );
            assert.equal(secret.metadata.namespace, "longhorn-system");
            const keys = Object.keys(secret.stringData).sort();
            assert.deepEqual(
              keys,
              config.cloud === "aks"
                ? ["AZBLOB_ACCOUNT_KEY", "AZBLOB_ACCOUNT_NAME"]
                : config.cloud === "gke"
                  ? ["AWS_ACCESS_KEY_ID", "AWS_ENDPOINTS", "AWS_SECRET_ACCESS_KEY"]
                  : ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
            );
            assert.ok(
              Object.values(secret.stringData).every((v) => v === REDACTED),
              "credentials are secret",
            );
            assert.ok(
              rowOf(result, "kubernetes:helm.sh/v3:Release", "longhorn").dependsOn.includes(
                "kubernetes:core/v1:Secret::longhorn-backup-credentials",
              ),
              "the target's credentials exist before Longhorn starts",
            );
          }
          // Every job's group is joined by the claims the plan says, and each claim joins existing groups.
          const groups = byKind(result, "RecurringJob").flatMap((job) => job.spec.groups as string[]);
          for (const database of databasesOnLonghorn) {
            const claim = byKind(result, "PersistentVolumeClaim").find(
              (c) => c.metadata.name === `${database.name}-data`,
            );
            const joined = Object.keys(claim.metadata.labels)
              .filter((label) => label.startsWith("recurring-job-group.longhorn.io/"))
              .map((label) => label.split("/")[1] ?? "");
            assert.ok(joined.includes("hadb-snapshots"), `${database.name} gets snapshots`);
            assert.equal(
              joined.includes("hadb-backups"),
              database.engine !== "iris",
              `${database.name} backup group`,
            );
            for (const group of joined) assert.ok(groups.includes(group), `${group} has a RecurringJob`);
            assert.equal(claim.metadata.labels["recurring-job.longhorn.io/source"], "enabled");
          }
          for (const database of databasesOnLonghorn.filter((d) => d.engine === "iris")) {
            const cronJob = byKind(result, "CronJob").find(
              (c) => c.metadata.name === `${database.name}-backup`,
            );
            assert.ok(cronJob, `${database.name} has a freeze/thaw backup job`);
            const env = Object.fromEntries(
              cronJob.spec.jobTemplate.spec.template.spec.containers[0].env.map((e: any) => [
                e.name,
                e.value,
              ]),
            );
            assert.equal(env.HADB_CLAIM, `${database.name}-data`);
            const backupClass = byKind(result, "VolumeSnapshotClass").find(
              (c) => c.metadata.name === env.HADB_SNAPSHOT_CLASS,
            );
            assert.equal(backupClass?.parameters.type, "bak", "the frozen snapshot is uploaded");
            const script = byKind(result, "ConfigMap").find(
              (c) => c.metadata.name === `${database.name}-backup`,
            );
            assert.match(script.data["volume-backup.sh"], /ExternalFreeze/);
            assert.equal(env.HADB_FREEZE, "iris");
            assert.equal(env.HADB_COPY, "none", "Longhorn uploads the bak snapshot itself");
          }
          // Without a platform snapshot controller, hadb installs one for the VolumeSnapshot classes.
          assert.equal(
            result.releases.some((r) => r.chart === "snapshot-controller"),
            !config.managedCluster,
          );
        }
        if (config.storage === "rook-ceph" || config.storage === "portworx") {
          const copied = config.databases.filter((d) => d.engine !== "postgres");
          for (const database of copied) {
            const job = (suffix: string) => {
              const cronJob = byKind(result, "CronJob").find(
                (c) => c.metadata.name === `${database.name}-${suffix}`,
              );
              assert.ok(cronJob, `${database.name}-${suffix}`);
              return Object.fromEntries(
                cronJob.spec.jobTemplate.spec.template.spec.containers[0].env.map((e: any) => [
                  e.name,
                  e.value,
                ]),
              ) as Record<string, string>;
            };
            const local = job("snapshots");
            const copy = job("backup");
            const freeze = database.engine === "iris" ? "iris" : "none";
            assert.deepEqual(
              [local.HADB_FREEZE, local.HADB_COPY, local.HADB_RETAIN],
              [freeze, "none", String(config.backups.snapshotRetain)],
            );
            assert.deepEqual(
              [copy.HADB_FREEZE, copy.HADB_COPY, copy.HADB_RETAIN],
              [freeze, "restic", String(config.backups.retain)],
            );
            // Scheduled snapshots use a Delete class: their retention really frees the storage.
            const scheduled = byKind(result, "VolumeSnapshotClass").find(
              (c) => c.metadata.name === copy.HADB_SNAPSHOT_CLASS,
            );
            assert.equal(scheduled?.deletionPolicy, "Delete");
            const templates = byKind(result, "ConfigMap").find(
              (c) => c.metadata.name === `${database.name}-backup`,
            );
            const named = (text: string) =>
              JSON.parse(
                text
                  .replace(/__JOB__/g, "copy-1")
                  .replace(/__CLONE__/g, "clone-1")
                  .replace(/__SNAPSHOT__/g, "snap-1"),
              );
            const copyJob = named(templates.data["copy-job.json"]);
            const cloneClaim = named(templates.data["clone-claim.json"]);
            await validateSchema(copyJob);
            await validateSchema(cloneClaim);
            assert.equal(cloneClaim.spec.storageClassName, result.outputs.storageClassName);
            const repository = copyJob.spec.template.spec.containers[0].env.find(
              (e: any) => e.name === "RESTIC_REPOSITORY",
            ).value as string;
            assert.match(repository, new RegExp(`/restic/${config.namespace}/${database.name}$`));
          }
          if (copied.length > 0) {
            const secret = byKind(result, "Secret").find((s) => s.metadata.name === "hadb-restic");
            for (const value of Object.values(secret.stringData)) assert.equal(value, REDACTED);
            assert.equal(result.outputs.resticPassword, REDACTED, "the repository key is a secret output");
            assert.deepEqual(
              Object.values((result.outputs.backups as any).copies).filter((c) => c === "restic").length,
              copied.length,
            );
          }
        }
        for (const database of config.databases.filter((d) => d.engine === "postgres")) {
          const cluster = postgresClusters.find((c) => c.metadata.name === database.name);
          const repos = cluster.spec.backups.pgbackrest.repos.map((r: any) => r.name);
          assert.deepEqual(repos, ["repo1", "repo2"], "volume repo + object store repo");
          assert.equal(cluster.spec.backups.pgbackrest.repos[1].schedules.full, config.backups.schedule);
          assert.equal(
            cluster.spec.backups.pgbackrest.global["repo2-retention-full"],
            String(config.backups.retain),
          );
        }
        assert.equal((result.outputs.backups as any).schedule, config.backups.schedule);
      });
    }

    if (config.databases.some((d) => d.restoreFrom)) {
      it("restore: the claim starts from the configured snapshot or backup", () => {
        for (const database of config.databases.filter((d) => d.restoreFrom)) {
          const claim = byKind(result, "PersistentVolumeClaim").find(
            (c) => c.metadata.name === `${database.name}-data`,
          );
          const source = database.restoreFrom;
          if (source?.kind === "longhornBackup") {
            const restoreClass = byKind(result, "StorageClass").find(
              (c) => c.metadata.name === claim.spec.storageClassName,
            );
            assert.equal(restoreClass.parameters.fromBackup, source.url);
            assert.equal(restoreClass.provisioner, "driver.longhorn.io");
          } else {
            assert.deepEqual(claim.spec.dataSource, {
              apiGroup: "snapshot.storage.k8s.io",
              kind: "VolumeSnapshot",
              name: source?.name,
            });
          }
        }
      });
    }

    if (config.storage === "portworx") {
      it("Portworx: operator chart pinned, StorageCluster for the platform, 3-replica database class", () => {
        const operator = result.releases.find((r) => r.chart === "portworx");
        assert.match(operator?.version ?? "", /^\d+\.\d+\.\d+$/);
        assert.equal((operator?.values as any).deployCluster, false, "hadb writes the StorageCluster");
        const [cluster] = byKind(result, "StorageCluster");
        assert.equal(cluster.metadata.name, config.portworx?.clusterName);
        assert.equal(
          cluster.metadata.annotations?.[`portworx.io/is-${config.cloud}`],
          config.managedCluster ? "true" : undefined,
        );
        // One cluster: internal KVDB. A PX-DR site: the shared external etcd and its own domain.
        if (config.disasterRecovery) {
          assert.deepEqual(cluster.spec.kvdb, { endpoints: config.portworx?.kvdbEndpoints });
          assert.equal(
            cluster.metadata.annotations?.["portworx.io/misc-args"],
            `-cluster_domain ${config.portworx?.clusterDomain}`,
          );
        } else assert.deepEqual(cluster.spec.kvdb, { internal: true });
        assert.equal(cluster.spec.stork.enabled, true);
        assert.match(cluster.spec.image, /^portworx\/oci-monitor:\d+\.\d+\.\d+$/);
        if (config.managedCluster) {
          const type = { aks: "Premium_LRS", eks: "gp3", gke: "pd-ssd" }[config.managedCluster.cloud];
          assert.deepEqual(cluster.spec.cloudStorage.deviceSpecs, [
            `type=${type},size=${config.managedCluster.storageDiskGB}`,
          ]);
          assert.equal(cluster.spec.cloudStorage.maxStorageNodesPerZone, config.nodeCount / 3);
        } else {
          assert.deepEqual(cluster.spec.storage.devices, config.blockDevices);
        }
        const envNames = (cluster.spec.env as any[]).map((e) => e.name);
        assert.equal(envNames.includes("AZURE_CLIENT_SECRET"), config.cloud === "aks");
        for (const env of cluster.spec.env as any[])
          assert.ok(env.valueFrom?.secretKeyRef, `${env.name} from a Secret`);
        const storageClass = byKind(result, "StorageClass").find(
          (c) => c.metadata.name === result.outputs.storageClassName,
        );
        assert.equal(storageClass.provisioner, "pxd.portworx.com");
        assert.equal(storageClass.parameters.repl, "3");
        assert.equal(storageClass.reclaimPolicy, "Retain");
        assert.equal(byKind(result, "VolumeSnapshotClass")[0]?.driver, "pxd.portworx.com");
        if (config.cloud === "eks") {
          const policy = result.resources.find(
            (r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name === "cluster-node-portworx",
          );
          assert.ok(policy, "the node role may create and attach Portworx drives");
          assert.ok(
            JSON.parse(String(policy.inputs.policy)).Statement[0].Action.includes("ec2:AttachVolume"),
          );
        }
      });
    }

    if (config.storage === "iscsi") {
      it("iSCSI: each database claim is pre-bound to its own LUN's PersistentVolume, with CHAP", () => {
        const volumes = byKind(result, "PersistentVolume");
        const luns = volumes.map((pv) => pv.spec.iscsi.lun);
        assert.equal(new Set(luns).size, luns.length, "one LUN per volume");
        assert.equal(volumes.length, config.databases.length);
        for (const database of config.databases.filter((d) => d.engine === "postgres")) {
          // PGO names its claim: the PV waits unbound and the claim picks it by volumeName.
          const volume = volumes.find(
            (pv) => pv.metadata.name === `hadb-iscsi-${config.namespace}-${database.name}`,
          );
          assert.ok(volume, `${database.name} has its LUN`);
          assert.equal(volume.spec.claimRef, undefined);
          assert.equal(volume.spec.iscsi.chapAuthSession, true);
        }
        for (const database of config.databases.filter((d) => d.engine !== "postgres")) {
          const claim = byKind(result, "PersistentVolumeClaim").find(
            (c) => c.metadata.name === `${database.name}-data`,
          );
          const volume = volumes.find((pv) => pv.metadata.name === claim.spec.volumeName);
          assert.ok(volume, `claim ${claim.metadata.name} names an existing PV`);
          assert.deepEqual(volume.spec.claimRef, { namespace: config.namespace, name: claim.metadata.name });
          assert.equal(volume.spec.storageClassName, claim.spec.storageClassName);
          assert.equal(volume.spec.persistentVolumeReclaimPolicy, "Retain");
          assert.deepEqual(volume.spec.accessModes, ["ReadWriteOnce"]);
          const iscsi = volume.spec.iscsi;
          assert.match(iscsi.targetPortal, /^[\w.-]+:3260$/);
          assert.match(iscsi.iqn, /^iqn\.\d{4}-\d{2}\./);
          assert.equal(iscsi.fsType, "ext4");
          assert.equal(iscsi.readOnly, false);
          assert.equal(iscsi.chapAuthSession, true);
          // No fencing: a lost node's LUN needs the runbook's taint (measured, docs/real-nodes.md).
          const runbook = result.outputs.storageRunbook as Record<string, string>;
          assert.match(runbook.nodeLost ?? "", /out-of-service=nodeshutdown:NoExecute .*powered off/);
          const secret = byKind(result, "Secret").find(
            (s) =>
              s.metadata.name === iscsi.secretRef.name && s.metadata.namespace === iscsi.secretRef.namespace,
          );
          assert.equal(secret?.type, "kubernetes.io/iscsi-chap");
          assert.ok(secret?.stringData["node.session.auth.username"]);
          assert.equal(secret?.stringData["node.session.auth.password"], REDACTED);
        }
      });
    }

    it(`database pods leave a failed node after ${config.evictionTolerationSeconds} s, not 300 s`, () => {
      const podTolerations = [
        ...dbDeployments.map((d) => d.spec.template.spec.tolerations),
        ...postgresClusters.flatMap((c) => c.spec.instances.map((i: any) => i.tolerations)),
      ];
      assert.equal(podTolerations.length, dbDeployments.length + postgresClusters.length);
      for (const tolerations of podTolerations) {
        for (const key of ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]) {
          const toleration = tolerations.find((t: any) => t.key === key);
          assert.equal(toleration?.effect, "NoExecute");
          assert.equal(toleration?.tolerationSeconds, config.evictionTolerationSeconds, key);
        }
      }
    });

    it("database Services are private unless the stack opts in with an allowlist", () => {
      for (const database of config.databases) {
        if (database.engine === "postgres") {
          const cluster = postgresClusters.find((c) => c.metadata.name === database.name);
          assert.equal(cluster.spec.service.type, "ClusterIP", "PGO's primary Service stays private");
          continue;
        }
        const service = byKind(result, "Service").find((s) => s.metadata.name === database.name);
        if (database.exposure.type === "loadBalancer") {
          assert.equal(service.spec.type, "LoadBalancer");
          assert.deepEqual(service.spec.loadBalancerSourceRanges, database.exposure.allowedSourceRanges);
        } else if (database.exposure.type === "nodePort") {
          assert.equal(service.spec.type, "NodePort");
          assert.equal(
            service.metadata.annotations["hadb.io/allowed-source-ranges"],
            database.exposure.allowedSourceRanges.join(","),
          );
          for (const [name, nodePort] of Object.entries(database.exposure.nodePorts)) {
            assert.equal(service.spec.ports.find((p: any) => p.name === name)?.nodePort, nodePort);
          }
        } else {
          assert.equal(service.spec.type, "ClusterIP");
        }
      }
    });

    it("ordering: storage waits for node prep; volumes wait for storage; databases wait for their volume", () => {
      // EKS prepares nodes with user data: storage waits for the node groups instead of the DaemonSet.
      const nodePrepReady =
        config.cloud === "eks"
          ? result.resources.filter((r) => r.type === EKS_NODE_GROUP).map((r) => `${r.type}::${r.name}`)
          : ["kubernetes:apps/v1:DaemonSet::hadb-node-prep"];
      assert.ok(nodePrepReady.length > 0);
      const nodePrep = nodePrepReady[0] ?? "";
      const storageReady: string[] = [];
      if (config.storage === "longhorn") {
        const release = rowOf(result, "kubernetes:helm.sh/v3:Release", "longhorn");
        for (const ready of nodePrepReady) assert.ok(release.dependsOn.includes(ready), ready);
        assert.ok(
          rowOf(result, "kubernetes:storage.k8s.io/v1:StorageClass", "longhorn-class").dependsOn.includes(
            "kubernetes:helm.sh/v3:Release::longhorn",
          ),
        );
        storageReady.push("kubernetes:storage.k8s.io/v1:StorageClass::longhorn-class");
      } else if (config.storage === "rook-ceph") {
        const operator = rowOf(result, "kubernetes:helm.sh/v3:Release", "rook-ceph");
        for (const ready of nodePrepReady) assert.ok(operator.dependsOn.includes(ready), ready);
        const operatorUrn = "kubernetes:helm.sh/v3:Release::rook-ceph";
        const driversUrn = "kubernetes:helm.sh/v3:Release::rook-ceph-csi-drivers";
        assert.ok(
          rowOf(result, "kubernetes:helm.sh/v3:Release", "rook-ceph-csi-drivers").dependsOn.includes(
            operatorUrn,
          ),
        );
        // The operator's CRDs exist before any of its custom resources.
        const cluster = rowOf(result, "kubernetes:ceph.rook.io/v1:CephCluster", "rook-ceph-cluster");
        assert.ok(cluster.dependsOn.includes(operatorUrn) && cluster.dependsOn.includes(driversUrn));
        assert.ok(
          rowOf(result, "kubernetes:ceph.rook.io/v1:CephBlockPool", "rook-ceph-pool").dependsOn.includes(
            "kubernetes:ceph.rook.io/v1:CephCluster::rook-ceph-cluster",
          ),
        );
        assert.ok(
          rowOf(result, "kubernetes:storage.k8s.io/v1:StorageClass", "rook-ceph-class").dependsOn.includes(
            "kubernetes:ceph.rook.io/v1:CephBlockPool::rook-ceph-pool",
          ),
        );
        storageReady.push("kubernetes:storage.k8s.io/v1:StorageClass::rook-ceph-class");
      } else if (config.storage === "portworx") {
        const operator = rowOf(result, "kubernetes:helm.sh/v3:Release", "portworx");
        for (const ready of nodePrepReady) assert.ok(operator.dependsOn.includes(ready), ready);
        assert.ok(
          rowOf(
            result,
            "kubernetes:core.libopenstorage.org/v1:StorageCluster",
            "portworx-cluster",
          ).dependsOn.includes("kubernetes:helm.sh/v3:Release::portworx"),
          "the operator's CRDs exist before the StorageCluster",
        );
        assert.ok(
          rowOf(result, "kubernetes:storage.k8s.io/v1:StorageClass", "portworx-class").dependsOn.includes(
            "kubernetes:core.libopenstorage.org/v1:StorageCluster::portworx-cluster",
          ),
        );
        storageReady.push("kubernetes:storage.k8s.io/v1:StorageClass::portworx-class");
      } else {
        for (const database of config.databases) {
          const volume = rowOf(result, "kubernetes:core/v1:PersistentVolume", `iscsi-${database.name}`);
          assert.ok(volume.dependsOn.includes(nodePrep), "LUNs are mounted only on prepared nodes");
          if (config.iscsi?.target.kind === "vagrant")
            assert.ok(volume.dependsOn.includes("command:local:Command::cluster-up"), "target VM first");
          storageReady.push(`kubernetes:core/v1:PersistentVolume::iscsi-${database.name}`);
        }
      }
      for (const database of config.databases) {
        if (database.engine === "postgres") {
          // The operator's CRD exists, storage is ready and the user Secret exists before the cluster.
          const cluster = rowOf(
            result,
            "kubernetes:postgres-operator.crunchydata.com/v1beta1:PostgresCluster",
            database.name,
          );
          for (const ready of [
            ...storageReady,
            "kubernetes:helm.sh/v3:Release::postgres-operator",
            `kubernetes:core/v1:Secret::${database.name}-credentials`,
          ])
            assert.ok(cluster.dependsOn.includes(ready), `${database.name} waits for ${ready}`);
          continue;
        }
        const claim = rowOf(result, "kubernetes:core/v1:PersistentVolumeClaim", `${database.name}-data`);
        for (const ready of storageReady)
          assert.ok(claim.dependsOn.includes(ready), `${claim.name} waits for ${ready}`);
        const deployment = rowOf(result, "kubernetes:apps/v1:Deployment", database.name);
        assert.ok(
          deployment.dependsOn.includes(`kubernetes:core/v1:PersistentVolumeClaim::${database.name}-data`),
        );
      }
    });

    it("creates resources of its own cloud only", () => {
      for (const [cloud, prefix] of Object.entries(CLOUD_TYPE_PREFIXES)) {
        const foreign = result.resources.filter((r) => r.type.startsWith(prefix));
        if (cloud === config.cloud) assert.ok(foreign.length > 0, `${cloud} resources expected`);
        else
          assert.deepEqual(
            foreign.map((r) => `${r.type}::${r.name}`),
            [],
            `no ${cloud} resources`,
          );
      }
    });

    if (config.managedCluster) {
      const managed = config.managedCluster;
      it(`${config.cloud}: ${config.nodeCount} nodes spread evenly over 3 distinct zones, on an image that runs open-iscsi`, () => {
        const nodesByZone = new Map<string, number>();
        const add = (zone: string, count: number) =>
          nodesByZone.set(zone, (nodesByZone.get(zone) ?? 0) + count);
        let image = "";
        if (config.cloud === "aks") {
          const cluster = rowOf(result, "azure-native:containerservice:ManagedCluster", "cluster")
            .inputs as any;
          const [pool] = cluster.agentPoolProfiles;
          assert.equal(pool.mode, "System");
          assert.equal(cluster.identity.type, "SystemAssigned");
          assert.equal(cluster.enableRBAC, true);
          // AKS spreads a zonal pool's VM scale set evenly over its zones.
          for (const zone of pool.availabilityZones) add(zone, pool.count / pool.availabilityZones.length);
          image = pool.osSKU;
        } else if (config.cloud === "eks") {
          const groups = result.resources.filter(
            (r) => r.type === EKS_NODE_GROUP && r.name.startsWith("cluster-system-"),
          );
          for (const group of groups) {
            const inputs = group.inputs as any;
            assert.equal(inputs.subnetIds.length, 1, "one zone per node group");
            const subnetUrn = group.dependsOn.find((urn) => urn.startsWith("aws:ec2/subnet:Subnet::"));
            const subnet = rowOf(result, "aws:ec2/subnet:Subnet", subnetUrn?.split("::")[1] ?? "");
            assert.match(subnet.name, /-private-/, "nodes live in private subnets");
            add((subnet.inputs as any).availabilityZone, inputs.scalingConfig.desiredSize);
            image = inputs.amiType;
          }
        } else {
          const pool = rowOf(result, "gcp:container/nodePool:NodePool", "cluster-system").inputs as any;
          const cluster = rowOf(result, "gcp:container/cluster:Cluster", "cluster").inputs as any;
          assert.equal(cluster.removeDefaultNodePool, true);
          assert.equal(cluster.networkingMode, "VPC_NATIVE");
          assert.equal(cluster.workloadIdentityConfig.workloadPool, `${managed.project}.svc.id.goog`);
          // A regional pool's nodeCount is per zone.
          for (const zone of pool.nodeLocations) add(zone, pool.nodeCount);
          image = pool.nodeConfig.imageType;
        }
        assert.deepEqual([...nodesByZone.keys()].sort(), [...config.zones].sort());
        assert.equal(nodesByZone.size, 3);
        for (const count of nodesByZone.values()) assert.equal(count, config.nodeCount / 3);
        const canRunIscsi = {
          aks: ["Ubuntu"],
          eks: ["AL2023_x86_64_STANDARD", "AL2023_ARM_64_STANDARD"],
          gke: ["UBUNTU_CONTAINERD"],
        };
        if (config.storage === "longhorn" || config.storage === "iscsi")
          assert.ok(canRunIscsi[managed.cloud].includes(image), `${image} can run open-iscsi`);
      });

      if (config.cloud === "eks") {
        it("eks: node user data is multipart MIME that installs and starts the iSCSI initiator", () => {
          const template = rowOf(result, "aws:ec2/launchTemplate:LaunchTemplate", "cluster-system")
            .inputs as any;
          const userData = decodeBase64(template.userData);
          const boundary = /boundary="([^"]+)"/.exec(userData)?.[1];
          assert.ok(boundary, "multipart boundary declared");
          assert.match(userData, /^MIME-Version: 1\.0\nContent-Type: multipart\/mixed;/);
          assert.ok(userData.trimEnd().endsWith(`--${boundary}--`), "closing boundary");
          assert.match(userData, /Content-Type: text\/x-shellscript/);
          assert.match(userData, /dnf install -y iscsi-initiator-utils/);
          assert.match(userData, /systemctl enable --now iscsid/);
          assert.equal(template.metadataOptions.httpTokens, "required", "IMDSv2 only");
          const storageClass = byKind(result, "StorageClass").find((c) => c.metadata.name === "gp3");
          assert.equal(storageClass?.provisioner, "ebs.csi.aws.com");
          assert.equal(storageClass?.parameters.type, "gp3");
          const addons = result.resources
            .filter((r) => r.type === "aws:eks/addon:Addon")
            .map((r) => (r.inputs as any).addonName);
          assert.deepEqual(addons.sort(), [
            "aws-ebs-csi-driver",
            "eks-pod-identity-agent",
            "snapshot-controller",
          ]);
          const cluster = rowOf(result, "aws:eks/cluster:Cluster", "cluster").inputs as any;
          assert.equal(cluster.accessConfig.authenticationMode, "API");
        });
      }

      if (config.backups.enabled) {
        it(`${config.cloud}: the backup store is private and its credentials reach only that store`, () => {
          if (config.cloud === "eks") {
            const block = rowOf(
              result,
              "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
              "cluster-backups",
            ).inputs as any;
            for (const flag of [
              "blockPublicAcls",
              "blockPublicPolicy",
              "ignorePublicAcls",
              "restrictPublicBuckets",
            ])
              assert.equal(block[flag], true, flag);
            const policy = JSON.parse(
              String(rowOf(result, "aws:iam/userPolicy:UserPolicy", "cluster-backups-writer").inputs.policy),
            );
            for (const statement of policy.Statement) {
              assert.deepEqual(statement.Resource, [
                "arn:aws:s3:::cluster-backups-bucket",
                "arn:aws:s3:::cluster-backups-bucket/*",
              ]);
              assert.ok(
                statement.Action.every((action: string) => action.startsWith("s3:") && !action.includes("*")),
              );
            }
          } else if (config.cloud === "aks") {
            const account = result.resources.find((r) => r.type === "azure-native:storage:StorageAccount")
              ?.inputs as any;
            assert.equal(account.allowBlobPublicAccess, false);
            assert.equal(account.enableHttpsTrafficOnly, true);
            assert.equal(account.minimumTlsVersion, "TLS1_2");
            assert.equal(
              (rowOf(result, "azure-native:storage:BlobContainer", "cluster-backups-container").inputs as any)
                .publicAccess,
              "None",
            );
          } else {
            const bucket = rowOf(result, "gcp:storage/bucket:Bucket", "cluster-backups").inputs as any;
            assert.equal(bucket.publicAccessPrevention, "enforced");
            assert.equal(bucket.uniformBucketLevelAccess, true);
            const grant = rowOf(
              result,
              "gcp:storage/bucketIAMMember:BucketIAMMember",
              "cluster-backups-writer",
            ).inputs as any;
            assert.equal(grant.role, "roles/storage.objectAdmin");
            assert.equal(grant.bucket, "cluster-backups-bucket", "granted on the backup bucket only");
          }
          const store = result.outputs.backupStore as Record<string, unknown>;
          assert.deepEqual(
            Object.keys(store).sort(),
            ["bucket", "endpoint", "kind", "region"],
            "no credentials in outputs",
          );
        });
      }
    }

    it("every Kubernetes resource goes through the cluster's provider, and every resource has a parent", () => {
      for (const row of result.resources) {
        if (row.type.startsWith("kubernetes:"))
          assert.ok(
            row.provider === KUBERNETES_PROVIDER ||
              (standby && row.provider === PRIMARY_PROVIDER && row.parent.endsWith("::px-dr")),
            `${row.type}::${row.name} goes through ${row.provider}`,
          );
        if (row.type !== "pulumi:pulumi:Stack")
          assert.notEqual(row.parent, "", `${row.type}::${row.name} has no parent`);
      }
    });

    it("images are pinned (tag or digest, never latest)", () => {
      const images = result.manifests.flatMap((m: any) => {
        // Pod templates only (a MigrationSchedule's template is a Migration spec).
        const pod = m.spec?.template?.spec?.containers ? m.spec.template.spec : undefined;
        return pod
          ? [...(pod.initContainers ?? []), ...pod.containers].map((c: any) => c.image as string)
          : [];
      });
      // Every workload hadb writes has images; a stack can have none (EKS nodes prepared by user data,
      // only operator-managed databases), and then the operators' charts pin the images.
      const workloads = result.manifests.filter((m: any) => m.spec?.template?.spec?.containers);
      assert.equal(images.length > 0, workloads.length > 0);
      for (const release of result.releases)
        assert.match(release.version, /^v?\d+\.\d+\.\d+$/, release.chart);
      for (const image of images) assert.match(image, /^[^:@]+(:[^:@]+|@sha256:[a-f0-9]{64})$/, image);
      for (const image of images) assert.doesNotMatch(image, /:latest$/, image);
    });

    it("only the node-prep namespace admits host access", () => {
      for (const namespace of byKind(result, "Namespace")) {
        const level = namespace.metadata.labels["pod-security.kubernetes.io/enforce"];
        const mayBePrivileged = ["hadb-node-prep", "longhorn-system", "rook-ceph", "portworx"].includes(
          namespace.metadata.name,
        );
        if (!mayBePrivileged)
          assert.ok(
            ["baseline", "restricted"].includes(level),
            `${namespace.metadata.name} enforces a Pod Security level`,
          );
        assert.equal(level === "privileged", mayBePrivileged, namespace.metadata.name);
      }
      for (const object of result.manifests as any[]) {
        const pod = object.spec?.template?.spec;
        if (pod?.hostPID || pod?.hostNetwork) assert.equal(object.metadata.namespace, "hadb-node-prep");
      }
    });

    it("every built-in Kubernetes object is valid against the Kubernetes OpenAPI schema", async () => {
      assert.ok(result.manifests.length > 0);
      // Objects a DR standby writes to its primary's cluster are checked the same way.
      for (const object of [...result.manifests, ...Object.values(result.remoteManifests).flat()]) {
        // Custom resources of third-party operators: checked by their typed builders' tests (and the
        // e2e tier against the operators' own CRDs), not by the built-in schema.
        if (THIRD_PARTY_GROUPS.includes(object.apiVersion.split("/")[0] ?? "")) continue;
        await assert.doesNotReject(validateSchema(object), `${object.kind}/${object.metadata.name}`);
      }
    });
  });
}

describe("schema validation catches broken objects", () => {
  it("rejects a Deployment with a string port and a missing selector", async () => {
    const broken = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "broken" },
      spec: {
        template: { spec: { containers: [{ name: "c", image: "i:1", ports: [{ containerPort: "1972" }] }] } },
      },
    } as unknown as KubeObject;
    await assert.rejects(validateSchema(broken), /selector|containerPort/);
  });
});
