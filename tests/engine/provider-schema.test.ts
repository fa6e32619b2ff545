// The @pulumi/kubernetes npm SDK hadb pins (4.34.2) drives a provider built from an older commit
// (test/engine/kubernetes/go.mod: no tagged provider is served). Every Kubernetes type token and
// provider setting hadb uses must exist in the schema that provider serves (written next to it by
// test/engine/build.sh); custom resources of third-party groups are resolved from their CRDs instead.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ENGINE_BIN } from "../../test/engine/workspace";
import { skipEngine } from "../../test/engine/tier";
import { STACKS, synthStack } from "../helpers/synth";

const SCHEMA = join(ENGINE_BIN, "kubernetes-schema.json");
const skip = skipEngine() || (existsSync(SCHEMA) ? false : `${SCHEMA} not built (test/engine/build.sh)`);

interface Schema {
  version: string;
  resources: Record<string, unknown>;
  provider: { inputProperties: Record<string, unknown> };
}

describe("Kubernetes provider schema covers what hadb uses", { skip }, () => {
  it("every built-in Kubernetes resource type and provider setting of every stack", () => {
    const schema = JSON.parse(readFileSync(SCHEMA, "utf8")) as Schema;
    const groupOf = (type: string) => type.split(":")[1]?.split("/")[0] ?? "";
    // Groups the provider has typed resources for: Kubernetes' own, helm.sh, yaml, ...
    const builtInGroups = new Set(Object.keys(schema.resources).map(groupOf));
    const missing = new Set<string>();
    const settings = new Set<string>();
    for (const stack of STACKS)
      for (const row of synthStack(stack).resources) {
        if (row.type === "pulumi:providers:kubernetes")
          for (const key of Object.keys(row.inputs)) settings.add(key);
        else if (
          row.type.startsWith("kubernetes:") &&
          builtInGroups.has(groupOf(row.type)) &&
          !(row.type in schema.resources)
        )
          missing.add(row.type);
      }
    assert.deepEqual([...missing], [], "types the provider does not serve");
    const unknownSettings = [...settings].filter(
      (k) => !(k in schema.provider.inputProperties) && k !== "version",
    );
    assert.deepEqual(unknownSettings, [], "provider settings the provider does not know");
    assert.ok(settings.size > 0 || STACKS.length === 0);
  });
});
