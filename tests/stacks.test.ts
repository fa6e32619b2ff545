// Tier 1 + 2: every stack in stacks/ evaluated by the real program under Pulumi's mock runtime, with
// assertions on what users rely on, and every Kubernetes object validated against the Kubernetes
// OpenAPI schema (kubernetes-models). Proves what the program produces, not what a cluster does with it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { configFromMap } from "../components/config/load";
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
          assert.ok(!/pass/i.test(env.name) || env.valueFrom, `${env.name} must come from a Secret`);
        }
        assert.deepEqual(container.args, ["--password-file", "/irissys/credentials/password"]);
      }
      const secrets = byKind(result, "Secret");
      assert.equal(secrets.length, config.databases.length);
      for (const secret of secrets) assert.equal(secret.stringData.password, REDACTED, secret.metadata.name);
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
        assert.deepEqual(endpoint.ports, { superserver: 1972, webserver: 52773 });
        assert.equal(endpoint.credentialsSecret, `${database.name}-credentials`);
        assert.equal(endpoint.password, undefined);
      }
      assert.equal(result.outputs.storageClassName, "hadb-longhorn");
      // An existing cluster's kubeconfig is the user's own: never re-exported.
      assert.equal("kubeconfig" in result.outputs, config.cloud !== "existing");
    });

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
        } else {
          assert.equal(service.spec.type, "ClusterIP");
        }
      }
    });

    it("ordering: storage waits for node prep; volumes wait for storage; databases wait for their volume", () => {
      assert.ok(
        rowOf(result, "kubernetes:helm.sh/v3:Release", "longhorn").dependsOn.includes(
          "kubernetes:apps/v1:DaemonSet::hadb-node-prep",
        ),
      );
      assert.ok(
        rowOf(result, "kubernetes:storage.k8s.io/v1:StorageClass", "longhorn-class").dependsOn.includes(
          "kubernetes:helm.sh/v3:Release::longhorn",
        ),
      );
      for (const database of config.databases) {
        const claim = rowOf(result, "kubernetes:core/v1:PersistentVolumeClaim", `${database.name}-data`);
        assert.ok(claim.dependsOn.includes("kubernetes:storage.k8s.io/v1:StorageClass::longhorn-class"));
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
