// Real iSCSI (tier 3): components/storage/iscsi/iscsi-target.sh provisions a private tgtd on loopback,
// then libiscsi, a real initiator, logs in with the generated CHAP credentials: reads each LUN's
// capacity, writes a block and reads it back, and is refused with a wrong secret or none. tgt is the
// target because LIO needs the kernel's configfs, which this machine lacks; the same script provisions
// the lab's target VM. What this does not prove: the kernel initiator (open-iscsi) that Kubernetes
// nodes use, and the script's systemd path (HADB_TGT_START=1), which needs the VM.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  closeSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { PrivateTgtd, secret, unavailable } from "./helpers/tgtd";

const DIR = resolve(__dirname, "..", "components", "storage", "iscsi");
const SCRIPT = join(DIR, "iscsi-target.sh");
const INSTALLER = join(DIR, "install-test-deps.sh");
const IQN = "iqn.2026-11.io.hadb.test:databases";
const INITIATOR = "iqn.2026-11.io.hadb.test:node-1";
const MIB = 1024 * 1024;

const inCI = process.env.CI === "true";

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the script with only the given environment (plus PATH): nothing leaks in from the caller's. */
function runScript(env: Record<string, string>): Run {
  const result = spawnSync("bash", [SCRIPT], {
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin", ...env },
    timeout: 30_000,
  });
  const run = { status: result.status, stdout: result.stdout, stderr: result.stderr };
  // Every run, whatever its outcome: no secret is ever printed.
  for (const [key, value] of Object.entries(env)) {
    if (key.endsWith("PASSWORD") && value.length > 0) {
      assert.ok(!run.stdout.includes(value) && !run.stderr.includes(value), `${key} was printed`);
    }
  }
  return run;
}

describe("iSCSI scripts: static checks", () => {
  const reason = unavailable(["shellcheck"], false);
  for (const script of [SCRIPT, INSTALLER]) {
    it(`${script.slice(DIR.length + 1)} passes shellcheck`, (t) => {
      if (reason) {
        if (inCI) assert.fail(reason);
        t.skip(reason);
        return;
      }
      const result = spawnSync("shellcheck", ["-s", "bash", script], { encoding: "utf8" });
      assert.equal(result.status, 0, result.stdout);
    });
    it(`${script.slice(DIR.length + 1)} passes bash -n`, () => {
      const result = spawnSync("bash", ["-n", script], { encoding: "utf8" });
      assert.equal(result.status, 0, result.stderr);
    });
  }
  it("the script never traces (set -x would print the CHAP secrets)", () => {
    const text = readFileSync(SCRIPT, "utf8");
    assert.doesNotMatch(text, /^\s*set\s+-[a-z]*x/m);
    assert.match(text, /^set \+x/m);
  });
});

