// DR pairs: PX-DR (px-dr-primary + px-dr-standby) and Longhorn DR volumes (gke-longhorn-iris +
// gke-longhorn-iris-standby), each standby evaluated offline with its primary's real outputs answering
// the StackReference; the pairing checks; the Stork objects' fields against Stork's API types; and the
// standby-volume reconciler run for real (bash + jq) against a fake kubectl.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { configFromMap } from "../components/config/load";
import type { HadbConfig } from "../components/config/types";
import { pairingProblems } from "../components/protection/dr/pairing";
import { standbyDatabases } from "../components/protection/dr/primary";
import {
  apiEndpointOf,
  clusterPair,
  migrationSchedule,
  remoteApiEndpointOf,
  schedulePolicy,
  tokenClientConfig,
} from "../components/protection/dr/portworx-manifests";
import { REDACTED } from "../tools/synth/write";
import {
  PROJECT_ROOT,
  runSynth,
  siteConfig,
  stackConfigValues,
  synthStack,
  type SynthResult,
} from "./helpers/synth";

const byKind = (manifests: any[], kind: string): any[] => manifests.filter((m) => m.kind === kind);
/** Manifests the standby sends to the primary's cluster. */
const onPrimaryCluster = (result: SynthResult): any[] =>
  result.remoteManifests["remote-cluster-primary"] ?? [];
const onOwnCluster = (result: SynthResult): any[] => result.manifests;

/**
 * Fields of Stork's v1alpha1 types (libopenstorage/stork pkg/apis/stork/v1alpha1: clusterpair.go,
 * migration.go, migrationschedule.go, schedulepolicy.go) that hadb may set: a misspelt field would be
 * pruned by the CRD's schema and silently change behaviour, so every key written must be one of them.
 */
const STORK_FIELDS = {
  clusterPairSpec: ["config", "options"],
  migrationScheduleSpec: ["template", "schedulePolicyName", "suspend", "autoSuspend"],
  migrationSpec: [
    "clusterPair",
    "adminClusterPair",
    "namespaces",
    "includeResources",
    "includeVolumes",
    "startApplications",
    "selectors",
    "excludeSelectors",
    "purgeDeletedResources",
  ],
  schedulePolicy: ["apiVersion", "kind", "metadata", "policy"],
  policy: ["interval", "daily", "weekly", "monthly"],
  interval: ["intervalMinutes", "retain"],
  clusterDomainUpdateSpec: ["clusterdomain", "active"],
};
const keysWithin = (value: object, allowed: string[], what: string) => {
  for (const key of Object.keys(value))
    assert.ok(allowed.includes(key), `${what}.${key} is not a Stork field`);
};

