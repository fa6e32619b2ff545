// `npm run synth` as a user runs it: the dev stack's reviewable output, and bad stack files.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseAllDocuments, stringify } from "yaml";
import { toKubernetesYaml } from "../tools/synth/write";
import { runSynth, synthStack } from "./helpers/synth";

describe("npm run synth -- dev", () => {
  const result = synthStack("dev");

  it("writes the resource list, manifests, Helm releases and outputs", () => {
    for (const file of [
      "resources.json",
      "resources.txt",
      "all.yaml",
      "outputs.json",
      "helm/longhorn.yaml",
    ]) {
      assert.ok(result.texts[file] !== undefined, file);
    }
    assert.match(
      result.texts["resources.txt"] ?? "",
      /kubernetes:helm\.sh\/v3:Release \| longhorn \| hadb:storage:Longhorn::longhorn/,
    );
  });

  it("contains Longhorn, node prep, StorageClass, IRIS Deployment/Service/PVC/ConfigMap, the password Secret and its guard", () => {
    const kinds = (kind: string) =>
      result.manifests.filter((m) => m.kind === kind).map((m) => m.metadata.name);
    assert.deepEqual(
      result.releases.map((r) => `${r.chart}@${r.version}`),
      ["longhorn@1.12.1"],
    );
    assert.deepEqual(kinds("DaemonSet"), ["hadb-node-prep"]);
    assert.deepEqual(kinds("StorageClass"), ["hadb-longhorn"]);
    assert.deepEqual(kinds("Deployment"), ["iris"]);
    assert.deepEqual(kinds("Service"), ["iris"]);
    assert.deepEqual(kinds("PersistentVolumeClaim"), ["iris-data"]);
    assert.deepEqual(kinds("ConfigMap").sort(), [
      "hadb-node-prep",
      "iris-cpf-merge",
      "iris-credentials-guard",
    ]);
    assert.deepEqual(kinds("Secret"), ["iris-credentials"]);
    const deployment: any = result.manifests.find((m) => m.kind === "Deployment");
    assert.equal(deployment.spec.strategy.type, "Recreate");
    assert.equal(deployment.spec.replicas, 1);
    const service: any = result.manifests.find((m) => m.kind === "Service");
    assert.equal(service.spec.type, "ClusterIP");
  });
});

describe("npm run synth with a bad stack file", () => {
  const dir = mkdtempSync(join(tmpdir(), "hadb-bad-stack-"));

  it("exits 1 with the validation message and registers no resource", () => {
    const file = join(dir, "Pulumi.bad.yaml");
    writeFileSync(
      file,
      stringify({
        config: {
          "hadb:storage": "portworx",
          "hadb:databases": [
            {
              engine: "iris",
              name: "iris",
              exposure: { type: "loadBalancer", allowedSourceRanges: ["0.0.0.0/0"] },
            },
          ],
        },
      }),
    );
    const out = join(dir, "out");
    const run = runSynth([file, "--out", out]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /invalid hadb stack configuration:/);
    assert.match(
      run.stderr,
      /hadb:blockDevices: \[\] is required for storage "portworx" on an existing cluster: list the empty raw disks every node has/,
    );
    assert.match(
      run.stderr,
      /hadb:databases\[0\]\.exposure\.allowedSourceRanges\[0\]: "0\.0\.0\.0\/0" opens the database to every address/,
    );
    assert.match(run.stderr, /resources registered before the error: 0/);
    assert.ok(!existsSync(out), "no output written for an invalid stack");
  });

  it("--json prints exactly one JSON document on stdout, even when the program logs (EKS node prep does)", () => {
    const dir = mkdtempSync(join(tmpdir(), "hadb-synth-json-"));
    const run = runSynth(["eks-longhorn-mysql", "--out", join(dir, "out"), "--json"]);
    assert.equal(run.status, 0, run.stderr);
    const summary = JSON.parse(run.stdout) as { stack: string; resources: number };
    assert.equal(summary.stack, "eks-longhorn-mysql");
    assert.ok(summary.resources > 0);
    assert.match(run.stderr, /node prep: launch template user data/, "the program's log goes to stderr");
  });

  it("reports a missing stack file and bad usage in one message, without a stack trace", () => {
    const missing = runSynth(["no-such-stack"]);
    assert.equal(missing.status, 1);
    assert.match(
      missing.stderr,
      /stack file not found: no stacks\/no-such-stack\.yaml nor Pulumi\.no-such-stack\.yaml/,
    );
    assert.match(missing.stderr, /ready stacks \(stacks\/\): .*\bdev\b.*\bexisting-zonal\b/);
    assert.doesNotMatch(missing.stderr, /\n\s+at /, "no stack trace");
    const typo = runSynth(["existing-zonl"]);
    assert.match(typo.stderr, /\(did you mean existing-zonal\?\)/);
    const usage = runSynth([]);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /usage: npm run synth/);
    const notYaml = join(mkdtempSync(join(tmpdir(), "hadb-bad-")), "Pulumi.x.yaml");
    writeFileSync(notYaml, "config: [unclosed");
    const broken = runSynth([notYaml]);
    assert.equal(broken.status, 1);
    assert.match(broken.stderr, /Pulumi\.x\.yaml: not a stack file/);
    assert.doesNotMatch(broken.stderr, /\n\s+at /, "no stack trace");
  });

  it("lists the placeholders a copied stack file still carries", () => {
    const run = runSynth(["gke-longhorn-iris", "--out", mkdtempSync(join(tmpdir(), "hadb-synth-"))]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /placeholders to replace in .*gke-longhorn-iris\.yaml/);
    assert.match(run.stdout, /gcp:project = hadb-example: your GCP project ID/);
  });
});

