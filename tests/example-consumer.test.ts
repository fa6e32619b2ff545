// examples/consumer, the example of a project that consumes hadb, evaluated under the mock runtime with its
// StackReference answered by hadb stacks' real offline outputs: it finds its database, gets the connection
// into its own namespace without a plain password anywhere, and runs a client that uses it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { stringify } from "yaml";
import { CONNECTION_SECRET_KEYS } from "../components/outputs/consumer-secrets";
import { MOCK_SECRET_MARKER } from "../tools/synth/evaluate";
import { REDACTED } from "../tools/synth/write";
import { CHILD_PROCESS_DEADLINE_MS, PROJECT_ROOT, runSynth } from "./helpers/synth";

const EXAMPLE = join(PROJECT_ROOT, "examples", "consumer");

/** A hadb stack's outputs as a StackReference sees them (`npm run synth` of its stack file). */
function hadbOutputs(stackOrPath: string): unknown {
  const file = join(mkdtempSync(join(tmpdir(), "hadb-ref-")), "outputs.json");
  const run = runSynth([stackOrPath, "--reference-outputs", file]);
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(readFileSync(file, "utf8"));
}

interface Evaluated {
  error?: string;
  resources: { type: string; name: string; inputs: Record<string, any> }[];
  outputs: Record<string, unknown>;
  text: string;
}

function evaluateExample(config: Record<string, string>, references: Record<string, unknown>): Evaluated {
  const work = mkdtempSync(join(tmpdir(), "hadb-consumer-"));
  const stackFile = join(work, "Pulumi.test.yaml");
  writeFileSync(
    stackFile,
    stringify({
      config: Object.fromEntries(Object.entries(config).map(([k, v]) => [`hadb-consumer:${k}`, v])),
    }),
  );
  writeFileSync(join(work, "references.json"), JSON.stringify(references));
  const out = join(work, "out.json");
  const run = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      join(PROJECT_ROOT, "tests", "helpers", "evaluate-project.ts"),
      EXAMPLE,
      "hadb-consumer",
      stackFile,
      join(work, "references.json"),
      out,
    ],
    { cwd: PROJECT_ROOT, encoding: "utf8", timeout: CHILD_PROCESS_DEADLINE_MS },
  );
  // A failing program leaves Pulumi's promises behind, and the runtime's exit hook reports them: the
  // recorded result, not the exit status, says what happened.
  assert.ok(existsSync(out), `the evaluation wrote nothing (${run.status}):\n${run.stderr}`);
  const text = readFileSync(out, "utf8");
  return { resources: [], outputs: {}, ...(JSON.parse(text) as Partial<Evaluated>), text };
}

const ofType = (evaluated: Evaluated, type: string) => evaluated.resources.filter((r) => r.type === type);

describe("example consumer: PostgreSQL of existing-zonal, connection copied into its namespace", () => {
  const evaluated = evaluateExample(
    { hadbStack: "acme/hadb/existing-zonal", database: "billing", namespace: "invoicing" },
    { "acme/hadb/existing-zonal": hadbOutputs("existing-zonal") },
  );

  it("evaluates, and reads the stack it was told to", () => {
    assert.equal(evaluated.error, undefined);
    assert.deepEqual(evaluated.outputs, {
      engine: "postgres",
      databaseHost: "billing-primary.databases.svc.cluster.local",
      connectionSecretName: "billing-connection",
      connectionSource: "copied by this stack",
      deployment: "app",
    });
    const [reference] = ofType(evaluated, "pulumi:pulumi:StackReference");
    assert.equal(reference?.name, "acme/hadb/existing-zonal");
  });

  it("copies the connection into its own namespace as a Secret with hadb's keys, secret throughout", () => {
    const [secret] = ofType(evaluated, "kubernetes:core/v1:Secret");
    assert.ok(secret);
    assert.equal(secret.inputs.metadata.namespace, "invoicing");
    assert.deepEqual(Object.keys(secret.inputs.stringData).sort(), CONNECTION_SECRET_KEYS);
    for (const value of Object.values(secret.inputs.stringData)) assert.equal(value, REDACTED);
    assert.ok(!evaluated.text.includes(MOCK_SECRET_MARKER), "no password in plain text anywhere");
  });

  it("runs a PostgreSQL client that queries with the Secret's credentials over TLS", () => {
    const [deployment] = ofType(evaluated, "kubernetes:apps/v1:Deployment");
    const container = deployment?.inputs.spec.template.spec.containers[0];
    assert.match(container.image, /^postgres:17\.\d+$/);
    const env = Object.fromEntries(
      container.env.map((e: any) => [e.name, e.valueFrom?.secretKeyRef ?? e.value]),
    );
    assert.deepEqual(env.PGPASSWORD, { name: "billing-connection", key: "password" });
    assert.deepEqual(env.PGHOST, { name: "billing-connection", key: "host" });
    assert.equal(env.PGSSLMODE, "require");
    assert.deepEqual(container.readinessProbe.exec.command, ["psql", "--no-psqlrc", "--command", "SELECT 1"]);
    assert.ok(
      !JSON.stringify(container.readinessProbe).includes("PASSWORD"),
      "no password on a command line",
    );
  });
});

