// The real-node tier's pure parts (test/nodes/): what each VM is told, how the target's session list is
// read, what the seed's settings change, which secrets are filled. The tier itself runs in
// `npm run test:nodes` (tests/nodes/); these keep its decisions honest in `npm test`.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { MANAGED_CONTROLLER_TIMINGS, SELF_MANAGED_CONTROLLER_TIMINGS } from "../components/failover/timings";
import { fillSecrets, seedSettings, targetSettings, tierStackFile } from "../test/nodes/database";
import { netnsProblem, nodeAddress, NETNS_ENV, TARGET_ADDRESS } from "../test/nodes/network";
import { cniConfig, initiatorName, kubeletConfig, nodeEnv } from "../test/nodes/node-files";
import { parseTargets } from "../test/nodes/tgt";
import { observe } from "../test/nodes/timeline";
import { qemuArgs, nodeImage } from "../test/nodes/vm";
import { REDACTED } from "../tools/synth/write";
import { mysqlAccountsSql } from "../components/databases/mysql/accounts";
import { generatedCredentials, labObjects } from "../test/nodes/deploy";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { siteConfig, synthStack } from "./helpers/synth";

const TGTADM_SHOW = `Target 1: iqn.2026-11.io.hadb.lab:databases
    System information:
        Driver: iscsi
        State: ready
    I_T nexus information:
        I_T nexus: 3
            Initiator: iqn.2026-11.io.hadb.lab:hadb-k8s-2 alias: hadb-k8s-2
            Connection: 0
                IP Address: 192.168.56.12
        I_T nexus: 4
            Initiator: iqn.2026-11.io.hadb.lab:hadb-k8s-3 alias: hadb-k8s-3
            Connection: 0
                IP Address: 192.168.56.13
    LUN information:
        LUN: 0
            Type: controller
            Backing store path: None
        LUN: 1
            Type: disk
            Backing store path: /tmp/luns/lun-1.img
    Account information:
        hadb-lab
    ACL information:
        192.168.56.0/24
`;

describe("real-node tier: target sessions", () => {
  it("reads every logged-in initiator with its address, the LUNs and the ACL", () => {
    const [target] = parseTargets(TGTADM_SHOW);
    assert.ok(target);
    assert.equal(target.iqn, "iqn.2026-11.io.hadb.lab:databases");
    assert.deepEqual(
      target.sessions.map((s) => [s.initiator, s.addresses]),
      [
        ["iqn.2026-11.io.hadb.lab:hadb-k8s-2", ["192.168.56.12"]],
        ["iqn.2026-11.io.hadb.lab:hadb-k8s-3", ["192.168.56.13"]],
      ],
    );
    assert.deepEqual(target.luns, [0, 1]);
    assert.deepEqual(target.acl, ["192.168.56.0/24"]);
  });

  it("a target nobody is logged in to has no sessions", () => {
    const [target] = parseTargets(
      TGTADM_SHOW.replace(
        / {4}I_T nexus information:[\s\S]*?(?= {4}LUN information)/,
        "    I_T nexus information:\n",
      ),
    );
    assert.deepEqual(target?.sessions, []);
  });
});

