// Tier 1 + 2: every stack in stacks/ evaluated by the real program under Pulumi's mock runtime, with
// assertions on what users rely on, and every Kubernetes object validated against the Kubernetes
// OpenAPI schema (kubernetes-models). Proves what the program produces, not what a cluster does with it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { configFromMap } from "../components/config/load";
import { ENGINE_CATALOG } from "../components/databases/catalog";
import type { HadbConfig } from "../components/config/types";
import { MOCK_SECRET_MARKER } from "../tools/synth/evaluate";
import { REDACTED, type KubeObject } from "../tools/synth/write";
import { STACKS, stackConfigValues, synthStack, type ResourceRow, type SynthResult } from "./helpers/synth";

const KUBERNETES_PROVIDER = "pulumi:providers:kubernetes::cluster-k8s";

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
  describe(`stack ${stack}`, () => {
    const config: HadbConfig = configFromMap(stackConfigValues(stack));
    const result = synthStack(stack);
    const deployments = byKind(result, "Deployment");
    const dbDeployments = deployments.filter(
      (d) => d.metadata.labels["app.kubernetes.io/component"] === "database",
    );

    it("deploys every configured database and nothing else", () => {
      assert.deepEqual(
        dbDeployments.map((d) => d.metadata.name).sort(),
        config.databases.map((d) => d.name).sort(),
      );
    });

    it("single writer: each database Deployment runs 1 replica with the Recreate strategy", () => {
      for (const deployment of deployments) {
        const claims = deployment.spec.template.spec.volumes.filter((v: any) => v.persistentVolumeClaim);
        if (claims.length === 0) continue;
        assert.equal(deployment.spec.replicas, 1, deployment.metadata.name);
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
          assert.deepEqual(container.args, ["--password-file", "/irissys/credentials/password"]);
        }
      }
      const credentials = byKind(result, "Secret").filter((secret) =>
        secret.metadata.name.endsWith("-credentials"),
      );
      assert.equal(credentials.length, config.databases.length);
      for (const secret of byKind(result, "Secret")) {
        for (const [key, value] of Object.entries(secret.stringData as Record<string, string>)) {
          if (/password/.test(key)) assert.equal(value, REDACTED, `${secret.metadata.name} ${key}`);
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
        assert.equal(endpoint.host, `${database.name}.${config.namespace}.svc.cluster.local`);
        assert.deepEqual(endpoint.ports, ENGINE_CATALOG[database.engine].ports);
        assert.equal(endpoint.credentialsSecret, `${database.name}-credentials`);
        assert.equal(endpoint.password, undefined);
      }
      assert.equal(result.outputs.storageClassName, `hadb-${config.storage}`);
      // A kubeconfig is exported (as a secret) only for clusters hadb created.
      if (config.cloud === "existing") assert.ok(!("kubeconfig" in result.outputs));
      else assert.equal(result.outputs.kubeconfig, REDACTED);
    });

    if (config.storage === "longhorn") {
      it(`replicated storage keeps ${config.storageReplicas} copies on different nodes`, () => {
        const [release] = result.releases;
        assert.ok(release);
        assert.equal(release.chart, "longhorn");
        assert.match(release.version, /^\d+\.\d+\.\d+$/, "chart version pinned");
        const settings = release.values.defaultSettings as Record<string, string>;
        assert.deepEqual(JSON.parse(settings.defaultReplicaCount ?? "{}"), { v1: "3", v2: "3" });
        assert.equal(settings.replicaSoftAntiAffinity, "false");
        assert.equal(settings.replicaZoneSoftAntiAffinity, config.zones.length >= 3 ? "false" : "true");
        const [storageClass] = byKind(result, "StorageClass");
        assert.equal(storageClass.parameters.numberOfReplicas, String(config.storageReplicas));
        assert.equal(storageClass.reclaimPolicy, "Retain");
        for (const claim of byKind(result, "PersistentVolumeClaim")) {
          assert.equal(claim.spec.storageClassName, storageClass.metadata.name);
          assert.deepEqual(claim.spec.accessModes, ["ReadWriteOnce"]);
        }
      });
    }

    if (config.storage === "iscsi") {
      it("iSCSI: each database claim is pre-bound to its own LUN's PersistentVolume, with CHAP", () => {
        const volumes = byKind(result, "PersistentVolume");
        const luns = volumes.map((pv) => pv.spec.iscsi.lun);
        assert.equal(new Set(luns).size, luns.length, "one LUN per volume");
        for (const database of config.databases) {
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
      for (const deployment of dbDeployments) {
        const tolerations = deployment.spec.template.spec.tolerations;
        for (const key of ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]) {
          const toleration = tolerations.find((t: any) => t.key === key);
          assert.equal(toleration?.effect, "NoExecute");
          assert.equal(toleration?.tolerationSeconds, config.evictionTolerationSeconds, key);
        }
      }
    });

    it("database Services are private unless the stack opts in with an allowlist", () => {
      for (const database of config.databases) {
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
      const nodePrep = "kubernetes:apps/v1:DaemonSet::hadb-node-prep";
      const storageReady: string[] = [];
      if (config.storage === "longhorn") {
        assert.ok(rowOf(result, "kubernetes:helm.sh/v3:Release", "longhorn").dependsOn.includes(nodePrep));
        assert.ok(
          rowOf(result, "kubernetes:storage.k8s.io/v1:StorageClass", "longhorn-class").dependsOn.includes(
            "kubernetes:helm.sh/v3:Release::longhorn",
          ),
        );
        storageReady.push("kubernetes:storage.k8s.io/v1:StorageClass::longhorn-class");
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
        const claim = rowOf(result, "kubernetes:core/v1:PersistentVolumeClaim", `${database.name}-data`);
        for (const ready of storageReady)
          assert.ok(claim.dependsOn.includes(ready), `${claim.name} waits for ${ready}`);
        const deployment = rowOf(result, "kubernetes:apps/v1:Deployment", database.name);
        assert.ok(
          deployment.dependsOn.includes(`kubernetes:core/v1:PersistentVolumeClaim::${database.name}-data`),
        );
      }
    });

    it("every Kubernetes resource goes through the cluster's provider, and every resource has a parent", () => {
      for (const row of result.resources) {
        if (row.type.startsWith("kubernetes:"))
          assert.equal(row.provider, KUBERNETES_PROVIDER, `${row.type}::${row.name}`);
        if (row.type !== "pulumi:pulumi:Stack")
          assert.notEqual(row.parent, "", `${row.type}::${row.name} has no parent`);
      }
    });

    it("images are pinned (tag or digest, never latest)", () => {
      const images = result.manifests.flatMap((m: any) => {
        const pod = m.spec?.template?.spec;
        return pod
          ? [...(pod.initContainers ?? []), ...pod.containers].map((c: any) => c.image as string)
          : [];
      });
      assert.ok(images.length > 0);
      for (const image of images) assert.match(image, /^[^:@]+(:[^:@]+|@sha256:[a-f0-9]{64})$/, image);
      for (const image of images) assert.doesNotMatch(image, /:latest$/, image);
    });

    it("only the node-prep namespace admits host access", () => {
      for (const namespace of byKind(result, "Namespace")) {
        const level = namespace.metadata.labels["pod-security.kubernetes.io/enforce"];
        const mayBePrivileged = ["hadb-node-prep", "longhorn-system"].includes(namespace.metadata.name);
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

    it("every Kubernetes object is valid against the Kubernetes OpenAPI schema", async () => {
      assert.ok(result.manifests.length > 0);
      for (const object of result.manifests) {
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
