// The real-engine tier (npm run test:engine) runs hadb's stand-in random provider
// (test/engine/pulumi/random-provider): it refuses any random resource it does not implement, so a
// new kind of random resource in hadb would fail only there, late. This check runs with npm test.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { PROJECT_ROOT, STACKS, synthStack } from "./helpers/synth";

/** The type tokens the stand-in's `kinds` table implements (test/engine/pulumi/random-provider/main.go). */
function standInRandomTypes(): Set<string> {
  const source = readFileSync(join(PROJECT_ROOT, "test/engine/pulumi/random-provider/main.go"), "utf8");
  return new Set([...source.matchAll(/^\t"(random:index\/\w+:\w+)": \{$/gm)].map((m) => m[1] ?? ""));
}

describe("the engine tier's stand-in random provider", () => {
  it("implements every random resource type any stack creates", () => {
    const implemented = standInRandomTypes();
    assert.ok(implemented.has("random:index/randomPassword:RandomPassword"), "kinds table not found");
    const used = new Set(
      STACKS.flatMap((stack) => synthStack(stack).resources.map((row) => row.type)).filter((type) =>
        type.startsWith("random:"),
      ),
    );
    assert.ok(used.size > 0, "no stack creates a random resource: the check would prove nothing");
    assert.deepEqual(
      [...used].filter((type) => !implemented.has(type)),
      [],
      "random resources the stand-in refuses",
    );
  });
});
