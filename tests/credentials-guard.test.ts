// The credentials guard (components/databases/credentials-guard.ts): every database's credentials
// Secret is force-applied and waits for a guard ConfigMap that is not, holding the one-way digest of
// the passwords, and destroy keeps the guard. Together they make a redeploy over kept data stop at a
// field conflict instead of writing new passwords over the kept ones (the engine tier shows the
// conflict on a real API server: tests/engine/day2.test.ts).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CREDENTIALS_GUARD_KEY,
  credentialsGuard,
  credentialsGuardName,
} from "../components/databases/credentials-guard";
import { CREDENTIALS_REVISION_ANNOTATION } from "../components/databases/password";
import { holdsData } from "../components/deployment/data-retention";
import { STACKS, synthStack, type SynthResult } from "./helpers/synth";
import type { KubeObject } from "../tools/synth/write";

const PATCH_FORCE = "pulumi.com/patchForce";

function manifestOf(result: SynthResult, kind: string, name: string): KubeObject | undefined {
  return result.manifests.find((m) => m.kind === kind && m.metadata.name === name);
}

describe("credentials guard", () => {
  it("is a ConfigMap destroy keeps, labelled without the database version", () => {
    const guard = credentialsGuard(
      { name: "orders", engine: "mysql" } as Parameters<typeof credentialsGuard>[0],
      "hadb",
      "0123456789abcdef",
    );
    assert.equal(credentialsGuardName("orders"), "orders-credentials-guard");
    assert.ok(holdsData("kubernetes:core/v1:ConfigMap", guard as Record<string, unknown>));
    assert.equal(holdsData("kubernetes:core/v1:ConfigMap", { metadata: { labels: {} } }), false);
    assert.equal(
      Object.keys((guard.metadata as { labels: Record<string, string> }).labels).includes(
        "app.kubernetes.io/version",
      ),
      false,
    );
  });

  for (const stack of STACKS)
    it(`${stack}: each credentials Secret is forced and waits for its unforced guard of the passwords' digest`, () => {
      const result = synthStack(stack);
      const secrets = result.resources.filter(
        (row) =>
          row.type === "kubernetes:core/v1:Secret" &&
          row.parent.startsWith("hadb:databases:") &&
          /-credentials$/.test(row.name),
      );
      for (const secret of secrets) {
        const database = secret.name.replace(/-credentials$/, "");
        const guardRow = result.resources.find(
          (row) => row.type === "kubernetes:core/v1:ConfigMap" && row.name === credentialsGuardName(database),
        );
        assert.ok(guardRow, `${database}: no credentials guard`);
        assert.ok(
          secret.dependsOn.includes(`kubernetes:core/v1:ConfigMap::${guardRow.name}`),
          `${database}: the Secret does not wait for its guard`,
        );
        const secretObject = result.manifests.find(
          (m) => m.kind === "Secret" && m.metadata.name === secret.inputs.name,
        );
        const guard = manifestOf(result, "ConfigMap", credentialsGuardName(database));
        assert.ok(secretObject && guard, `${database}: manifests missing`);
        assert.equal(
          secretObject.metadata.annotations?.[PATCH_FORCE],
          "true",
          `${database}: Secret not forced`,
        );
        assert.equal(guard.metadata.annotations?.[PATCH_FORCE], undefined, `${database}: guard forced`);
        const digest = (guard.data as Record<string, string> | undefined)?.[CREDENTIALS_GUARD_KEY];
        assert.match(digest ?? "", /^[0-9a-f]{16}$/, `${database}: the guard holds no digest`);
        const writer = manifestOf(result, "Deployment", database);
        const annotations = (
          writer?.spec as { template?: { metadata?: { annotations?: Record<string, string> } } } | undefined
        )?.template?.metadata?.annotations;
        if (annotations?.[CREDENTIALS_REVISION_ANNOTATION] !== undefined)
          assert.equal(digest, annotations[CREDENTIALS_REVISION_ANNOTATION], `${database}: digests differ`);
      }
      // The MySQL exporter's password is re-applied at each exporter start: forced, never a refusal.
      for (const exporter of result.manifests.filter(
        (m) => m.kind === "Secret" && /-exporter$/.test(m.metadata.name),
      ))
        assert.equal(exporter.metadata.annotations?.[PATCH_FORCE], "true", exporter.metadata.name);
    });

  it("covers every engine: some stack has an IRIS, a MySQL and a PostgreSQL guard", () => {
    const engines = new Set(
      STACKS.flatMap((stack) =>
        synthStack(stack)
          .manifests.filter((m) => m.kind === "ConfigMap" && /-credentials-guard$/.test(m.metadata.name))
          .map((m) => m.metadata.labels?.["app.kubernetes.io/name"]),
      ),
    );
    assert.deepEqual([...engines].sort(), ["iris", "mysql", "postgres"]);
    assert.ok(
      STACKS.some((stack) =>
        synthStack(stack).manifests.some((m) => m.kind === "Secret" && /-exporter$/.test(m.metadata.name)),
      ),
      "no stack has a MySQL exporter Secret: its check would prove nothing",
    );
  });
});