describe("npm run synth -- vagrant-iscsi-mysql (the seed's lab)", () => {
  const result = synthStack("vagrant-iscsi-mysql");

  it("shows the Vagrant commands and the lab files they write, without secrets", () => {
    const command = result.texts["commands/cluster-up/command.yaml"] ?? "";
    assert.match(command, /vagrant up --provider/);
    assert.match(command, /vagrant destroy -f/);
    const vagrantfile = result.texts["commands/cluster-up/files/Vagrantfile"] ?? "";
    assert.match(vagrantfile, /config\.vm\.define 'hadb-iscsi'/);
    assert.ok(result.texts["commands/cluster-up/files/provision/iscsi-target.sh"]);
    assert.match(result.texts["commands/cluster-kubeconfig/command.yaml"] ?? "", /create: "\[secret\]"/);
  });

  it("shows the CHAP Secret, the PV/PVC pair and MySQL", () => {
    const kinds = result.manifests.map((m) => `${m.kind}/${m.metadata.name}`);
    for (const expected of [
      "Secret/hadb-iscsi-chap",
      "PersistentVolume/hadb-iscsi-hadb-mysql",
      "PersistentVolumeClaim/mysql-data",
      "Deployment/mysql",
      "Service/mysql",
      "ConfigMap/mysql-config",
      "Secret/mysql-credentials",
    ]) {
      assert.ok(kinds.includes(expected), expected);
    }
  });
});

describe("npm run synth prints what protects the stack", () => {
  it("backups: bucket, Longhorn target, schedules and snapshot class; a DR primary's publication", () => {
    const dir = mkdtempSync(join(tmpdir(), "hadb-synth-protection-"));
    const run = runSynth(["gke-longhorn-iris", "--out", dir]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^ {2}bucket: gcs .+ \(europe-west1\)$/m);
    assert.match(run.stdout, /^ {2}Longhorn target: s3:\/\/.+@europe-west1\/$/m);
    assert.match(
      run.stdout,
      /^ {2}off-cluster: "0 \*\/6 \* \* \*" keep 84; snapshots: "0 \* \* \* \*" keep 24; snapshot class hadb-longhorn-snapshots$/m,
    );
    assert.match(run.stdout, /^ {2}iris: longhorn-backup, iris-freeze$/m);
    assert.match(run.stdout, /^disaster recovery: primary \(longhorn\)/m);
  });

  it("the PX-DR standby: its primary, the pair, both schedules and the two domains", () => {
    const dir = mkdtempSync(join(tmpdir(), "hadb-synth-px-dr-"));
    const run = runSynth(["px-dr-standby", "--out", dir]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^disaster recovery: standby of acme\/hadb\/px-dr-primary \(px-dr-metro\)$/m);
    assert.match(run.stdout, /^ {2}clusterPair: "hadb-px-dr"$/m);
    assert.match(run.stdout, /^ {2}migrationSchedule: "hadb-px-dr"$/m);
    assert.match(run.stdout, /^ {2}failbackSchedule: "hadb-px-dr-failback"$/m);
    assert.match(run.stdout, /^ {2}domains: \{"primary":"site-a","standby":"site-b"\}$/m);
  });
});

describe("all.yaml as Kubernetes reads it (YAML 1.1)", () => {
  it("quotes strings YAML 1.1 reads as booleans (a Rook StorageClass's `hadb.io/fencing: off`)", () => {
    const text = toKubernetesYaml([
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", annotations: { f: "off", g: "yes" } } },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "b" }, data: { on: "on", n: "n" } },
    ]);
    const documents = parseAllDocuments(text, { version: "1.1" }).map((d) => d.toJS() as unknown);
    assert.deepEqual(documents, [
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", annotations: { f: "off", g: "yes" } } },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "b" }, data: { on: "on", n: "n" } },
    ]);
  });
});