describe("example consumer: MySQL on EKS, through the kubeconfig hadb exports", () => {
  const evaluated = evaluateExample(
    { hadbStack: "acme/hadb/eks-longhorn-mysql", database: "mysql" },
    { "acme/hadb/eks-longhorn-mysql": hadbOutputs("eks-longhorn-mysql") },
  );

  it("targets hadb's cluster with the secret kubeconfig and runs a MySQL client", () => {
    assert.equal(evaluated.error, undefined);
    const [provider] = ofType(evaluated, "pulumi:providers:kubernetes");
    assert.equal(provider?.inputs.kubeconfig, REDACTED);
    const [deployment] = ofType(evaluated, "kubernetes:apps/v1:Deployment");
    const container = deployment?.inputs.spec.template.spec.containers[0];
    assert.equal(container.image, "mysql:8.4.11");
    assert.ok(
      container.env.some((e: any) => e.name === "MYSQL_PWD" && e.valueFrom.secretKeyRef.key === "password"),
    );
    assert.equal(deployment?.inputs.metadata.namespace, "shop", "the default namespace");
  });
});

describe("example consumer: hadb keeps the Secret (consumerNamespaces)", () => {
  const hadbStack = join(mkdtempSync(join(tmpdir(), "hadb-shared-")), "Pulumi.shared.yaml");
  writeFileSync(
    hadbStack,
    stringify({
      config: { "hadb:databases": [{ engine: "mysql", name: "shop", consumerNamespaces: ["storefront"] }] },
    }),
  );
  const evaluated = evaluateExample(
    { hadbStack: "acme/hadb/shared", database: "shop", namespace: "storefront" },
    { "acme/hadb/shared": hadbOutputs(hadbStack) },
  );

  it("creates no copy and points its application at hadb's hadb-shop", () => {
    assert.equal(evaluated.error, undefined);
    assert.deepEqual(ofType(evaluated, "kubernetes:core/v1:Secret"), []);
    assert.equal(evaluated.outputs.connectionSource, "kept by hadb");
    const [deployment] = ofType(evaluated, "kubernetes:apps/v1:Deployment");
    const env = deployment?.inputs.spec.template.spec.containers[0].env;
    assert.ok(env.every((e: any) => e.value !== undefined || e.valueFrom.secretKeyRef.name === "hadb-shop"));
  });
});

describe("example consumer: mistakes", () => {
  it("a database the stack does not have fails naming the ones it has", () => {
    const evaluated = evaluateExample(
      { hadbStack: "acme/hadb/existing-zonal", database: "bililng" },
      { "acme/hadb/existing-zonal": hadbOutputs("existing-zonal") },
    );
    assert.match(
      evaluated.error ?? "",
      /hadb stack acme\/hadb\/existing-zonal has no database "bililng"; it has: /,
    );
    for (const name of ["orders", "reporting", "billing"]) assert.ok(evaluated.error?.includes(name), name);
  });

  it("pins the same SDK versions as hadb (it runs on hadb's node_modules here)", () => {
    const root = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8"));
    const example = JSON.parse(readFileSync(join(EXAMPLE, "package.json"), "utf8"));
    for (const [name, version] of Object.entries(example.dependencies))
      assert.equal(version, root.dependencies[name], name);
  });
});
