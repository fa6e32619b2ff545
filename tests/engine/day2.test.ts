// Tier 5 (real engine), day 2 on a deployed dev stack: the config changes users make preview with no
// replace or delete of anything holding data, and apply; the policy pack blocks a violating stack in
// the real preview; a program change that would replace the data claim is caught (positive control);
// destroy keeps the data; deploying again refuses new passwords over it and takes it over from the
// state exported before destroy.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  deployments,
  pulumiOk,
  stackFileConfig,
  stackNamespace,
  startSite,
  type SiteUnderTest,
} from "../../test/engine/deploy";
import { changes, dataLosses, describeStep, parsePreview, type Preview } from "../../test/engine/preview";
import { POLICY_PACK, recordTiming, skipEngine } from "../../test/engine/tier";

const skip = skipEngine();
const STACK = "dev";
const base = stackFileConfig(STACK);
const iris = (base["hadb:databases"] as Record<string, unknown>[])[0] ?? {};

/** Day-2 changes, each relative to the deployed dev stack. */
const DAY2: { change: string; config: Record<string, unknown> }[] = [
  { change: "database version bump", config: { "hadb:databases": [{ ...iris, version: "2026.1.1" }] } },
  { change: "volume grown", config: { "hadb:databases": [{ ...iris, volumeSize: "20Gi" }] } },
  {
    change: "backup schedule",
    config: {
      "hadb:backups": {
        enabled: true,
        schedule: "0 3 * * *",
        target: { nfs: "backup-nas.example.com:/exports/hadb" },
      },
    },
  },
  // Faster eviction (15 -> 10 s). Slower (30 s) breaks dev's node-loss budget: the policy test below.
  { change: "eviction toleration", config: { "hadb:evictionTolerationSeconds": 10 } },
  {
    change: "database added",
    config: { "hadb:databases": [iris, { engine: "mysql", name: "orders", volumeSize: "5Gi" }] },
  },
];

/** Every day-2 change at once. */
const ALL_DAY2: Record<string, unknown> = {
  ...Object.assign({}, ...DAY2.map((d) => d.config)),
  "hadb:databases": [
    { ...iris, version: "2026.1.1", volumeSize: "20Gi" },
    { engine: "mysql", name: "orders", volumeSize: "5Gi" },
  ],
};