describe("iscsi-target.sh rejects bad input before touching anything", () => {
  const good: Record<string, string> = {
    HADB_TARGET_IQN: IQN,
    HADB_LUN_SIZES: "10G 20G",
    HADB_CHAP_USER: "hadb",
    HADB_CHAP_PASSWORD: "abcdefghijklmnop",
    HADB_INITIATOR_CIDRS: "192.168.56.0/24",
    // A backing dir and config that must stay untouched: validation fails first.
    HADB_BACKING_DIR: "/nonexistent/hadb-validation-only",
    HADB_TGT_CONF: "/nonexistent/hadb-validation-only.conf",
  };
  const cases: [string, Record<string, string>, RegExp][] = [
    ["missing IQN", { HADB_TARGET_IQN: "" }, /HADB_TARGET_IQN is required/],
    [
      "malformed IQN",
      { HADB_TARGET_IQN: "iqn.2026-13.Example:db" },
      /HADB_TARGET_IQN="iqn\.2026-13\.Example:db" is not an iSCSI qualified name/,
    ],
    ["IQN with a space", { HADB_TARGET_IQN: "iqn.2026-11.io.hadb:a b" }, /is not an iSCSI qualified name/],
    ["zero LUNs", { HADB_LUN_SIZES: " " }, /HADB_LUN_SIZES is empty/],
    ["a size without a unit", { HADB_LUN_SIZES: "10G 1024" }, /entry "1024" is not a size/],
    ["a zero size", { HADB_LUN_SIZES: "0G" }, /entry "0G" is not a size/],
    ["a size over 16T", { HADB_LUN_SIZES: "17T" }, /entry "17T" is not a size/],
    ["no CHAP user", { HADB_CHAP_USER: "" }, /HADB_CHAP_USER is required/],
    ["no CHAP secret", { HADB_CHAP_PASSWORD: "" }, /HADB_CHAP_PASSWORD is required/],
    [
      "a CHAP secret under 12 characters",
      { HADB_CHAP_PASSWORD: "short123" },
      /HADB_CHAP_PASSWORD \(8 characters, not shown\) must be 12\.\.255/,
    ],
    [
      "a CHAP secret tgt-admin would cut at '#'",
      { HADB_CHAP_PASSWORD: "abcdef#ghijklmn" },
      /must be 12\.\.255 characters of \[A-Za-z0-9\._-\]/,
    ],
    [
      "mutual CHAP reusing the initiator secret",
      { HADB_CHAP_MUTUAL_USER: "target", HADB_CHAP_MUTUAL_PASSWORD: "abcdefghijklmnop" },
      /RFC 3720 8\.2\.1/,
    ],
    [
      "mutual CHAP without its secret",
      { HADB_CHAP_MUTUAL_USER: "target" },
      /HADB_CHAP_MUTUAL_PASSWORD is required/,
    ],
    [
      "discovery user = session user with another secret",
      { HADB_CHAP_DISCOVERY_USER: "hadb", HADB_CHAP_DISCOVERY_PASSWORD: "qrstuvwxyz0123" },
      /tgt keeps one secret per user name/,
    ],
    ["no initiator network", { HADB_INITIATOR_CIDRS: "" }, /HADB_INITIATOR_CIDRS is required/],
    ["the whole internet", { HADB_INITIATOR_CIDRS: "0.0.0.0/0" }, /would let any address log in/],
    ["ALL", { HADB_INITIATOR_CIDRS: "ALL" }, /would let any address log in/],
    [
      "a network with host bits (tgt never matches it)",
      { HADB_INITIATOR_CIDRS: "192.168.56.10/24" },
      /has host bits set.*192\.168\.56\.0\/24/,
    ],
    ["a malformed address", { HADB_INITIATOR_CIDRS: "192.168.300.0/24" }, /must be an IPv4 address or CIDR/],
    [
      "an initiator-name ACL (tgt would admit that name from any address)",
      { HADB_INITIATOR_NAMES: INITIATOR },
      /HADB_INITIATOR_NAMES is not supported: tgt admits an initiator whose address OR name is listed/,
    ],
    [
      "a portal without a port",
      { HADB_PORTAL: "10.0.0.5" },
      /HADB_PORTAL="10\.0\.0\.5" must be IPv4address:port/,
    ],
    ["a portal port out of range", { HADB_PORTAL: "10.0.0.5:70000" }, /HADB_PORTAL="10\.0\.0\.5:70000"/],
    [
      "a relative backing dir",
      { HADB_BACKING_DIR: "data/luns" },
      /HADB_BACKING_DIR="data\/luns" must be an absolute path/,
    ],
    ["HADB_TGT_START=yes", { HADB_TGT_START: "yes" }, /HADB_TGT_START="yes" must be 1/],
    [
      "a private control port with the service",
      { HADB_TGT_START: "1", HADB_TGT_CONTROL_PORT: "4000" },
      /needs HADB_TGT_START=0/,
    ],
  ];
  for (const [name, change, message] of cases) {
    it(`${name}: exit 2 and says so`, () => {
      const env = Object.fromEntries(
        Object.entries({ ...good, ...change }).filter(([, value]) => value !== ""),
      );
      const result = runScript(env);
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.equal(existsSync(good.HADB_BACKING_DIR ?? ""), false);
    });
  }

  it("reports every problem at once, one line each", () => {
    const result = runScript({
      ...good,
      HADB_TARGET_IQN: "bad",
      HADB_LUN_SIZES: "5X",
      HADB_INITIATOR_CIDRS: "ALL",
    });
    assert.equal(result.status, 2);
    assert.equal(result.stderr.trim().split("\n").length, 3, result.stderr);
  });
});

