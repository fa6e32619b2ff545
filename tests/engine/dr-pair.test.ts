// Tier 5 (real engine), the PX-DR pair: px-dr-primary and px-dr-standby, each on its own control plane
// in a network namespace the test made (its API server on a routable address, reached from the host
// through a veth pair: test/controlplane/netns.ts), hadb:kubeconfig set as a secret, in one backend, so
// the standby reads the primary's outputs through a real StackReference resolved by the engine and
// pairs the two clusters by their addresses. Preview with the policy pack, up, a second up with no
// changes for both sites; destroy standby then primary, keeping the data. Portworx and Stork custom
// resources use stand-in schema-less CRDs (test/engine/crds.ts); no Stork runs to dial the pair.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { netnsUnavailable } from "../../test/controlplane/netns";
import { pulumiOk, startSite, stateResources, type SiteUnderTest } from "../../test/engine/deploy";
import { previewSummary } from "../../test/engine/preview";
import { POLICY_PACK, PR_PREVIEW_COMMAND, recordTiming, skipEngine } from "../../test/engine/tier";
import { createWorkspace, type Workspace } from "../../test/engine/workspace";
import { CLUSTER_PAIR, REVERSE_CLUSTER_PAIR } from "../../components/protection/dr/portworx-manifests";

/** Locally a skip, in CI a failure (DEVELOPERS.md), like a missing tool. */
function skipPair(): string | false {
  const engine = skipEngine();
  if (engine) return engine;
  const netns = netnsUnavailable();
  if (netns && process.env.CI === "true") throw new Error(`PX-DR pair: ${netns}`);
  return netns ? `PX-DR pair: ${netns}` : false;
}

const skip = skipPair();
const PRIMARY = "px-dr-primary";
const STANDBY = "px-dr-standby";

describe("engine: PX-DR pair through a real StackReference", { skip, concurrency: 1 }, () => {
  let ws: Workspace | undefined;
  const sites: Partial<Record<string, SiteUnderTest>> = {};

  before(async () => {
    ws = createWorkspace("px-dr");
    sites[PRIMARY] = await startSite(PRIMARY, { ws, kubeconfigAsConfig: true, ownNetworkNamespace: true });
    // The stack file names the primary as a Pulumi Cloud stack (acme/hadb/...); on a self-managed
    // backend every stack's organization is "organization".
    sites[STANDBY] = await startSite(STANDBY, {
      ws,
      kubeconfigAsConfig: true,
      ownNetworkNamespace: true,
      config: {
        "hadb:disasterRecovery": {
          role: "standby",
          primaryStack: `organization/hadb/${PRIMARY}`,
          intervalMinutes: 5,
        },
      },
    });
  });
  after(async () => {
    for (const site of Object.values(sites)) await site?.stop();
    ws?.remove();
  });
  const site = (stack: string): SiteUnderTest => {
    const found = sites[stack];
    assert.ok(found, `${stack} not started`);
    return found;
  };

  it("primary then standby: the PR check passes, up converges, a second up and refresh change nothing", async (t) => {
    // One test, in order: the standby's program reads the primary's outputs, so the primary goes first.
    for (const stack of [PRIMARY, STANDBY]) {
      const { ws: workspace, site: s } = site(stack);
      const preview = await pulumiOk(workspace, s, PR_PREVIEW_COMMAND.split(" ").slice(1));
      const { policyPassed, advisories, counts } = previewSummary(preview.stdout);
      const policies = preview.stdout.slice(
        preview.stdout.indexOf("Policies:"),
        preview.stdout.indexOf("Policies:") + 600,
      );
      assert.ok(policyPassed, `${stack}: the policy pack did not pass:\n${policies}`);
      recordTiming(t, stack, "preview", preview.ms, `${counts.create ?? 0} resources to create`);
      if (advisories.length > 0) t.diagnostic(`${stack} advisory policy notes: ${advisories.join("; ")}`);
      const up = await pulumiOk(workspace, s, [
        "up",
        "--yes",
        "--skip-preview",
        "--policy-pack",
        POLICY_PACK,
      ]);
      const exported = (await pulumiOk(workspace, s, ["stack", "export"])).stdout;
      recordTiming(t, stack, "up", up.ms, `${stateResources(exported).length} resources in state`);
      const again = await pulumiOk(workspace, s, ["up", "--yes", "--expect-no-changes"]);
      recordTiming(t, stack, "second up", again.ms);
      const refresh = await pulumiOk(workspace, s, ["refresh", "--yes", "--expect-no-changes"]);
      recordTiming(t, stack, "refresh", refresh.ms);
    }
  });

  it("each site's ClusterPair points at the other site's routable API address", async () => {
    // name -> the API server in its spec.config, on the site's own control plane.
    const pairs = async (stack: string): Promise<Record<string, string[]>> => {
      const list = JSON.parse(
        await site(stack).cp.kubectl(["get", "clusterpairs.stork.libopenstorage.org", "-A", "-o", "json"]),
      ) as {
        items: {
          metadata: { name: string };
          spec: { config: { clusters: Record<string, { server: string }> } };
        }[];
      };
      return Object.fromEntries(
        list.items.map((p) => [p.metadata.name, Object.values(p.spec.config.clusters).map((c) => c.server)]),
      );
    };
    const [primary, standby] = [site(PRIMARY).cp.serverUrl, site(STANDBY).cp.serverUrl];
    assert.doesNotMatch(`${primary} ${standby}`, /127\.0\.0\.1|localhost/);
    assert.deepEqual(await pairs(PRIMARY), { [CLUSTER_PAIR]: [standby] });
    assert.deepEqual(await pairs(STANDBY), { [REVERSE_CLUSTER_PAIR]: [primary] });
  });

  it("the standby's outputs come from the primary it read by StackReference", async () => {
    const { ws: workspace, site: s } = site(STANDBY);
    const outputs = JSON.parse((await pulumiOk(workspace, s, ["stack", "output", "--json"])).stdout) as {
      disasterRecovery?: { role?: string; primaryStack?: string; mode?: string };
    };
    const dr = outputs.disasterRecovery;
    assert.ok(dr, "no disasterRecovery output");
    assert.equal(dr.role, "standby");
    assert.equal(dr.primaryStack, `organization/hadb/${PRIMARY}`);
    assert.equal(dr.mode, "px-dr-metro");
  });

  for (const stack of [STANDBY, PRIMARY])
    it(`${stack}: destroy completes and leaves the claims`, async (t) => {
      const { ws: workspace, site: s, cp } = site(stack);
      const claims = async () => (await cp.kubectl(["get", "pvc", "-A", "-o", "name"])).trim();
      const before = await claims();
      const { ms } = await pulumiOk(workspace, s, ["destroy", "--yes"]);
      recordTiming(t, stack, "destroy", ms);
      assert.equal(await claims(), before);
    });
});