describe(`engine day 2: ${STACK}`, { skip, concurrency: 1 }, () => {
  let under: SiteUnderTest | undefined;
  const given = (): SiteUnderTest => {
    assert.ok(under, "setup failed");
    return under;
  };
  const configure = (config: Record<string, unknown>): void => {
    const { ws, site } = given();
    ws.writeStackConfig(STACK, { ...base, ...site.config, ...config });
  };
  const preview = async (policy = true): Promise<Preview> => {
    const { ws, site } = given();
    const args = ["preview", "--json", ...(policy ? ["--policy-pack", POLICY_PACK] : [])];
    return parsePreview((await pulumiOk(ws, site, args)).stdout);
  };
  /** claim -> bound volume, for every claim in the cluster. */
  const volumes = async (): Promise<Record<string, string>> => {
    const claims = JSON.parse(await given().cp.kubectl(["get", "pvc", "-A", "-o", "json"])) as {
      items: { metadata: { namespace: string; name: string }; spec: { volumeName?: string } }[];
    };
    return Object.fromEntries(
      claims.items.map((c) => [`${c.metadata.namespace}/${c.metadata.name}`, c.spec.volumeName ?? ""]),
    );
  };

  before(async () => {
    under = await startSite(STACK);
    await pulumiOk(under.ws, under.site, ["up", "--yes", "--skip-preview"]);
  });
  after(async () => {
    await under?.stop();
  });

  for (const { change, config } of DAY2)
    it(`${change}: previews without replacing or deleting a claim, volume or Secret`, async (t) => {
      configure(config);
      const planned = await preview();
      assert.deepEqual(dataLosses(planned).map(describeStep), []);
      assert.ok(changes(planned).length > 0, `${change} changes nothing: the test would prove nothing`);
      t.diagnostic(`${change}: ${changes(planned).map(describeStep).join("; ")}`);
    });

  it("all day-2 changes apply with pulumi up; the claims keep their volumes", async (t) => {
    const { ws, site } = given();
    const before = await volumes();
    configure(ALL_DAY2);
    const { ms } = await pulumiOk(ws, site, ["up", "--yes", "--skip-preview", "--policy-pack", POLICY_PACK]);
    recordTiming(t, STACK, "day-2 up", ms);
    const after = await volumes();
    for (const [claim, volume] of Object.entries(before))
      assert.equal(after[claim], volume, `claim ${claim} moved to another volume`);
  });

  it("a stack violating a policy (node-loss failover over budget) is blocked by the real preview", async () => {
    const { ws, site } = given();
    // 30 s toleration: 55 s to mark the node unreachable + 30 + volume and database steps = 152 s > 150.
    configure({ ...ALL_DAY2, "hadb:evictionTolerationSeconds": 30 });
    const result = await ws.pulumi(["preview", "--policy-pack", POLICY_PACK, "--stack", STACK], {
      kubeconfig: site.cp.kubeconfigPath,
    });
    assert.notEqual(result.code, 0, "the violating preview passed");
    assert.match(result.stdout, /\[mandatory\]\s+hadb-failover-tolerations/);
  });

  it("positive control: a program change that would replace the data claim is reported", async () => {
    const { ws } = given();
    configure(ALL_DAY2);
    // A refactor renaming the claim makes the engine replace it: a new, empty volume.
    const file = join(ws.projectDir, "components", "shared", "naming.ts");
    const original = readFileSync(file, "utf8");
    assert.ok(original.includes("`${databaseName}-data`"), "naming.ts no longer names the claim here");
    writeFileSync(file, original.replace("`${databaseName}-data`", "`${databaseName}-volume`"));
    try {
      const losses = dataLosses(await preview(false));
      assert.ok(
        losses.some((s) => s.type === "kubernetes:core/v1:PersistentVolumeClaim"),
        `no claim replacement reported: ${losses.map(describeStep).join("; ")}`,
      );
    } finally {
      writeFileSync(file, original);
    }
  });

  it("destroy keeps the data; a new up stops at the credentials guard; the exported state takes the data over with its passwords", async (t) => {
    const { ws, site, cp } = given();
    configure(ALL_DAY2);
    const namespace = stackNamespace(STACK);
    /** database -> its credentials Secret's decoded data. */
    const credentials = async (): Promise<Record<string, Record<string, string>>> => {
      const out: Record<string, Record<string, string>> = {};
      for (const database of ["iris", "orders"]) {
        const secret = JSON.parse(
          await cp.kubectl(["get", "secret", `${database}-credentials`, "-n", namespace, "-o", "json"]),
        ) as { data: Record<string, string> };
        out[database] = Object.fromEntries(
          Object.entries(secret.data).map(([key, value]) => [key, Buffer.from(value, "base64").toString()]),
        );
      }
      return out;
    };
    const passwordsOutput = async (): Promise<unknown> =>
      JSON.parse(
        (await pulumiOk(ws, site, ["stack", "output", "databasePasswords", "--show-secrets", "--json"]))
          .stdout,
      );
    const exported = join(ws.dir, "dev-before-destroy.json");
    await pulumiOk(ws, site, ["stack", "export", "--file", exported]);
    const [claimsBefore, kept, keptOutput] = [await volumes(), await credentials(), await passwordsOutput()];
    assert.equal((await deployments(cp, namespace)).length, 2, "both databases run before destroy");

    const destroyed = await pulumiOk(ws, site, ["destroy", "--yes"]);
    recordTiming(t, STACK, "destroy", destroyed.ms);
    assert.deepEqual(await volumes(), claimsBefore, "destroy deleted or rebound a claim");
    assert.deepEqual(await credentials(), kept, "destroy changed the kept credentials");
    assert.deepEqual(await deployments(cp, namespace), [], "destroy leaves no database workload");

    // The state and its generated passwords are gone: this up generates new ones, and the kept guards
    // (earlier field manager, other digest) stop it before any credentials Secret is written.
    const refused = await ws.pulumi(["up", "--yes", "--skip-preview", "--stack", STACK], {
      kubeconfig: site.cp.kubeconfigPath,
    });
    assert.notEqual(refused.code, 0, "a redeploy over kept data was not refused");
    assert.match(refused.stdout, /-credentials-guard[\s\S]*conflict|conflict[\s\S]*-credentials-guard/);
    assert.match(refused.stdout, /\.data\.credentials-revision/);
    assert.deepEqual(await credentials(), kept, "the refused up changed the kept credentials");
    assert.deepEqual(await volumes(), claimsBefore, "the refused up changed the kept claims");
    assert.deepEqual(await deployments(cp, namespace), [], "a database started with unapplied passwords");

    // Taking the data over with its own passwords: the state exported before destroy, refreshed
    // (what destroy deleted leaves it), then up (docs/teardown.md: deploying again over kept data).
    await pulumiOk(ws, site, ["stack", "import", "--file", exported]);
    await pulumiOk(ws, site, ["refresh", "--yes"]);
    const again = await pulumiOk(ws, site, ["up", "--yes", "--skip-preview", "--policy-pack", POLICY_PACK]);
    recordTiming(t, STACK, "up over kept data (restored state)", again.ms);
    assert.deepEqual(await volumes(), claimsBefore, "the kept claims are not bound to the kept volumes");
    assert.deepEqual(await credentials(), kept, "the kept credentials changed");
    assert.deepEqual(await passwordsOutput(), keptOutput, "the stack's passwords are not the kept ones");
    const deployed = await deployments(cp, namespace);
    assert.deepEqual(
      deployed.filter((d) => !d.available).map((d) => d.name),
      [],
    );
    assert.equal(deployed.length, 2, "both databases run again");
    await pulumiOk(ws, site, ["up", "--yes", "--expect-no-changes"]);
  });
});