describe("PX-DR pair (px-dr-primary + px-dr-standby)", () => {
  const primary = synthStack("px-dr-primary");
  const standby = synthStack("px-dr-standby");
  const primaryConfig = configFromMap(stackConfigValues("px-dr-primary"));
  const standbyConfig = configFromMap(stackConfigValues("px-dr-standby"));
  const [primaryCluster] = byKind(primary.manifests, "StorageCluster");
  const [standbyCluster] = byKind(onOwnCluster(standby), "StorageCluster");

  it("both sites form one Portworx cluster: same name and external etcd, one domain each", () => {
    assert.equal(primaryCluster.metadata.name, standbyCluster.metadata.name);
    assert.equal(primaryCluster.metadata.name, "hadb-px-metro");
    assert.deepEqual(primaryCluster.spec.kvdb, standbyCluster.spec.kvdb);
    assert.ok(primaryCluster.spec.kvdb.endpoints.length >= 1);
    assert.equal(primaryCluster.spec.kvdb.internal, undefined, "no internal KVDB anywhere in a pair");
    const domain = (cluster: any) => cluster.metadata.annotations["portworx.io/misc-args"];
    assert.equal(domain(primaryCluster), "-cluster_domain site-a");
    assert.equal(domain(standbyCluster), "-cluster_domain site-b");
  });

  it("the standby reads the primary by StackReference and publishes how it follows", () => {
    const reference = standby.resources.find((r) => r.type === "pulumi:pulumi:StackReference");
    assert.equal(reference?.inputs.name, "acme/hadb/px-dr-primary");
    const published = primary.outputs.disasterRecovery as any;
    assert.equal(published.role, "primary");
    assert.deepEqual(published.portworx, {
      clusterName: "hadb-px-metro",
      clusterDomain: "site-a",
      kvdbEndpoints: primaryConfig.portworx?.kvdbEndpoints,
    });
    assert.deepEqual(standby.outputs.disasterRecovery, {
      role: "standby",
      primaryStack: "acme/hadb/px-dr-primary",
      mode: "px-dr-metro",
      namespace: "databases",
      clusterPair: "hadb-px-dr",
      migrationSchedule: "hadb-px-dr",
      failbackSchedule: "hadb-px-dr-failback",
      intervalMinutes: standbyConfig.disasterRecovery?.intervalMinutes,
      domains: { primary: "site-a", standby: "site-b" },
    });
  });

  it("the standby runs no database itself: Stork migrates the namespace at 0 replicas", () => {
    assert.equal(byKind(standby.manifests, "Deployment").length, 0);
    assert.equal(byKind(standby.manifests, "PersistentVolumeClaim").length, 0);
    assert.deepEqual(
      byKind(onOwnCluster(standby), "Namespace")
        .map((n) => n.metadata.name)
        .includes("databases"),
      true,
    );
    assert.equal(byKind(primary.manifests, "Deployment").filter((d) => d.metadata.name === "shop").length, 1);
  });

  it("on the primary: a sync ClusterPair to the standby, the policy and the MigrationSchedule", () => {
    const remote = onPrimaryCluster(standby);
    const [pair] = byKind(remote, "ClusterPair");
    assert.equal(pair.metadata.namespace, "databases");
    assert.equal(pair.metadata.name, "hadb-px-dr");
    keysWithin(pair.spec, STORK_FIELDS.clusterPairSpec, "ClusterPair.spec");
    assert.equal(pair.spec.config, REDACTED, "the pair's kubeconfig holds a token: secret in state");
    const [policy] = byKind(remote, "SchedulePolicy");
    keysWithin(policy, STORK_FIELDS.schedulePolicy, "SchedulePolicy");
    keysWithin(policy.policy, STORK_FIELDS.policy, "SchedulePolicy.policy");
    assert.deepEqual(policy.policy, { interval: { intervalMinutes: 5 } });
    assert.equal(policy.metadata.namespace, undefined, "SchedulePolicy is cluster-scoped");
    const [schedule] = byKind(remote, "MigrationSchedule");
    keysWithin(schedule.spec, STORK_FIELDS.migrationScheduleSpec, "MigrationSchedule.spec");
    keysWithin(
      schedule.spec.template.spec,
      STORK_FIELDS.migrationSpec,
      "MigrationSchedule.spec.template.spec",
    );
    assert.deepEqual(schedule.spec, {
      template: {
        spec: {
          clusterPair: "hadb-px-dr",
          namespaces: ["databases"],
          includeResources: true,
          includeVolumes: false,
          startApplications: false,
        },
      },
      schedulePolicyName: policy.metadata.name,
      suspend: false,
      autoSuspend: true,
    });
    const row = standby.resources.find((r) => r.name === "px-dr-schedule");
    assert.ok(row, "the MigrationSchedule is a resource of the standby stack");
  });

  it("on the standby: the reverse pair and a suspended failback schedule", () => {
    const own = onOwnCluster(standby);
    const [reverse] = byKind(own, "ClusterPair");
    assert.equal(reverse.metadata.name, "hadb-px-dr-reverse");
    const [failback] = byKind(own, "MigrationSchedule");
    assert.equal(failback.spec.template.spec.clusterPair, "hadb-px-dr-reverse");
    assert.equal(failback.spec.suspend, true);
  });

  it("Stork reaches each cluster as a cluster-admin service account with a long-lived token", () => {
    for (const manifests of [onOwnCluster(standby), onPrimaryCluster(standby)]) {
      const [token] = byKind(manifests, "Secret");
      assert.equal(token.type, "kubernetes.io/service-account-token");
      assert.equal(token.metadata.annotations["kubernetes.io/service-account.name"], "hadb-px-dr-migrator");
      const [binding] = byKind(manifests, "ClusterRoleBinding");
      assert.equal(binding.roleRef.name, "cluster-admin");
      assert.deepEqual(binding.subjects, [
        { kind: "ServiceAccount", name: "hadb-px-dr-migrator", namespace: "kube-system" },
      ]);
    }
  });

  it("a standby whose domain equals the primary's is refused before any resource", () => {
    const dir = mkdtempSync(join(tmpdir(), "hadb-px-dr-"));
    const file = join(dir, "same-domain.yaml");
    writeFileSync(
      file,
      readFileSync(join(PROJECT_ROOT, "stacks", "px-dr-standby.yaml"), "utf8").replace(
        "clusterDomain: site-b",
        "clusterDomain: site-a",
      ),
    );
    const run = runSynth([file, "--out", join(dir, "out")]);
    assert.equal(run.status, 1);
    assert.match(
      run.stderr,
      /hadb:portworx\.clusterDomain: "site-a" is the primary's domain too: each site needs its own/,
    );
    // Only the StackReference (a read, nothing created) exists when the pairing fails.
    assert.match(run.stderr, /resources registered before the error: 1\n/);
  });
});

