// Tier 5 (real engine): the Pulumi CLI and Kubernetes provider built from Go modules (with hadb's
// stand-in Node.js host and random provider, test/engine/) deploy every existing-cluster stack to a
// real control plane (tier 3's API server, controllers and kwok nodes): preview with the policy pack,
// up, a second up with no changes, refresh without drift, no plaintext secret in the state, outputs
// as README documents them, destroy that keeps the data volumes. Charts come from a loopback mirror of
// stand-in charts (CRDs only); volumes from a stand-in provisioner. Nothing runs in a container.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  backendFiles,
  deployments,
  pulumiOk,
  readmeOutputs,
  stackNamespace,
  startSite,
  stateResources,
  type SiteUnderTest,
} from "../../test/engine/deploy";
import { previewSummary } from "../../test/engine/preview";
import { POLICY_PACK, PR_PREVIEW_COMMAND, recordTiming, skipEngine } from "../../test/engine/tier";

const skip = skipEngine();

/** The string values (8+ characters) inside an output value. */
const leaves = (value: unknown): string[] =>
  typeof value === "string"
    ? value.length >= 8
      ? [value]
      : []
    : typeof value === "object" && value !== null
      ? Object.values(value).flatMap(leaves)
      : [];

/** Existing-cluster stacks deployed alone (the PX-DR pair has its own suite). */
const SINGLE_STACKS = (
  process.env.HADB_ENGINE_STACKS ?? "dev,existing-iris-clone,existing-rook-ceph-mysql,existing-zonal"
)
  .split(",")
  .filter(Boolean);

for (const stack of SINGLE_STACKS) {
  describe(`engine: ${stack}`, { skip, concurrency: 1 }, () => {
    let under: SiteUnderTest | undefined;
    const namespace = stackNamespace(stack);

    before(async () => {
      under = await startSite(stack);
    });
    after(async () => {
      await under?.stop();
    });
    const given = (): SiteUnderTest => {
      assert.ok(under, "setup failed");
      return under;
    };

    it(`the PR check (${PR_PREVIEW_COMMAND}) passes the policy pack and plans only creates`, async (t) => {
      const { ws, site } = given();
      const { stdout, ms } = await pulumiOk(ws, site, PR_PREVIEW_COMMAND.split(" ").slice(1));
      const { policyPassed, advisories, counts } = previewSummary(stdout);
      assert.ok(policyPassed, "the policy pack did not run or did not pass");
      assert.deepEqual(
        Object.keys(counts),
        ["create"],
        `a first preview only creates: ${JSON.stringify(counts)}`,
      );
      recordTiming(t, stack, "preview", ms, `${counts.create ?? 0} resources to create`);
      if (advisories.length > 0) t.diagnostic(`${stack} advisory policy notes: ${advisories.join("; ")}`);
    });

    it("pulumi up converges: every database Deployment Available on the kwok nodes", async (t) => {
      const { ws, site, cp } = given();
      const { ms } = await pulumiOk(ws, site, [
        "up",
        "--yes",
        "--skip-preview",
        "--policy-pack",
        POLICY_PACK,
      ]);
      const exported = (await pulumiOk(ws, site, ["stack", "export"])).stdout;
      recordTiming(t, stack, "up", ms, `${stateResources(exported).length} resources in state`);
      const deployed = await deployments(cp, namespace);
      assert.ok(deployed.length > 0, `no Deployment in ${namespace}`);
      assert.deepEqual(
        deployed.filter((d) => !d.available).map((d) => d.name),
        [],
      );
    });

    it("a second pulumi up changes nothing", async (t) => {
      const { ws, site } = given();
      const { ms } = await pulumiOk(ws, site, [
        "up",
        "--yes",
        "--expect-no-changes",
        "--policy-pack",
        POLICY_PACK,
      ]);
      recordTiming(t, stack, "second up", ms);
    });

    it("pulumi refresh finds no drift", async (t) => {
      const { ws, site } = given();
      const { ms } = await pulumiOk(ws, site, ["refresh", "--yes", "--expect-no-changes"]);
      recordTiming(t, stack, "refresh", ms);
    });

    it("the state holds no plaintext password and the outputs are README's", async () => {
      const { ws, site } = given();
      const output = async (show: boolean) =>
        JSON.parse(
          (await pulumiOk(ws, site, ["stack", "output", "--json", ...(show ? ["--show-secrets"] : [])]))
            .stdout,
        ) as Record<string, unknown>;
      const shown = await output(true);
      const documented = readmeOutputs();
      const plain = await output(false);
      for (const [name, value] of Object.entries(plain)) {
        const row = documented.get(name);
        assert.ok(row, `output ${name} is not in the Outputs table (docs/outputs.md)`);
        // An output that does not apply to the stack is null, as the table's "null when" says.
        if (value === null) assert.ok(row.nullable, `output ${name} is null, documented as never null`);
        else assert.equal(value === "[secret]", row.secret, `output ${name}: secret as documented`);
      }
      // Every secret output's values (passwords, keys, kubeconfigs) must be ciphertext in the state files.
      // A secret output may repeat what the stack also publishes in plain (databaseConnections carries
      // the host, account and database of the `databases` output): those are not secrets.
      const published = new Set(
        Object.entries(plain)
          .filter(([, value]) => value !== "[secret]")
          .flatMap(([, value]) => leaves(value)),
      );
      const secrets = Object.entries(plain)
        .filter(([, value]) => value === "[secret]")
        .flatMap(([name]) => leaves(shown[name]).map((value) => ({ name, value })))
        .filter(({ value }) => !published.has(value));
      const passwords = Object.values(shown.databasePasswords as Record<string, string>);
      assert.ok(passwords.length > 0, "no database password output");
      for (const password of passwords)
        assert.ok(
          secrets.some((s) => s.value === password),
          "a database password is not among the checked values",
        );
      for (const file of backendFiles(ws.backendDir))
        for (const secret of secrets)
          assert.ok(
            !file.text.includes(secret.value),
            `${file.path} holds a value of the secret output ${secret.name} in plaintext`,
          );
    });

    it("pulumi destroy completes and leaves the data claims and volumes", async (t) => {
      const { ws, site, cp } = given();
      const names = async (kind: string) =>
        (await cp.kubectl(["get", kind, "-A", "-o", "name"])).trim().split("\n").filter(Boolean).sort();
      const [claims, volumes] = [await names("pvc"), await names("pv")];
      assert.ok(claims.length > 0, "no claim before destroy");
      const { ms } = await pulumiOk(ws, site, ["destroy", "--yes"]);
      recordTiming(t, stack, "destroy", ms);
      assert.deepEqual(await names("pvc"), claims, "destroy deleted a claim");
      assert.deepEqual(await names("pv"), volumes, "destroy deleted a volume");
      assert.deepEqual(
        (await deployments(cp, namespace)).map((d) => d.name),
        [],
        "destroy leaves no database workload",
      );
    });
  });
}
