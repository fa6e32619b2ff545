// What the fence agent's host receives: the agent transpiled to JavaScript that Node.js runs as it is,
// its installer laying the files out (for real, under a stand-in root), and its least-privilege RBAC.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  agentConfig,
  agentModules,
  installEnvironment,
  installScript,
} from "../components/storage/iscsi/fence-agent/files";
import { fenceAgentObjects } from "../components/storage/iscsi/fence-agent/manifests";

const settings = {
  apiServer: "https://192.168.56.11:6443",
  initiators: ["192.168.56.11", "192.168.56.12", "192.168.56.13"],
  detectionSeconds: 10,
  podNamespaces: ["hadb"],
};
const work = mkdtempSync(join(tmpdir(), "hadb-fence-files-"));
after(() => {
  rmSync(work, { recursive: true, force: true });
});

describe("fence agent files", () => {
  it("the transpiled agent loads in Node.js and needs its config", () => {
    const dir = join(work, "modules");
    mkdirSync(dir);
    for (const [name, text] of Object.entries(agentModules())) writeFileSync(join(dir, name), text);
    const plan = spawnSync(
      process.execPath,
      ["-e", `console.log(typeof require(${JSON.stringify(join(dir, "plan.js"))}).plan)`],
      {
        encoding: "utf8",
      },
    );
    assert.equal(plan.stdout.trim(), "function", plan.stderr);
    const usage = spawnSync(process.execPath, [join(dir, "agent.js")], { encoding: "utf8" });
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /usage: node agent\.js --config <agent\.json>/);
  });

  it("the config carries the settings, the agent's poll and the minHealthy rule", () => {
    assert.deepEqual(agentConfig(settings), {
      ...settings,
      caFile: "/etc/hadb/fence-agent/ca.crt",
      tokenFile: "/etc/hadb/fence-agent/token",
      pollSeconds: 1,
      minHealthyPercent: 51,
      fenceCommand: ["/usr/local/lib/hadb/iscsi-fence.sh"],
    });
  });

  it("install.sh lays the files out (token root-only, script executable), then changes nothing", (t) => {
    if (process.getuid?.() !== 0) {
      t.skip("install.sh runs as root");
      return;
    }
    const root = join(work, "root");
    const env = {
      PATH: process.env.PATH,
      ...installEnvironment(settings, "iqn.2026-11.io.hadb.lab:databases"),
      HADB_FENCE_CA_B64: Buffer.from("-----BEGIN CERTIFICATE-----\n").toString("base64"),
      HADB_FENCE_TOKEN: "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln",
      HADB_FENCE_ROOT: root,
      HADB_FENCE_START: "0",
    };
    const install = (extra: Record<string, string> = {}) =>
      spawnSync("bash", ["-c", installScript()], { encoding: "utf8", env: { ...env, ...extra } });
    const first = install();
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /wrote \/etc\/hadb\/fence-agent\/token/);
    assert.ok(!first.stdout.includes(env.HADB_FENCE_TOKEN) && !first.stderr.includes(env.HADB_FENCE_TOKEN));
    const mode = (path: string) => statSync(join(root, path)).mode & 0o777;
    assert.equal(mode("etc/hadb/fence-agent/token"), 0o600);
    assert.equal(mode("usr/local/lib/hadb/iscsi-fence.sh"), 0o755);
    const config = JSON.parse(readFileSync(join(root, "etc/hadb/fence-agent/agent.json"), "utf8")) as {
      tokenFile: string;
      fenceCommand: string[];
      initiators: string[];
    };
    assert.equal(config.tokenFile, join(root, "etc/hadb/fence-agent/token"));
    assert.deepEqual(config.fenceCommand, [join(root, "usr/local/lib/hadb/iscsi-fence.sh")]);
    assert.deepEqual(config.initiators, settings.initiators);
    assert.match(
      readFileSync(join(root, "etc/hadb/fence-agent/env"), "utf8"),
      /HADB_INITIATOR_CIDRS="192\.168\.56\.11 192\.168\.56\.12 192\.168\.56\.13"/,
    );
    assert.match(
      readFileSync(join(root, "etc/systemd/system/hadb-fence-agent.service"), "utf8"),
      /ExecStart=\/usr\/bin\/node \/usr\/local\/lib\/hadb\/fence-agent\/agent\.js/,
    );
    const again = install();
    assert.equal(again.status, 0, again.stderr);
    assert.doesNotMatch(again.stdout, /wrote/);
    const bad = install({ HADB_FENCE_TOKEN: "x' ; rm -rf / #" });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /HADB_FENCE_TOKEN is not a ServiceAccount token/);
    const missing = install({ HADB_FENCE_CA_B64: "", HADB_FENCE_TOKEN: "" });
    assert.match(missing.stderr, /missing HADB_FENCE_CA_B64 HADB_FENCE_TOKEN/);
  });

  it("RBAC: read nodes, patch only the lab's nodes, delete pods only in the databases' namespace", () => {
    // Builders give plain values; a JSON round trip drops the Input<> typing.
    const objects = JSON.parse(
      JSON.stringify(
        fenceAgentObjects({ nodeNames: ["hadb-k8s-1", "hadb-k8s-2"], databaseNamespace: "hadb" }),
      ),
    ) as Record<
      "clusterRole" | "role" | "serviceAccount" | "token",
      { metadata: { namespace?: string }; rules?: unknown[]; [key: string]: unknown }
    >;
    assert.deepEqual(objects.clusterRole.rules, [
      { apiGroups: [""], resources: ["nodes"], verbs: ["get", "list"] },
      {
        apiGroups: [""],
        resources: ["nodes"],
        verbs: ["patch"],
        resourceNames: ["hadb-k8s-1", "hadb-k8s-2"],
      },
    ]);
    assert.equal(objects.role.metadata.namespace, "hadb");
    assert.deepEqual(objects.role.rules, [
      { apiGroups: [""], resources: ["pods"], verbs: ["list", "delete"] },
    ]);
    assert.equal(objects.serviceAccount.automountServiceAccountToken, false);
    assert.equal(objects.token.type, "kubernetes.io/service-account-token");
  });
});