describe("real-node tier: what each VM is told", () => {
  it("the kubelet heartbeats as the lab's control plane expects (status every N s, Lease of 4 N)", () => {
    const lab = kubeletConfig(SELF_MANAGED_CONTROLLER_TIMINGS);
    assert.equal(lab.nodeStatusUpdateFrequency, "4s");
    assert.equal(lab.nodeLeaseDurationSeconds, 16);
    const defaults = kubeletConfig(MANAGED_CONTROLLER_TIMINGS);
    assert.equal(defaults.nodeStatusUpdateFrequency, "10s");
    assert.equal(defaults.nodeLeaseDurationSeconds, 40);
  });

  it("nodes get the lab's addresses, their own initiator name and routes to the other nodes' pods", () => {
    const env = nodeEnv(2, 3);
    assert.match(env, /^NODE_IP=192\.168\.56\.12$/m);
    assert.match(env, /^INITIATOR_NAME=iqn\.2026-11\.io\.hadb\.lab:hadb-k8s-2$/m);
    assert.match(
      env,
      /^POD_ROUTES="10\.244\.1\.0\/24@192\.168\.56\.11 10\.244\.3\.0\/24@192\.168\.56\.13"$/m,
    );
    assert.match(env, /topology\.kubernetes\.io\/zone=zone-2/);
    assert.notEqual(initiatorName(1), initiatorName(2));
    assert.equal(nodeAddress(3), "192.168.56.13");
    assert.equal(TARGET_ADDRESS, "192.168.56.10");
    const cni = JSON.stringify(cniConfig(2));
    assert.match(cni, /10\.244\.2\.0\/24/);
  });

  it("QEMU gets the overlay, the tap, the node files and the command channel, and no user networking", () => {
    const args = qemuArgs(
      {
        name: "hadb-k8s-1",
        index: 1,
        image: nodeImage("/img"),
        tap: "hadb-t1-abcd",
        files: {},
        dir: "/d",
        memoryMiB: 1536,
      },
      { overlay: "/d/disk.qcow2", tar: "/d/node.tar", agent: "/d/agent.sock", console: "/d/console.log" },
    ).join(" ");
    assert.match(args, /-m 1536/);
    assert.match(args, /tap,id=lab,ifname=hadb-t1-abcd,script=no/);
    assert.match(args, /name=opt\/io\.hadb\/node\.tar,file=\/d\/node\.tar/);
    assert.match(args, /socket,id=agent,path=\/d\/agent\.sock/);
    assert.doesNotMatch(args, /user,|hostfwd|-nic user/);
  });

  it("refuses to run outside the network namespace its runner made", () => {
    const env = process.env as Record<string, string | undefined>;
    const saved = env.HADB_NODES_NETNS;
    env.HADB_NODES_NETNS = "";
    try {
      assert.match(netnsProblem() ?? "", /not inside the tier's network namespace/);
      env.HADB_NODES_NETNS = "hadb-nodes-does-not-exist";
      assert.match(netnsProblem() ?? "", /does not exist|needs root/);
    } finally {
      env.HADB_NODES_NETNS = saved ?? "";
    }
    assert.equal(NETNS_ENV, "HADB_NODES_NETNS");
  });
});

describe("real-node tier: the stack under test", () => {
  const synth = synthStack("vagrant-iscsi-mysql");
  const deployment = synth.manifests.find((o) => o.kind === "Deployment" && o.metadata.name === "mysql");
  assert.ok(deployment);

  it("the seed's settings: no tolerations, liveness after 25 s every 10 s, no readiness/startup probe", () => {
    const seed = seedSettings(deployment);
    const pod = (seed.spec as any).template.spec;
    assert.equal(pod.tolerations, undefined);
    assert.equal(pod.terminationGracePeriodSeconds, undefined);
    const container = pod.containers[0];
    assert.deepEqual(
      { delay: container.livenessProbe.initialDelaySeconds, period: container.livenessProbe.periodSeconds },
      { delay: 25, period: 10 },
    );
    assert.equal(container.readinessProbe, undefined);
    assert.equal(container.startupProbe, undefined);
    // Everything else is hadb's, and the input is untouched.
    assert.equal(container.image, (deployment.spec as any).template.spec.containers[0].image);
    assert.ok((deployment.spec as any).template.spec.tolerations.length > 0);
  });

  it("every redacted secret value is filled, or the apply refuses", () => {
    const secret = synth.manifests.find(
      (o) => o.kind === "Secret" && o.metadata.name === "mysql-credentials",
    );
    assert.ok(secret);
    assert.equal((secret as any).stringData.password, REDACTED);
    assert.throws(() => fillSecrets([secret], {}), /no value for hadb\/mysql-credentials key/);
    const mysql = siteConfig("vagrant-iscsi-mysql").databases.find((d) => d.name === "mysql")?.mysql;
    assert.ok(mysql);
    const render = {
      stackFile: "",
      mysql,
      manifests: synth.manifests,
      outputs: synth.outputs,
      budgetText: "",
    };
    const credentials = generatedCredentials();
    const target = { iqn: "", lunSizes: [], portal: "", initiatorCidrs: [] };
    const objects = labObjects({ ...render, target }, credentials, "hadb");
    const filled = objects.find((o) => o.metadata.name === "mysql-credentials") as any;
    // The accounts file is the program's own, from the same passwords the server gets.
    assert.equal(
      filled.stringData["accounts.sql"],
      mysqlAccountsSql(mysql, { root: credentials.rootPassword, app: credentials.userPassword }),
    );
    assert.equal(filled.stringData.password, credentials.userPassword);
    const chap = objects.find((o) => o.metadata.name === "hadb-iscsi-chap") as any;
    assert.equal(chap.stringData["node.session.auth.password"], credentials.chap.password);
    assert.ok(!JSON.stringify(objects).includes(REDACTED), "nothing redacted is applied");
    assert.ok(!objects.some((o) => o.kind === "PostgresCluster"), "no PGO objects without PGO");
  });

  it("the target is set up as the program sets up the lab's target VM", () => {
    const vagrantfile = synth.texts["commands/cluster-up/files/Vagrantfile"] ?? "";
    assert.deepEqual(targetSettings(vagrantfile), {
      iqn: "iqn.2026-11.io.hadb.lab:databases",
      lunSizes: ["10G", "10G"],
      portal: `${TARGET_ADDRESS}:3260`,
      // One ACL entry per node (not the subnet), so the fence agent can refuse one node at the target.
      initiatorCidrs: ["192.168.56.11", "192.168.56.12", "192.168.56.13"],
    });
  });

  it("the tier's stack file changes only the MySQL entry's image and resources", () => {
    const original = parse(readFileSync("stacks/vagrant-iscsi-mysql.yaml", "utf8")) as {
      config: Record<string, any>;
    };
    const tier = parse(readFileSync(tierStackFile("localhost/hadb-stand-in/mariadb:1"), "utf8")) as {
      config: Record<string, any>;
    };
    const [mysql, ...others] = tier.config["hadb:databases"];
    const [originalMysql, ...originalOthers] = original.config["hadb:databases"];
    assert.equal(mysql.image, "localhost/hadb-stand-in/mariadb:1");
    assert.deepEqual(
      { ...mysql, image: undefined, resources: undefined },
      { ...originalMysql, image: undefined, resources: undefined },
    );
    assert.deepEqual(others, originalOthers);
    assert.deepEqual({ ...tier.config, "hadb:databases": [] }, { ...original.config, "hadb:databases": [] });
  });
});

describe("real-node tier: timeline facts", () => {
  it("one fact per node condition, volume list and pod state, and the target's sessions", () => {
    const facts = observe(
      [
        {
          metadata: { name: "hadb-k8s-1" },
          spec: { taints: [{ key: "node.kubernetes.io/unreachable", effect: "NoExecute" }] },
          status: {
            conditions: [{ type: "Ready", status: "Unknown" }],
            volumesAttached: [{ name: "kubernetes.io/iscsi/x" }],
          },
        },
      ],
      [
        {
          metadata: { name: "mysql-a", uid: "u1", deletionTimestamp: "now" },
          spec: { nodeName: "hadb-k8s-1" },
        },
      ],
      ["iqn.x:hadb-k8s-1"],
    );
    assert.equal(facts.get("node/hadb-k8s-1/ready"), "hadb-k8s-1 Ready=Unknown");
    assert.equal(facts.get("node/hadb-k8s-1/taints"), "hadb-k8s-1 taints [unreachable:NoExecute]");
    assert.equal(facts.get("node/hadb-k8s-1/attached"), "hadb-k8s-1 volumesAttached [iscsi/x]");
    assert.match(facts.get("pod/u1") ?? "", /^pod mysql-a node=hadb-k8s-1 .* terminating$/);
    assert.equal(facts.get("target"), "target sessions [iqn.x:hadb-k8s-1]");
  });
});

describe("real-node tier: scripts", () => {
  const scripts = [
    "tests/nodes/run.sh",
    "test/nodes/image/build.sh",
    "test/nodes/image/rootfs.sh",
    "test/nodes/image/debian.sh",
    "test/nodes/image/oci.sh",
    "test/nodes/image/packages.sh",
    "test/nodes/image/guest/hadb-node-setup.sh",
    "test/nodes/image/standins/mariadb-entrypoint.sh",
    "test/controlplane/build.sh",
    "test/controlplane/leftovers.sh",
    "tests/e2e/run.sh",
  ];
  it("pass shellcheck", (t) => {
    if (spawnSync("sh", ["-c", "command -v shellcheck"]).status !== 0) {
      if (process.env.CI) assert.fail("shellcheck is required in CI (.ci/run installs it)");
      t.skip("shellcheck not installed");
      return;
    }
    const result = spawnSync("shellcheck", ["-x", ...scripts], { encoding: "utf8" });
    assert.equal(result.status, 0, result.stdout);
  });

  it("the MariaDB stand-in escapes credentials into SQL literals", () => {
    // The entrypoint's quoting functions, run for real on hostile values.
    const entrypoint = readFileSync("test/nodes/image/standins/mariadb-entrypoint.sh", "utf8");
    const functions = entrypoint.slice(entrypoint.indexOf("sql_string()"), entrypoint.indexOf("if [[ ! -d"));
    const result = spawnSync(
      "bash",
      ["-c", `${functions}\nsql_string "$1"; echo; sql_identifier "$2"`, "_", `it's a \\ test`, "db`x"],
      { encoding: "utf8" },
    );
    assert.equal(result.stdout, "'it''s a \\\\ test'\n`db``x`");
  });
});
