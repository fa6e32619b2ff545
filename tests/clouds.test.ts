// The cloud cluster layer's pure parts: config defaults per cloud, subnet planning, exec kubeconfigs,
// and the EKS node user data (parsed by an independent MIME parser, its script run through shellcheck).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { eksAmiType, eksNodeUserData, USER_DATA_BOUNDARY } from "../components/cluster/eks/user-data";
import { execKubeconfig } from "../components/cluster/kubeconfig";
import { zoneSubnets } from "../components/cluster/subnets";
import { configFromMap } from "../components/config/load";
import { isCidr, overlaps } from "../components/config/network";
import { PROJECT_ROOT } from "./helpers/synth";

const has = (command: string): boolean => spawnSync("sh", ["-c", `command -v ${command}`]).status === 0;
const requireTool = (t: { skip(message: string): void }, command: string): boolean => {
  if (has(command)) return true;
  if (process.env.CI === "true") assert.fail(`${command} is required in CI (.ci/run installs it)`);
  t.skip(`${command} not installed`);
  return false;
};

describe("cloud config defaults", () => {
  it("aks: zones 1-3, Ubuntu (a debian family image), current Kubernetes minor", () => {
    const config = configFromMap({ "azure-native:location": "westeurope", "hadb:cloud": "aks" });
    assert.deepEqual(config.zones, ["1", "2", "3"]);
    assert.equal(config.nodeOs, "debian");
    assert.equal(config.managedCluster?.nodeImage, "Ubuntu");
    assert.equal(config.managedCluster.region, "westeurope");
    assert.match(config.managedCluster.kubernetesVersion, /^1\.\d{2}$/);
  });

  it("eks: AL2023 nodes are the amazonlinux family; the region comes from aws:region", () => {
    const config = configFromMap({
      "aws:region": "us-east-2",
      "hadb:cloud": "eks",
      "hadb:zones": '["us-east-2a","us-east-2b","us-east-2c"]',
    });
    assert.equal(config.nodeOs, "amazonlinux");
    assert.equal(config.managedCluster?.region, "us-east-2");
    assert.equal(config.backups.enabled, false, "no bucket unless asked for");
  });

  it("gke: COS is accepted for storage that needs no host packages", () => {
    const config = configFromMap({
      "gcp:project": "hadb-example",
      "gcp:region": "us-central1",
      "hadb:cloud": "gke",
      "hadb:storage": "iscsi",
      "hadb:zones": '["us-central1-a","us-central1-b","us-central1-c"]',
      "hadb:gke": '{"nodeImage":"UBUNTU_CONTAINERD","databasePool":{"nodeCount":3}}',
      "hadb:iscsi":
        '{"target":{"portal":"10.0.0.5:3260","iqn":"iqn.2026-01.com.example:db","luns":[1],"chapUser":"hadb"}}',
      "hadb:iscsiChapPassword": "0123456789abcdef",
      // An external target: nothing hadb ships fences it (docs/fencing.md).
      "hadb:fencing": '{"mode":"off"}',
      "hadb:databases": '[{"engine":"mysql","name":"mysql"}]',
    });
    assert.equal(config.managedCluster?.project, "hadb-example");
    assert.deepEqual(config.managedCluster.databasePool, { nodeCount: 3, nodeSize: "n2-standard-4" });
  });
});

describe("zoneSubnets", () => {
  const zones = ["a", "b", "c"];
  for (const network of ["10.41.0.0/16", "10.0.0.0/20", "192.168.10.0/24"]) {
    it(`${network}: 6 disjoint subnets inside the network`, () => {
      const subnets = zoneSubnets(network, zones);
      const all = subnets.flatMap((s) => [s.privateCidr, s.publicCidr]);
      assert.equal(all.length, 6);
      for (const cidr of all) {
        assert.ok(isCidr(cidr), cidr);
        assert.ok(overlaps(cidr, network), `${cidr} inside ${network}`);
      }
      all.forEach((a, i) => {
        all.forEach((b, j) => {
          if (i !== j) assert.ok(!overlaps(a, b), `${a} overlaps ${b}`);
        });
      });
    });
  }

  it("private subnets come first and are as large as public ones", () => {
    assert.deepEqual(zoneSubnets("10.41.0.0/16", ["x"]), [
      { zone: "x", privateCidr: "10.41.0.0/19", publicCidr: "10.41.96.0/19" },
    ]);
  });

  it("refuses networks too small to split", () => {
    assert.throws(() => zoneSubnets("10.0.0.0/26", zones), /too small/);
  });
});