describe("Stork object builders", () => {
  it("a sync ClusterPair carries no storage options", () => {
    const pair = clusterPair("p", "ns", { clusters: {} }) as any;
    assert.deepEqual(pair.spec.options, {});
    assert.equal(pair.apiVersion, "stork.libopenstorage.org/v1alpha1");
  });

  it("the pair's kubeconfig is client-go's Config shape with the migrator's token", () => {
    const endpoint = apiEndpointOf(
      [
        "current-context: b",
        "contexts: [{name: a, context: {cluster: one}}, {name: b, context: {cluster: two}}]",
        'clusters: [{name: one, cluster: {server: "https://one"}}, {name: two, cluster: {server: "https://two", certificate-authority-data: Q0E=}}]',
      ].join("\n"),
    );
    assert.deepEqual(endpoint, { server: "https://two", certificateAuthorityData: "Q0E=" });
    assert.deepEqual(tokenClientConfig("site-b", endpoint, "t0ken"), {
      clusters: { "site-b": { server: "https://two", "certificate-authority-data": "Q0E=" } },
      users: { "hadb-px-dr-migrator": { token: "t0ken" } },
      contexts: { "site-b": { cluster: "site-b", user: "hadb-px-dr-migrator" } },
      "current-context": "site-b",
    });
    assert.throws(() => apiEndpointOf("current-context: x\ncontexts: []\n"), /no API server for context "x"/);
    const local = [
      "current-context: kind",
      "contexts: [{name: kind, context: {cluster: kind}}]",
      'clusters: [{name: kind, cluster: {server: "https://127.0.0.1:6443"}}]',
    ].join("\n");
    assert.throws(
      () => remoteApiEndpointOf(local, "site-b"),
      /site-b points at https:\/\/127\.0\.0\.1:6443, which the other site cannot reach/,
    );
    assert.equal(
      remoteApiEndpointOf(local.replace("127.0.0.1", "10.0.0.5"), "site-b").server,
      "https://10.0.0.5:6443",
    );
  });

  it("schedules and policies use only Stork's fields", () => {
    const schedule = migrationSchedule({
      name: "s",
      namespace: "n",
      clusterPair: "p",
      policy: "q",
      suspend: true,
    }) as any;
    keysWithin(schedule.spec, STORK_FIELDS.migrationScheduleSpec, "spec");
    keysWithin(schedule.spec.template.spec, STORK_FIELDS.migrationSpec, "template.spec");
    const policy = schedulePolicy("q", 15) as any;
    keysWithin(policy.policy.interval, STORK_FIELDS.interval, "policy.interval");
  });
});

