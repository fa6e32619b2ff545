// Tier 3 (real API server): rotating a PostgreSQL password through PGO's user Secret, whose keys two
// field managers own. hadb's Secret is sent the way the Pulumi Kubernetes provider sends it (stringData
// folded into base64 `data`, clients/unstructured.go normalizeSecretStringData), server-side applied
// as "pulumi-kubernetes-…"; PGO 5.8.9 server-side applies its intent for the same Secret with
// ForceOwnership as "postgrescluster-controller", copying the existing password and verifier
// (generatePostgresUserSecret). The provider forces only with the `pulumi.com/patchForce` annotation
// hadb sets (await.go patchForce); PGO's reaction to the new verifier is in tests/app-accounts.test.ts.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { MANAGED_CONTROLLER_TIMINGS } from "../../components/failover/timings";
import { configFromMap } from "../../components/config/load";
import { postgresNames, postgresUserSecret } from "../../components/databases/postgres/manifests";
import { scramSha256Verifier } from "../../components/databases/postgres/scram";
import {
  type ControlPlane,
  defaultNodes,
  skipWithoutBinaries,
  startControlPlane,
} from "../../test/controlplane/cluster";
import { toYaml } from "../../test/controlplane/lab";
import type { KubeObject } from "../../tools/synth/write";

const skip = skipWithoutBinaries();
const [database] = configFromMap({
  "hadb:databases": JSON.stringify([{ engine: "postgres", name: "billing" }]),
}).databases;
const names = postgresNames(database ?? assert.fail(), "hadb");
const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

/** hadb's user Secret as the provider applies it: `data`, base64. */
function hadbSecret(password: string) {
  const secret = JSON.parse(
    JSON.stringify(
      postgresUserSecret(database ?? assert.fail(), names, {
        password,
        verifier: scramSha256Verifier(password, b64("0123456789abcdef")),
      }),
    ),
  ) as { metadata: KubeObject["metadata"]; stringData: Record<string, string> };
  const { stringData, ...rest } = secret;
  const data = Object.fromEntries(Object.entries(stringData).map(([key, value]) => [key, b64(value)]));
  return { apiVersion: "v1", kind: "Secret", ...rest, data };
}

describe("PGO user Secret: a rotated password wins the server-side apply", { skip }, () => {
  let cp: ControlPlane | undefined;
  const plane = () => cp ?? assert.fail("control plane not started");
  /** Applies hadb's Secret, forcing exactly when the provider would: the patchForce annotation. */
  const hadbApply = (password: string, options: { withoutAnnotation?: boolean } = {}) => {
    const secret = hadbSecret(password);
    if (options.withoutAnnotation) delete secret.metadata.annotations;
    const force = secret.metadata.annotations?.["pulumi.com/patchForce"] === "true";
    return plane().kubectlResult(
      [
        "apply",
        "--server-side",
        "--field-manager=pulumi-kubernetes-hadb",
        ...(force ? ["--force-conflicts"] : []),
        "-f",
        "-",
      ],
      toYaml([secret]),
    );
  };
  const data = async (): Promise<Record<string, string>> => {
    const json = await plane().kubectl(["-n", "hadb", "get", "secret", names.userSecret, "-o", "json"]);
    const encoded = (JSON.parse(json) as { data: Record<string, string> }).data;
    return Object.fromEntries(
      Object.entries(encoded).map(([key, value]) => [key, Buffer.from(value, "base64").toString()]),
    );
  };
  /** PGO's reconcile of the Secret: its own keys plus the existing password and verifier, forced. */
  const pgoApply = async () => {
    const existing = await data();
    const uri = `postgresql://app:${existing.password ?? ""}@billing-primary.hadb.svc:5432/billing`;
    const intent = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: names.userSecret, namespace: "hadb" },
      data: Object.fromEntries(
        Object.entries({
          host: "billing-primary.hadb.svc",
          port: "5432",
          user: "app",
          password: existing.password ?? "",
          verifier: existing.verifier ?? "",
          dbname: "billing",
          uri,
        }).map(([key, value]) => [key, b64(value)]),
      ),
    };
    await plane().kubectl(
      [
        "apply",
        "--server-side",
        "--field-manager=postgrescluster-controller",
        "--force-conflicts",
        "-f",
        "-",
      ],
      toYaml([intent]),
    );
  };

  before(async () => {
    cp = await startControlPlane({
      timings: MANAGED_CONTROLLER_TIMINGS,
      name: "credentials",
      nodes: defaultNodes(1, 1),
    });
    await plane().kubectl(["create", "namespace", "hadb"]);
    assert.equal((await hadbApply("first-password-1")).code, 0);
    await pgoApply();
  });
  after(async () => {
    await cp?.stop();
  });

  it("without the annotation the new password conflicts with the keys PGO copied back (the update fails)", async () => {
    const result = await hadbApply("second-password-2", { withoutAnnotation: true });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /conflict/i);
    assert.match(result.stderr, /postgrescluster-controller/);
    assert.equal((await data()).password, "first-password-1");
  });

  it("hadb's Secret (pulumi.com/patchForce): password and verifier change; PGO keeps them, rebuilds its URI", async () => {
    const result = await hadbApply("second-password-2");
    assert.equal(result.code, 0, result.stderr);
    const rotated = await data();
    assert.equal(rotated.password, "second-password-2");
    const expected = Buffer.from(hadbSecret("second-password-2").data.verifier ?? "", "base64").toString();
    assert.equal(rotated.verifier, expected);
    assert.match(expected, /^SCRAM-SHA-256\$4096:/);
    assert.equal(rotated.dbname, "billing", "PGO's own keys stay");
    await pgoApply();
    const reconciled = await data();
    assert.equal(reconciled.password, "second-password-2");
    assert.equal(reconciled.verifier, rotated.verifier);
    assert.match(reconciled.uri ?? "", /:second-password-2@/);
  });
});