// --- the real thing --------------------------------------------------------------------------------

const TOOLS = ["tgtd", "tgtadm", "tgt-admin", "iscsi-ls", "iscsi-readcapacity16", "python3"];

/** One block written and read back through libiscsi (tests/helpers/iscsi-block-io.py). */
const BLOCK_IO = join(__dirname, "helpers", "iscsi-block-io.py");

interface Creds {
  user?: string;
  password?: string;
  mutualUser?: string;
  mutualPassword?: string;
}

describe("iscsi-target.sh against a real tgtd, with libiscsi as the initiator", () => {
  const reason = unavailable(TOOLS, true);
  if (reason) {
    it("has tgt and libiscsi-bin", (t) => {
      if (inCI) assert.fail(reason);
      t.skip(reason);
    });
    return;
  }

  let work = "";
  let tgtd: PrivateTgtd;
  let controlPort = 0;
  let port = 0;
  const session = { user: `hadb-${randomBytes(4).toString("hex")}`, password: secret() };
  let portal = "";
  let env: Record<string, string> = {};

  const tgtadm = (...args: string[]) => tgtd.tgtadm(...args);
  const startTgtd = () => tgtd.start();
  const stopTgtd = () => tgtd.stop();

  function scriptEnv(extra: Record<string, string> = {}): Record<string, string> {
    return { ...env, ...extra };
  }

  /** Environment for libiscsi's CLI tools: credentials through LIBISCSI_CHAP_*, not the URL. */
  function libiscsiEnv(creds: Creds): NodeJS.ProcessEnv {
    const out: NodeJS.ProcessEnv = { PATH: process.env.PATH };
    if (creds.user) out.LIBISCSI_CHAP_USERNAME = creds.user;
    if (creds.password) out.LIBISCSI_CHAP_PASSWORD = creds.password;
    if (creds.mutualUser) out.LIBISCSI_CHAP_TARGET_USERNAME = creds.mutualUser;
    if (creds.mutualPassword) out.LIBISCSI_CHAP_TARGET_PASSWORD = creds.mutualPassword;
    return out;
  }

  function readCapacity(lun: number, creds: Creds) {
    return spawnSync("iscsi-readcapacity16", ["-s", `iscsi://${portal}/${IQN}/${lun}`], {
      encoding: "utf8",
      env: libiscsiEnv(creds),
      timeout: 15_000,
    });
  }

  function discover(creds: Creds, showLuns = false) {
    return spawnSync("iscsi-ls", [...(showLuns ? ["-s"] : []), `iscsi://${portal}`], {
      encoding: "utf8",
      env: libiscsiEnv(creds),
      timeout: 15_000,
    });
  }

  function blockIo(
    lun: number,
    lba: number,
    creds: Creds,
    options: { write?: Buffer; initiator?: string } = {},
  ) {
    return spawnSync("python3", [BLOCK_IO], {
      encoding: "utf8",
      timeout: 15_000,
      env: {
        PATH: process.env.PATH,
        T_INITIATOR: options.initiator ?? INITIATOR,
        T_IQN: IQN,
        T_PORTAL: portal,
        T_LUN: String(lun),
        T_LBA: String(lba),
        T_USER: creds.user ?? "",
        T_PASSWORD: creds.password ?? "",
        T_MUTUAL_USER: creds.mutualUser ?? "",
        T_MUTUAL_PASSWORD: creds.mutualPassword ?? "",
        T_WRITE_HEX: options.write?.toString("hex") ?? "",
      },
    });
  }

  function backingBlock(lun: number, lba: number): Buffer {
    const fd = openSync(join(work, "luns", `lun-${lun}.img`), "r");
    try {
      const buffer = Buffer.alloc(512);
      readSync(fd, buffer, 0, 512, lba * 512);
      return buffer;
    } finally {
      closeSync(fd);
    }
  }

  function assertRefused(result: { status: number | null; stderr: string }, why: RegExp): void {
    assert.notEqual(result.status, 0, "the login was accepted");
    assert.match(result.stderr, why);
  }
  const AUTH_FAILED = /Authentication failure/;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "hadb-iscsi-"));
    tgtd = await PrivateTgtd.create();
    portal = tgtd.portal;
    port = Number(portal.split(":")[1]);
    controlPort = tgtd.controlPort;
    env = {
      HADB_TARGET_IQN: IQN,
      HADB_LUN_SIZES: "64M 32M",
      HADB_PORTAL: portal,
      HADB_BACKING_DIR: join(work, "luns"),
      HADB_CHAP_USER: session.user,
      HADB_CHAP_PASSWORD: session.password,
      HADB_INITIATOR_CIDRS: "127.0.0.0/8",
      HADB_TGT_START: "0",
      HADB_TGT_CONTROL_PORT: String(controlPort),
      HADB_TGT_CONF: join(work, "tgt", "hadb.conf"),
    };
    await startTgtd();
  });

  after(async () => {
    await tgtd.remove();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("provisions LUN 1..N at the requested sizes behind CHAP (LUN 0 is tgt's controller)", () => {
    const result = runScript(scriptEnv());
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /created target iqn\.2026-11\.io\.hadb\.test:databases/);
    assert.match(result.stdout, /change\(s\) applied/);
    assert.equal(readCapacity(1, session).stdout.trim(), String(64 * MIB));
    assert.equal(readCapacity(2, session).stdout.trim(), String(32 * MIB));
    const listing = discover(session, true);
    assert.equal(listing.status, 0, listing.stderr);
    assert.match(listing.stdout, /Lun:0\s+Type:STORAGE_ARRAY_CONTROLLER/);
    assert.match(listing.stdout, /Lun:1\s+Type:DIRECT_ACCESS/);
    assert.match(listing.stdout, /Lun:2\s+Type:DIRECT_ACCESS/);
    assert.doesNotMatch(listing.stdout, /Lun:3/);
    // Sparse backing files, and a root-only config that holds the secrets.
    assert.ok(statSync(join(work, "luns", "lun-1.img")).blocks * 512 < MIB);
    assert.equal(statSync(env.HADB_TGT_CONF ?? "").mode & 0o777, 0o600);
  });

  it("a block written through the initiator reads back identical, in a new session, from LUN 2's file", () => {
    const block = randomBytes(512);
    const written = blockIo(2, 9, session, { write: block });
    assert.equal(written.status, 0, written.stderr);
    assert.equal(written.stdout.trim(), block.toString("hex"));
    const read = blockIo(2, 9, session);
    assert.equal(read.status, 0, read.stderr);
    assert.equal(read.stdout.trim(), block.toString("hex"));
    assert.ok(backingBlock(2, 9).equals(block), "the block is not in lun-2.img at offset 9 * 512");
  });

  it("a wrong secret is refused", () => {
    const wrong = { user: session.user, password: secret() };
    assertRefused(readCapacity(1, wrong), AUTH_FAILED);
    assertRefused(blockIo(1, 0, wrong), AUTH_FAILED);
  });

  it("no credentials are refused", () => {
    assertRefused(readCapacity(1, {}), AUTH_FAILED);
    assertRefused(blockIo(1, 0, {}), AUTH_FAILED);
  });

  it("discovery needs CHAP too (tgt enforces discovery CHAP), and lists the target only with it", () => {
    assertRefused(discover({}), AUTH_FAILED);
    assertRefused(discover({ user: session.user, password: secret() }), AUTH_FAILED);
    const listing = discover(session);
    assert.equal(listing.status, 0, listing.stderr);
    assert.match(listing.stdout, new RegExp(`Target:${IQN.replace(/\./g, "\\.")} Portal:${portal},1`));
  });

  it("re-running with the same inputs changes nothing", () => {
    const conf = readFileSync(env.HADB_TGT_CONF ?? "", "utf8");
    const before = tgtadm("--lld", "iscsi", "--op", "show", "--mode", "target").stdout;
    const result = runScript(scriptEnv());
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /no changes$/m);
    assert.doesNotMatch(result.stdout, /change\(s\) applied/);
    assert.equal(readFileSync(env.HADB_TGT_CONF ?? "", "utf8"), conf);
    assert.equal(tgtadm("--lld", "iscsi", "--op", "show", "--mode", "target").stdout, before);
  });

  it("mutual CHAP and a separate discovery account: each side checked, the old accounts gone", () => {
    const mutual = { mutualUser: "hadb-target", mutualPassword: secret() };
    const discovery = { user: "hadb-discovery", password: secret() };
    const result = runScript(
      scriptEnv({
        HADB_CHAP_MUTUAL_USER: mutual.mutualUser,
        HADB_CHAP_MUTUAL_PASSWORD: mutual.mutualPassword,
        HADB_CHAP_DISCOVERY_USER: discovery.user,
        HADB_CHAP_DISCOVERY_PASSWORD: discovery.password,
      }),
    );
    assert.equal(result.status, 0, result.stderr);
    assert.equal(readCapacity(1, { ...session, ...mutual }).status, 0);
    // The target proves itself with its own secret: an initiator expecting another one hangs up.
    assertRefused(
      readCapacity(1, { ...session, mutualUser: mutual.mutualUser, mutualPassword: secret() }),
      /CHAP|fail/i,
    );
    assert.equal(discover({ ...discovery, ...mutual }).status, 0);
    assertRefused(discover(session), AUTH_FAILED);
    assertRefused(readCapacity(1, discovery), AUTH_FAILED);
    // Back to the defaults (discovery with the session account, no mutual CHAP): nothing left behind.
    const back = runScript(scriptEnv());
    assert.equal(back.status, 0, back.stderr);
    assert.match(back.stdout, /CHAP account hadb-discovery: deleted/);
    assert.match(back.stdout, /CHAP account hadb-target: deleted/);
    assertRefused(discover(discovery), AUTH_FAILED);
    assert.equal(discover(session).status, 0);
  });

  it("a changed secret replaces the old one; tgtd stays healthy (tgt 1.0.85 unbind bug avoided)", () => {
    const rotated = { user: session.user, password: secret() };
    const result = runScript(scriptEnv({ HADB_CHAP_PASSWORD: rotated.password }));
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`CHAP account ${session.user}: secret replaced`));
    assertRefused(readCapacity(1, session), AUTH_FAILED);
    assert.equal(readCapacity(1, rotated).stdout.trim(), String(64 * MIB));
    const shown = tgtadm("--lld", "iscsi", "--op", "show", "--mode", "target");
    assert.equal(shown.status, 0, `tgtd died: ${tgtd.log}`);
    assert.doesNotMatch(shown.stdout, /hadb-guard/);
    // ...and back, so the remaining tests use the session credentials.
    assert.equal(runScript(scriptEnv()).status, 0);
    assert.equal(readCapacity(1, session).status, 0);
  });

  it("the address ACL refuses initiators outside the allowed network, and hides the target from them", () => {
    const elsewhere = runScript(scriptEnv({ HADB_INITIATOR_CIDRS: "10.0.0.0/8" }));
    assert.equal(elsewhere.status, 0, elsewhere.stderr);
    assertRefused(readCapacity(1, session), /Target not found/);
    const hidden = discover(session);
    assert.equal(hidden.status, 0, hidden.stderr);
    assert.doesNotMatch(hidden.stdout, /Target:/);
    // tgt admits an initiator whose address OR name is listed: a name entry added by hand lets that
    // name in from outside the network, so the script removes it. (tid 1: the private tgtd's only target.)
    const bind = tgtadm("--lld", "iscsi", "--op", "bind", "--mode", "target", "--tid", "1", "-Q", INITIATOR);
    assert.equal(bind.status, 0, bind.stderr);
    assert.equal(blockIo(1, 0, session).status, 0, "tgt no longer ORs name and address ACLs");
    const cleaned = runScript(scriptEnv({ HADB_INITIATOR_CIDRS: "10.0.0.0/8" }));
    assert.equal(cleaned.status, 0, cleaned.stderr);
    assert.match(cleaned.stdout, new RegExp(`ACL: ${INITIATOR.replace(/\./g, "\\.")} removed`));
    assertRefused(blockIo(1, 0, session), /Target not found/);
    assert.equal(runScript(scriptEnv()).status, 0);
    assert.equal(readCapacity(1, session).status, 0);
  });

  it("grows a LUN in place, but never shrinks or drops one", () => {
    const grown = runScript(scriptEnv({ HADB_LUN_SIZES: "64M 48M" }));
    assert.equal(grown.status, 0, grown.stderr);
    assert.equal(readCapacity(2, session).stdout.trim(), String(48 * MIB));
    const conf = readFileSync(env.HADB_TGT_CONF ?? "", "utf8");
    const shrink = runScript(scriptEnv({ HADB_LUN_SIZES: "64M 32M" }));
    assert.equal(shrink.status, 1);
    assert.match(shrink.stderr, /refusing to shrink/);
    const drop = runScript(scriptEnv({ HADB_LUN_SIZES: "64M" }));
    assert.equal(drop.status, 1);
    assert.match(drop.stderr, /hadb never removes a LUN/);
    // A refused run leaves the persistent config as it was.
    assert.equal(readFileSync(env.HADB_TGT_CONF ?? "", "utf8"), conf);
    assert.equal(readCapacity(2, session).stdout.trim(), String(48 * MIB));
    env.HADB_LUN_SIZES = "64M 48M";
  });

  it("survives a tgt restart: tgt-admin loads the written config, data and credentials intact", async () => {
    const block = backingBlock(2, 9);
    await stopTgtd();
    await startTgtd();
    assert.doesNotMatch(tgtadm("--lld", "iscsi", "--op", "show", "--mode", "target").stdout, /Target/);
    // What tgt.service runs after starting tgtd.
    const load = spawnSync("tgt-admin", ["-e", "-c", env.HADB_TGT_CONF ?? "", "-C", String(controlPort)], {
      encoding: "utf8",
    });
    assert.equal(load.status, 0, load.stdout + load.stderr);
    const read = blockIo(2, 9, session);
    assert.equal(read.status, 0, read.stderr);
    assert.equal(read.stdout.trim(), block.toString("hex"));
    assert.equal(readCapacity(2, session).stdout.trim(), String(48 * MIB));
    assertRefused(readCapacity(1, {}), AUTH_FAILED);
    assertRefused(discover({}), AUTH_FAILED);
    const rerun = runScript(scriptEnv());
    assert.equal(rerun.status, 0, rerun.stderr);
    assert.match(rerun.stdout, /no changes$/m);
  });

  it("fails clearly when tgtd is not where it was said to be", () => {
    const wrongPortal = runScript(scriptEnv({ HADB_PORTAL: `127.0.0.1:${port === 65535 ? 1 : port + 1}` }));
    assert.equal(wrongPortal.status, 1);
    assert.match(wrongPortal.stderr, /tgtd does not listen on 127\.0\.0\.1:\d+; it listens on: 127\.0\.0\.1/);
    const noDaemon = runScript(scriptEnv({ HADB_TGT_CONTROL_PORT: String(controlPort + 1) }));
    assert.equal(noDaemon.status, 1);
    assert.match(noDaemon.stderr, /no tgtd answers on control port/);
  });
});