describe("pairing a standby with its primary", () => {
  const standby: HadbConfig = configFromMap(stackConfigValues("px-dr-standby"));
  const primaryOutput = () => synthStack("px-dr-primary").outputs.disasterRecovery as any;
  const problems = (change: (output: any) => void) => {
    const output = structuredClone(primaryOutput());
    change(output);
    return pairingProblems(standby, "acme/hadb/px-dr-primary", output);
  };

  it("accepts the stacks in stacks/", () => {
    assert.deepEqual(
      problems(() => undefined),
      [],
    );
  });

  it("refuses the same cluster domain on both sites", () => {
    assert.deepEqual(
      problems((output) => {
        output.portworx.clusterDomain = "site-b";
      }),
      [
        'hadb:portworx.clusterDomain: "site-b" is the primary\'s domain too: each site needs its own (e.g. site-a, site-b)',
      ],
    );
  });

  it("refuses another Portworx cluster name, other etcd endpoints, another namespace", () => {
    const found = problems((output) => {
      output.portworx.clusterName = "other";
      output.portworx.kvdbEndpoints = ["etcd:https://elsewhere:2379"];
      output.namespace = "hadb";
    });
    assert.equal(found.length, 3);
    assert.match(found[0] ?? "", /^hadb:namespace: "databases" must equal the primary's namespace "hadb"/);
    assert.match(
      found[1] ?? "",
      /^hadb:portworx\.clusterName: "hadb-px-metro" must equal the primary's "other"/,
    );
    assert.match(found[2] ?? "", /^hadb:portworx\.kvdb\.endpoints: .* both sites share one etcd$/);
  });

  it("refuses a stack that is no DR primary, or exports nothing", () => {
    assert.deepEqual(pairingProblems(standby, "acme/hadb/x", undefined), [
      'hadb:disasterRecovery.primaryStack: "acme/hadb/x" exports no disasterRecovery output: deploy it first with hadb:disasterRecovery.role "primary"',
    ]);
    assert.match(
      problems((o) => (o.role = "standby"))[0] ?? "",
      /is not a DR primary \(its role is "standby"\)/,
    );
    assert.match(
      problems((o) => (o.kubeconfigExported = false))[0] ?? "",
      /the primary exports no kubeconfig/,
    );
    assert.match(
      problems((o) => (o.storage = "longhorn"))[0] ?? "",
      /must match the primary's storage "longhorn"/,
    );
  });

  it("a Longhorn standby runs the primary's entries without the primary's restore source", () => {
    const [iris] = configFromMap(stackConfigValues("existing-iris-clone")).databases;
    assert.ok(iris?.restoreFrom, "the clone stack restores from a backup");
    const [standbyIris] = standbyDatabases([iris]);
    assert.equal(standbyIris?.restoreFrom, undefined, "its data comes from the standby volume");
    assert.deepEqual({ ...standbyIris, restoreFrom: iris.restoreFrom }, iris);
  });

  it("a Longhorn standby refuses a primary without a backup target or with PostgreSQL", () => {
    const longhornStandby = configFromMap(stackConfigValues("gke-longhorn-iris-standby"));
    const output = structuredClone(synthStack("gke-longhorn-iris").outputs.disasterRecovery as any);
    assert.deepEqual(pairingProblems(longhornStandby, "p", output), []);
    delete output.longhorn;
    output.databases.push({ engine: "postgres", name: "billing" });
    const found = pairingProblems(longhornStandby, "p", output);
    assert.match(found[0] ?? "", /publishes no Longhorn backup target/);
    assert.match(found[1] ?? "", /\["billing"\] are engine postgres, which Longhorn DR volumes do not carry/);
  });
});

describe("Longhorn DR volumes (gke-longhorn-iris + gke-longhorn-iris-standby)", () => {
  const primary = synthStack("gke-longhorn-iris");
  const standby = synthStack("gke-longhorn-iris-standby");
  const config = siteConfig("gke-longhorn-iris-standby");
  const backupTarget = (primary.outputs.disasterRecovery as any).longhorn.backupTarget as string;

  it("the primary publishes its backup target; credentials only as secrets", () => {
    assert.match(backupTarget, /^s3:\/\/.+@europe-west1\/$/);
    assert.deepEqual(primary.outputs.disasterRecoverySecrets, {
      backupTargetCredentials: REDACTED,
      databaseCredentials: REDACTED,
    });
  });

  it("the standby's Longhorn reads the primary's backup target with its credentials", () => {
    const longhorn = standby.releases.find((r) => r.chart === "longhorn");
    const store = (longhorn?.values as any).defaultBackupStore;
    assert.equal(store.backupTarget, backupTarget);
    const secret = standby.manifests.find(
      (m) => m.kind === "Secret" && m.metadata.name === store.backupTargetCredentialSecret,
    ) as any;
    assert.equal(secret.metadata.namespace, "longhorn-system");
    for (const value of Object.values(secret.stringData)) assert.equal(value, REDACTED);
    assert.equal((standby.outputs.disasterRecovery as any).backupTarget, backupTarget);
  });

  it("one standby volume per primary database, bound to the database's claim, writer at 0", () => {
    assert.deepEqual(
      config.databases.map((d) => d.name),
      ["iris"],
    );
    const [volume] = byKind(standby.manifests, "PersistentVolume");
    assert.equal(volume.metadata.name, "hadb-dr-iris");
    assert.deepEqual(volume.spec.csi, {
      driver: "driver.longhorn.io",
      volumeHandle: "hadb-dr-iris",
      fsType: "ext4",
      volumeAttributes: { numberOfReplicas: "3", staleReplicaTimeout: "30" },
    });
    assert.deepEqual(volume.spec.claimRef, { namespace: config.namespace, name: "iris-data" });
    const claim = byKind(standby.manifests, "PersistentVolumeClaim").find(
      (c) => c.metadata.name === "iris-data",
    );
    assert.equal(claim.spec.volumeName, "hadb-dr-iris");
    assert.equal(claim.spec.storageClassName, volume.spec.storageClassName);
    const [deployment] = byKind(standby.manifests, "Deployment").filter((d) => d.metadata.name === "iris");
    assert.equal(deployment.spec.replicas, 0);
    const row = standby.resources.find(
      (r) => r.type === "kubernetes:apps/v1:Deployment" && r.name === "iris",
    );
    assert.ok(row, "IRIS Deployment registered");
  });

  it("the reconciler CronJob gets its volume list and may touch only Longhorn volumes and backups", () => {
    const [job] = byKind(standby.manifests, "CronJob");
    assert.equal(job.metadata.namespace, "longhorn-system");
    assert.equal(job.spec.schedule, "*/5 * * * *");
    const [map] = byKind(standby.manifests, "ConfigMap").filter((m) => m.metadata.name === job.metadata.name);
    assert.equal(map.data.volumes, `hadb-dr-iris ${config.namespace} iris-data 53687091200 3\n`);
    const [role] = byKind(standby.manifests, "Role");
    assert.deepEqual(
      role.rules
        .map((rule: any) => rule.resources)
        .flat()
        .sort(),
      ["backups", "volumes"],
    );
  });
});

const RECONCILER = join(PROJECT_ROOT, "components", "protection", "dr", "longhorn-standby-volumes.sh");

const backup = (name: string, claim: string, created: string, state = "Completed") => ({
  metadata: { name },
  status: {
    state,
    url: `s3://bucket@region/?backup=${name}&volume=pvc-1`,
    backupCreatedAt: created,
    labels: { KubernetesStatus: JSON.stringify({ namespace: "hadb", pvcName: claim, pvName: "pvc-1" }) },
  },
});

const FAKE_KUBECTL = `#!/bin/bash
echo "kubectl $*" >>"$FAKE_CALLS"
args=" $* "
if [[ $args == *" get volumes.longhorn.io "* ]]; then
  [[ $args == *" $FAKE_EXISTING "* ]] && echo "volume.longhorn.io/$FAKE_EXISTING"
  exit 0
fi
if [[ $args == *" get backups.longhorn.io "* ]]; then cat "$FAKE_BACKUPS"; exit "\${FAKE_GET_EXIT:-0}"; fi
if [[ $args == *" apply -f - "* ]]; then cat >>"$FAKE_APPLIED"; echo "---" >>"$FAKE_APPLIED"; exit 0; fi
exit 1
`;

function runReconciler(backups: object[], env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "hadb-dr-reconciler-"));
  writeFileSync(join(dir, "kubectl"), FAKE_KUBECTL);
  chmodSync(join(dir, "kubectl"), 0o755);
  writeFileSync(join(dir, "backups.json"), JSON.stringify({ items: backups }));
  writeFileSync(
    join(dir, "volumes"),
    "hadb-dr-iris hadb iris-data 53687091200 3\nhadb-dr-orders hadb orders-data 1073741824 3\n",
  );
  const applied = join(dir, "applied.yaml");
  const result = spawnSync("bash", [RECONCILER], {
    encoding: "utf8",
    env: {
      PATH: `${dir}:${process.env.PATH ?? ""}`,
      VOLUMES_FILE: join(dir, "volumes"),
      FAKE_CALLS: join(dir, "calls"),
      FAKE_BACKUPS: join(dir, "backups.json"),
      FAKE_APPLIED: applied,
      FAKE_EXISTING: "none",
      ...env,
    },
  });
  const volumes = existsSync(applied)
    ? readFileSync(applied, "utf8")
        .split("---\n")
        .filter((text) => text.trim() !== "")
        .map((text) => parse(text))
    : [];
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, volumes };
}