describe("overlaps", () => {
  it("detects shared addresses and only those", () => {
    assert.equal(overlaps("10.112.0.0/14", "10.113.5.0/24"), true);
    assert.equal(overlaps("10.116.0.0/20", "10.112.0.0/14"), false);
    assert.equal(overlaps("10.0.0.0/8", "10.42.0.0/20"), true);
    assert.equal(overlaps("192.168.0.0/24", "192.168.1.0/24"), false);
  });
});

describe("execKubeconfig", () => {
  it("names one cluster/context/user and runs the cloud's token helper without prompting", () => {
    const text = execKubeconfig({
      name: "hadb-dev",
      server: "https://example.eks.amazonaws.com",
      certificateAuthorityData: "Q0E=",
      credential: {
        command: "aws",
        args: ["--region", "eu-west-1", "eks", "get-token", "--cluster-name", "hadb-dev"],
        installHint: "install the AWS CLI",
      },
    });
    const config = parse(text);
    assert.equal(config["current-context"], "hadb-dev");
    assert.equal(config.clusters[0].cluster.server, "https://example.eks.amazonaws.com");
    assert.equal(config.clusters[0].cluster["certificate-authority-data"], "Q0E=");
    const exec = config.users[0].user.exec;
    assert.equal(exec.apiVersion, "client.authentication.k8s.io/v1beta1");
    assert.equal(exec.command, "aws");
    assert.equal(exec.interactiveMode, "Never");
    assert.ok(!/token:|password:/.test(text), "no static credential in the kubeconfig");
  });
});

describe("EKS node user data", () => {
  it("parses as a multipart/mixed MIME archive with one shell-script part (Python's email parser)", (t) => {
    if (!requireTool(t, "python3")) return;
    const parsed = spawnSync(
      "python3",
      [
        "-c",
        [
          "import email, json, sys",
          "m = email.message_from_string(sys.stdin.read())",
          "parts = [p for p in m.walk() if not p.is_multipart()]",
          "print(json.dumps({'type': m.get_content_type(), 'defects': len(m.defects),",
          "  'parts': [[p.get_content_type(), p.get_payload()] for p in parts]}))",
        ].join("\n"),
      ],
      { input: eksNodeUserData(), encoding: "utf8" },
    );
    assert.equal(parsed.status, 0, parsed.stderr);
    const mime = JSON.parse(parsed.stdout) as { type: string; defects: number; parts: [string, string][] };
    assert.equal(mime.type, "multipart/mixed");
    assert.equal(mime.defects, 0);
    assert.equal(mime.parts.length, 1);
    const [[type, script] = ["", ""]] = mime.parts;
    assert.equal(type, "text/x-shellscript");
    assert.match(script, /^#!\/bin\/bash\n/);
    assert.match(script, /dnf install -y iscsi-initiator-utils nfs-utils/);
    assert.match(script, /modprobe iscsi_tcp/);
    assert.match(script, /systemctl enable --now iscsid/);
  });

  it("refuses a script that contains the MIME boundary", () => {
    assert.throws(() => eksNodeUserData(`echo ${USER_DATA_BOUNDARY}`), /boundary/);
  });

  it("the user data script passes shellcheck", (t) => {
    if (!requireTool(t, "shellcheck")) return;
    const result = spawnSync(
      "shellcheck",
      [join(PROJECT_ROOT, "components", "cluster", "eks", "node-prep.sh")],
      { encoding: "utf8" },
    );
    assert.equal(result.status, 0, result.stdout);
  });

  it("picks the ARM image for Graviton instance types", () => {
    assert.equal(eksAmiType("AL2023", "m6i.xlarge"), "AL2023_x86_64_STANDARD");
    assert.equal(eksAmiType("AL2023", "m7g.xlarge"), "AL2023_ARM_64_STANDARD");
    assert.equal(eksAmiType("AL2023", "c6gn.large"), "AL2023_ARM_64_STANDARD");
    assert.equal(eksAmiType("AL2023", "g5.xlarge"), "AL2023_x86_64_STANDARD");
    assert.equal(eksAmiType("Bottlerocket", "t4g.large"), "BOTTLEROCKET_ARM_64");
  });
});
