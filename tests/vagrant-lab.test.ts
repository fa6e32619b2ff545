// The Vagrant lab as files: a Vagrantfile Ruby accepts, shell scripts shellcheck accepts, addresses
// and secrets handled as documented. (No VM runs here: `vagrant up` is the user's machine's job.)
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { VAGRANT_DEFAULTS } from "../components/config/vagrant";
import {
  labFiles,
  labVms,
  renderVagrantfile,
  targetDiskGB,
  type LabSpec,
} from "../components/cluster/vagrant/lab";
import { PROJECT_ROOT } from "./helpers/synth";

function requireTool(tool: string): boolean {
  const found = spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
  if (!found && process.env.CI === "true") assert.fail(`${tool} is required in CI (.ci/run installs it)`);
  return found;
}

const withTarget: LabSpec = {
  settings: VAGRANT_DEFAULTS,
  nodeCount: 3,
  target: { iqn: "iqn.2026-11.io.hadb.lab:databases", lunSizesGB: [10, 20] },
};
const libvirtOnly: LabSpec = {
  settings: { ...VAGRANT_DEFAULTS, provider: "libvirt", cpus: 4 },
  nodeCount: 3,
};
const withOsdDisks: LabSpec = {
  settings: { ...VAGRANT_DEFAULTS, memoryMB: 8192 },
  nodeCount: 3,
  osdDiskGB: 20,
};
const libvirtOsdDisks: LabSpec = { ...libvirtOnly, osdDiskGB: 30 };

describe("Vagrant lab", () => {
  it("places the target at .10 and nodes at .11-.13; the first node is the control plane", () => {
    assert.deepEqual(
      labVms(withTarget).map((vm) => `${vm.name} ${vm.ip} ${vm.role}`),
      [
        "hadb-iscsi 192.168.56.10 iscsi-target",
        "hadb-k8s-1 192.168.56.11 control-plane",
        "hadb-k8s-2 192.168.56.12 worker",
        "hadb-k8s-3 192.168.56.13 worker",
      ],
    );
    assert.equal(targetDiskGB(withTarget.target ?? { iqn: "", lunSizesGB: [] }), 32);
  });

  it("generated Vagrantfiles pass `ruby -c` (VirtualBox with a target VM, libvirt without)", (t) => {
    if (!requireTool("ruby")) {
      t.skip("ruby not installed");
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), "hadb-vagrantfile-"));
    for (const [name, spec] of Object.entries({ withTarget, libvirtOnly, withOsdDisks, libvirtOsdDisks })) {
      const file = join(dir, `${name}.rb`);
      writeFileSync(file, renderVagrantfile(spec));
      const result = spawnSync("ruby", ["-c", file], { encoding: "utf8" });
      assert.equal(result.status, 0, `${name}: ${result.stderr}`);
      assert.match(result.stdout, /Syntax OK/);
    }
  });

  it("Rook-Ceph labs give every Kubernetes node one raw disk, and only them", () => {
    const vagrantfile = renderVagrantfile(withOsdDisks);
    assert.equal(vagrantfile.match(/node\.vm\.disk :disk, name: "hadb-osd", size: "20GB"/g)?.length, 3);
    assert.equal(renderVagrantfile(libvirtOsdDisks).match(/lv\.storage :file, size: "30G"/g)?.length, 3);
    assert.doesNotMatch(renderVagrantfile(libvirtOnly), /hadb-osd|lv\.storage/);
  });

  it("the Vagrantfile carries the failover timings and pinned versions, and no secret values", () => {
    const vagrantfile = renderVagrantfile(withTarget);
    assert.match(vagrantfile, /config\.vm\.box_version = '202404\.26\.0'/);
    assert.match(vagrantfile, /'HADB_NODE_MONITOR_GRACE_SECONDS' => '16'/);
    assert.match(vagrantfile, /'HADB_NODE_STATUS_SECONDS' => '4'/);
    assert.match(vagrantfile, /'HADB_NODE_MONITOR_PERIOD_SECONDS' => '1'/);
    assert.match(vagrantfile, /'HADB_K8S_VERSION' => '1\.36\.3'/);
    assert.match(vagrantfile, /'HADB_CHAP_PASSWORD' => ENV\["HADB_ISCSI_CHAP_PASSWORD"\]/);
    // One ACL entry per node, so the fence agent can refuse one node alone (docs/fencing.md).
    assert.match(
      vagrantfile,
      /'HADB_INITIATOR_CIDRS' => '192\.168\.56\.11 192\.168\.56\.12 192\.168\.56\.13'/,
    );
    assert.match(vagrantfile, /'HADB_PORTAL' => '192\.168\.56\.10:3260'/);
    assert.match(vagrantfile, /'HADB_JOIN_COMMAND' => ENV\["HADB_JOIN_COMMAND"\]/);
    assert.match(vagrantfile, /node\.vm\.disk :disk, name: "hadb-iscsi-data", size: "32GB"/);
    assert.match(vagrantfile, /'HADB_LUN_SIZES' => '10G 20G'/);
    const libvirt = renderVagrantfile(libvirtOnly);
    assert.match(libvirt, /config\.vm\.provider "libvirt"/);
    assert.doesNotMatch(libvirt, /virtualbox|hadb-iscsi/);
  });

  it("every lab shell script passes shellcheck and bash -n", (t) => {
    const scripts = [
      ...readdirSync(join(PROJECT_ROOT, "components/cluster/vagrant/provision")).map(
        (f) => `components/cluster/vagrant/provision/${f}`,
      ),
      "components/cluster/vagrant/lab-up.sh",
      "components/cluster/vagrant/lab-down.sh",
      "components/cluster/vagrant/fence-agent-up.sh",
      "components/storage/iscsi/fence-agent/install.sh",
    ].map((path) => join(PROJECT_ROOT, path));
    for (const script of scripts) {
      const syntax = spawnSync("bash", ["-n", script], { encoding: "utf8" });
      assert.equal(syntax.status, 0, `${script}: ${syntax.stderr}`);
    }
    if (!requireTool("shellcheck")) {
      t.skip("shellcheck not installed");
      return;
    }
    const result = spawnSync("shellcheck", ["-s", "bash", ...scripts], { encoding: "utf8" });
    assert.equal(result.status, 0, result.stdout);
  });

  it("lab files include the iSCSI target scripts only when the lab has a target", () => {
    assert.deepEqual(Object.keys(labFiles(withTarget)).sort(), [
      "Vagrantfile",
      "provision/common.sh",
      "provision/control-plane.sh",
      "provision/iscsi-target-vm.sh",
      "provision/iscsi-target.sh",
      "provision/worker.sh",
    ]);
    assert.ok(!Object.keys(labFiles(libvirtOnly)).some((file) => file.includes("iscsi")));
  });

  it("lab-up refuses to run without vagrant, with a message saying so", () => {
    const result = spawnSync("bash", [join(PROJECT_ROOT, "components/cluster/vagrant/lab-up.sh")], {
      encoding: "utf8",
      env: {
        PATH: "/usr/bin:/bin",
        HADB_LAB_DIR: mkdtempSync(join(tmpdir(), "hadb-lab-")),
        HADB_VAGRANT_PROVIDER: "virtualbox",
        HADB_CONTROL_PLANE_VM: "hadb-k8s-1",
      },
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /vagrant is not installed/);
  });
});