describe("longhorn-standby-volumes.sh (run for real against a fake kubectl)", () => {
  it("passes shellcheck", (t) => {
    if (spawnSync("sh", ["-c", "command -v shellcheck"]).status !== 0) {
      if (process.env.CI === "true") assert.fail("shellcheck is required in CI (.ci/run installs it)");
      t.skip("shellcheck not installed");
      return;
    }
    const result = spawnSync("shellcheck", ["-s", "bash", RECONCILER], { encoding: "utf8" });
    assert.equal(result.status, 0, result.stdout);
  });

  it("creates each standby volume from the newest completed backup of its own claim", () => {
    const run = runReconciler([
      backup("backup-old", "iris-data", "2026-11-20T00:00:00Z"),
      backup("backup-new", "iris-data", "2026-11-23T06:00:00Z"),
      backup("backup-running", "iris-data", "2026-11-23T12:00:00Z", "InProgress"),
      backup("backup-other", "other-data", "2026-11-24T00:00:00Z"),
    ]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.volumes.length, 1, "orders has no backup yet: nothing created for it");
    const [volume] = run.volumes;
    assert.equal(volume.apiVersion, "longhorn.io/v1beta2");
    assert.equal(volume.kind, "Volume");
    assert.deepEqual(volume.metadata.name, "hadb-dr-iris");
    assert.equal(volume.metadata.namespace, "longhorn-system");
    assert.deepEqual(volume.spec, {
      fromBackup: "s3://bucket@region/?backup=backup-new&volume=pvc-1",
      // Longhorn's json tag is capitalised; a lowercase "standby" would be pruned.
      Standby: true,
      size: "53687091200",
      numberOfReplicas: 3,
      accessMode: "rwo",
      frontend: "",
    });
    assert.match(run.stdout, /no completed backup of hadb\/orders-data on the target yet/);
  });

  it("leaves an existing standby volume to Longhorn's incremental restore", () => {
    const run = runReconciler([backup("backup-new", "iris-data", "2026-11-23T06:00:00Z")], {
      FAKE_EXISTING: "hadb-dr-iris",
    });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.volumes.length, 0);
    assert.match(run.stdout, /standby volume hadb-dr-iris exists/);
  });

  it("fails when the backups cannot be listed (never mistakes an API error for 'no backup yet')", () => {
    const run = runReconciler([], { FAKE_GET_EXIT: "1" });
    assert.notEqual(run.status, 0);
    assert.equal(run.volumes.length, 0);
  });
});
