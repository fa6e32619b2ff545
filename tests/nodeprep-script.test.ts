// The node-prep host script: shellcheck-clean, and run for real against a fake host (a root folder with
// /etc/os-release and /proc/modules, and recording stand-ins for apt/dnf/yum/modprobe/systemctl).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { PROJECT_ROOT } from "./helpers/synth";

const SCRIPT = join(PROJECT_ROOT, "components", "nodeprep", "prepare-node.sh");

function requireTool(tool: string): boolean {
  const found = spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
  // CI installs every tool (.ci/run); locally a missing tool is reported as a skip, never a pass.
  if (!found && process.env.CI === "true") assert.fail(`${tool} is required in CI (.ci/run installs it)`);
  return found;
}

describe("prepare-node.sh static checks", () => {
  it("passes shellcheck", (t) => {
    if (!requireTool("shellcheck")) {
      t.skip("shellcheck not installed");
      return;
    }
    const result = spawnSync("shellcheck", ["-s", "bash", SCRIPT], { encoding: "utf8" });
    assert.equal(result.status, 0, result.stdout);
  });

  it("passes bash -n", () => {
    const result = spawnSync("bash", ["-n", SCRIPT], { encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
  });
});

interface FakeHost {
  root: string;
  log: string;
  /** Marks the packages' tools as present, as on a node prepared earlier. */
  preinstall(): void;
  run(env?: Record<string, string>): {
    status: number | null;
    stdout: string;
    stderr: string;
    calls: string[];
  };
}

const RECORD = 'echo "$(basename "$0") $*" >>"$FAKE_LOG"';
/** Package managers "install" by creating the tools the packages provide. */
const INSTALL = `${RECORD}
case " $* " in *" install "*)
  for tool in iscsiadm mount.nfs4; do printf '#!/bin/sh\\nexit 0\\n' >"$FAKE_INSTALLED/$tool"; chmod +x "$FAKE_INSTALLED/$tool"; done;;
esac`;

const FAKE_COMMANDS: Record<string, string> = {
  "apt-get": INSTALL,
  dnf: INSTALL,
  yum: INSTALL,
  zypper: INSTALL,
  "dpkg-query": `${RECORD}
for pkg in open-iscsi nfs-common; do
  if [ "\${FAKE_PACKAGES_INSTALLED:-0}" = 1 ]; then echo "install ok installed"; else echo "unknown ok not-installed"; fi
done`,
  rpm: `${RECORD}\n[ "\${FAKE_PACKAGES_INSTALLED:-0}" = 1 ]`,
  modprobe: `${RECORD}\necho "$1 196608 0 - Live 0x0" >>"$HADB_HOST_ROOT/proc/modules"`,
  systemctl: `${RECORD}\ncase "$1" in is-active) [ "\${FAKE_ISCSID_ACTIVE:-1}" = 1 ];; *) exit 0;; esac`,
  "iscsi-iname": `${RECORD}\necho iqn.2004-10.com.example:fake0001`,
};

function fakeHost(osRelease: string, omit: string[] = []): FakeHost {
  const base = mkdtempSync(join(tmpdir(), "hadb-fakehost-"));
  const root = join(base, "root");
  const bin = join(base, "bin");
  const installed = join(base, "installed");
  const log = join(base, "calls.log");
  for (const dir of [join(root, "etc"), join(root, "proc"), bin, installed])
    mkdirSync(dir, { recursive: true });
  writeFileSync(join(root, "etc", "os-release"), osRelease);
  writeFileSync(join(root, "proc", "modules"), "ext4 1 0 - Live 0x0\n");
  writeFileSync(log, "");
  for (const [name, body] of Object.entries(FAKE_COMMANDS)) {
    if (omit.includes(name)) continue;
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  }
  return {
    root,
    log,
    preinstall() {
      for (const tool of ["iscsiadm", "mount.nfs4"]) {
        writeFileSync(join(installed, tool), "#!/bin/sh\nexit 0\n");
        chmodSync(join(installed, tool), 0o755);
      }
    },
    run(env = {}) {
      const result = spawnSync("bash", [SCRIPT], {
        encoding: "utf8",
        env: {
          PATH: `${bin}:${installed}:/usr/bin:/bin`,
          HADB_HOST_ROOT: root,
          FAKE_LOG: log,
          FAKE_INSTALLED: installed,
          ...env,
        },
      });
      const calls = readFileSync(log, "utf8").split("\n").filter(Boolean);
      return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls };
    },
  };
}

const UBUNTU = 'ID=ubuntu\nID_LIKE=debian\nVERSION_ID="24.04"\n';
const AMAZON_LINUX = 'ID="amzn"\nID_LIKE="fedora"\nVERSION_ID="2023"\n';
const ROCKY = 'ID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.4"\n';

describe("prepare-node.sh on a fake host", () => {
  it("Ubuntu: installs open-iscsi + nfs-common, loads iscsi_tcp now and at boot, starts iscsid", () => {
    const host = fakeHost(UBUNTU);
    const result = host.run();
    assert.equal(result.status, 0, result.stderr);
    assert.ok(
      result.calls.includes("apt-get install -y -q --no-install-recommends open-iscsi nfs-common"),
      result.calls.join("\n"),
    );
    assert.ok(result.calls.includes("modprobe iscsi_tcp"));
    assert.ok(result.calls.includes("systemctl enable --now iscsid.service"));
    assert.equal(
      readFileSync(join(host.root, "etc", "modules-load.d", "hadb-iscsi.conf"), "utf8"),
      "iscsi_tcp\n",
    );
    assert.match(result.stdout, /node ready/);
  });

  it("a node prepared earlier installs nothing and is ready", () => {
    const host = fakeHost(UBUNTU);
    host.preinstall();
    const result = host.run({ FAKE_PACKAGES_INSTALLED: "1" });
    assert.equal(result.status, 0, result.stderr);
    assert.ok(!result.calls.some((call) => call.startsWith("apt-get")), result.calls.join("\n"));
    assert.match(result.stdout, /already installed/);
  });

  it("is not ready when the packages did not provide their tools", () => {
    const result = fakeHost(UBUNTU).run({ FAKE_PACKAGES_INSTALLED: "1" });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /iscsiadm is missing/);
  });

  it("Amazon Linux 2023: dnf installs iscsi-initiator-utils + nfs-utils and an initiator name is generated", () => {
    const host = fakeHost(AMAZON_LINUX);
    const result = host.run();
    assert.equal(result.status, 0, result.stderr);
    assert.ok(
      result.calls.includes("dnf install -y -q iscsi-initiator-utils nfs-utils"),
      result.calls.join("\n"),
    );
    assert.equal(
      readFileSync(join(host.root, "etc", "iscsi", "initiatorname.iscsi"), "utf8"),
      "InitiatorName=iqn.2004-10.com.example:fake0001\n",
    );
  });

  it("RHEL family without dnf falls back to yum and keeps an existing initiator name", () => {
    const host = fakeHost(ROCKY, ["dnf"]);
    mkdirSync(join(host.root, "etc", "iscsi"), { recursive: true });
    writeFileSync(join(host.root, "etc", "iscsi", "initiatorname.iscsi"), "InitiatorName=iqn.keep:me\n");
    const result = host.run();
    assert.equal(result.status, 0, result.stderr);
    assert.ok(result.calls.includes("yum install -y -q iscsi-initiator-utils nfs-utils"));
    assert.ok(!result.calls.includes("iscsi-iname "));
    assert.equal(
      readFileSync(join(host.root, "etc", "iscsi", "initiatorname.iscsi"), "utf8"),
      "InitiatorName=iqn.keep:me\n",
    );
  });

  it("an unsupported OS fails with its name and the supported list", () => {
    const result = fakeHost("ID=alpine\nVERSION_ID=3.20\n").run();
    assert.equal(result.status, 1);
    assert.match(result.stderr, /unsupported host OS \(ID=alpine/);
    assert.match(result.stderr, /supported: Debian\/Ubuntu, RHEL family, Amazon Linux, SUSE/);
  });

  it("is not ready while iscsid is not running", () => {
    const result = fakeHost(UBUNTU).run({ FAKE_ISCSID_ACTIVE: "0" });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /iscsid is not running/);
  });

  it("fails when the host has no os-release", () => {
    const host = fakeHost(UBUNTU);
    rmSync(join(host.root, "etc", "os-release"));
    const result = host.run();
    assert.equal(result.status, 1);
    assert.match(result.stderr, /cannot read \/etc\/os-release/);
  });
});
