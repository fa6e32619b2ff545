// Storage fencing for real (tier 3): components/storage/iscsi/iscsi-fence.sh against a private tgtd that
// components/storage/iscsi/iscsi-target.sh provisioned, while a libiscsi writer (tests/helpers/
// iscsi-writer.py) keeps writing numbered blocks through an open session. Proves what the fence agent
// relies on before it lets Kubernetes move a volume: once `fence` returns, the target holds no session
// from the address and refuses its logins, no block written after that reached the LUN's file, every
// acknowledged block did; the fence survives a re-provisioning and a tgt restart; unfence restores
// access. Not proven here: the kernel initiator (open-iscsi) of a real node (the real-node tier does).
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { PrivateTgtd, secret, unavailable } from "./helpers/tgtd";

const DIR = resolve(__dirname, "..", "components", "storage", "iscsi");
const FENCE = join(DIR, "iscsi-fence.sh");
const TARGET = join(DIR, "iscsi-target.sh");
const WRITER = join(__dirname, "helpers", "iscsi-writer.py");
const IQN = "iqn.2026-11.io.hadb.test:fence";
const NODE = "127.0.0.1";
const OTHER_NODE = "127.0.0.2";
const FIRST_LBA = 100;
const inCI = process.env.CI === "true";

function run(script: string, args: string[], env: Record<string, string>) {
  return spawnSync("bash", [script, ...args], {
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin", ...env },
    timeout: 60_000,
  });
}

describe("iscsi-fence.sh: static checks and bad input", () => {
  it("passes shellcheck and bash -n", (t) => {
    const reason = unavailable(["shellcheck"], false);
    if (reason) {
      if (inCI) assert.fail(reason);
      t.skip(reason);
      return;
    }
    const lint = spawnSync("shellcheck", ["-s", "bash", FENCE], { encoding: "utf8" });
    assert.equal(lint.status, 0, lint.stdout);
    assert.equal(spawnSync("bash", ["-n", FENCE]).status, 0);
  });
  const env = { HADB_TARGET_IQN: IQN, HADB_FENCE_DIR: "/nonexistent/hadb-fence-validation-only" };
  const cases: [string, string[], Record<string, string>, RegExp][] = [
    ["no action", [], env, /usage: iscsi-fence\.sh fence <address> <node> <boot-id>/],
    ["an unknown action", ["release", NODE], env, /usage:/],
    ["fence without a boot ID", ["fence", NODE, "node-1"], env, /usage:/],
    [
      "a host name for an address",
      ["fence", "node-1", "node-1", "b"],
      env,
      /"node-1" is not an IPv4 address/,
    ],
    ["an address out of range", ["unfence", "10.0.0.256"], env, /"10\.0\.0\.256" is not an IPv4 address/],
    ["a bad node name", ["fence", NODE, "Node_1", "b"], env, /"Node_1" is not a Kubernetes node name/],
    ["a bad boot ID", ["fence", NODE, "node-1", "a b"], env, /"a b" is not a boot ID/],
    ["no target", ["fence", NODE, "node-1", "b"], { HADB_FENCE_DIR: env.HADB_FENCE_DIR }, /IQN is required/],
    ["a relative state dir", ["unfence", NODE], { ...env, HADB_FENCE_DIR: "fence" }, /HADB_FENCE_DIR/],
    ["a drain time of 0", ["unfence", NODE], { ...env, HADB_FENCE_DRAIN_SECONDS: "0" }, /1 to 600/],
  ];
  for (const [why, args, environment, message] of cases) {
    it(`${why}: exit 2, nothing touched`, () => {
      const result = run(FENCE, args, environment);
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, message);
    });
  }
});

interface WriteRecord {
  seq: number;
  start: number;
  end: number;
  ok: boolean;
}

describe("iscsi-fence.sh against a real tgtd, with a writer holding a session", () => {
  const reason = unavailable(["tgtd", "tgtadm", "tgt-admin", "iscsi-inq", "python3"], true);
  if (reason) {
    it("has tgt, libiscsi-bin and python3", (t) => {
      if (inCI) assert.fail(reason);
      t.skip(reason);
    });
    return;
  }
  let work = "";
  let tgtd: PrivateTgtd;
  const chap = { user: "hadb", password: secret() };
  let env: Record<string, string> = {};

  const provision = () => run(TARGET, [], env);
  const fence = (...args: string[]) => run(FENCE, args, env);
  const targetShow = () => tgtd.tgtadm("--lld", "iscsi", "--op", "show", "--mode", "target").stdout;
  const acl = () => targetShow().split("ACL information:")[1]?.trim().split(/\s+/) ?? [];
  const conf = () => readFileSync(env.HADB_TGT_CONF ?? "", "utf8");
  /** A fresh login from this machine's initiator (127.0.0.1): exit 0 when the target lets it in. */
  const login = () =>
    spawnSync("iscsi-inq", [`iscsi://${tgtd.portal}/${IQN}/1`], {
      encoding: "utf8",
      timeout: 15_000,
      env: {
        PATH: process.env.PATH,
        LIBISCSI_CHAP_USERNAME: chap.user,
        LIBISCSI_CHAP_PASSWORD: chap.password,
      },
    });
  /** The sequence numbers the writer's blocks carry in the LUN's backing file. */
  function sequencesOnDisk(count: number): number[] {
    const fd = openSync(join(work, "luns", "lun-1.img"), "r");
    try {
      const found: number[] = [];
      const block = Buffer.alloc(512);
      for (let lba = FIRST_LBA + 1; lba <= FIRST_LBA + count; lba++) {
        readSync(fd, block, 0, 512, lba * 512);
        const match = /^hadb-fence-test seq=(\d+)/.exec(block.toString("latin1"));
        if (match) found.push(Number(match[1]));
      }
      return found;
    } finally {
      closeSync(fd);
    }
  }

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "hadb-fence-"));
    tgtd = await PrivateTgtd.create();
    await tgtd.start();
    env = {
      HADB_TARGET_IQN: IQN,
      HADB_LUN_SIZES: "16M",
      HADB_PORTAL: tgtd.portal,
      HADB_BACKING_DIR: join(work, "luns"),
      HADB_CHAP_USER: chap.user,
      HADB_CHAP_PASSWORD: chap.password,
      // One address per node, as the lab's target lists them: each can be refused alone.
      HADB_INITIATOR_CIDRS: `${NODE} ${OTHER_NODE}`,
      HADB_TGT_START: "0",
      HADB_TGT_CONTROL_PORT: String(tgtd.controlPort),
      HADB_TGT_CONF: join(work, "hadb.conf"),
      HADB_FENCE_DIR: join(work, "fence"),
    };
    const provisioned = provision();
    assert.equal(provisioned.status, 0, provisioned.stderr);
  });
  after(async () => {
    await tgtd.remove();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("fence: the open session is closed, later writes fail, none reaches the LUN, every acknowledged one did", async () => {
    const writer = spawn("python3", [WRITER], {
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        PATH: process.env.PATH,
        T_INITIATOR: "iqn.2026-11.io.hadb.test:node-1",
        T_IQN: IQN,
        T_USER: chap.user,
        T_PASSWORD: chap.password,
        T_PORTAL: tgtd.portal,
        T_LUN: "1",
        W_FIRST_LBA: String(FIRST_LBA),
        W_INTERVAL_MS: "20",
        W_SECONDS: "8",
      },
    });
    let output = "";
    let errors = "";
    writer.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    writer.stderr.on("data", (chunk: Buffer) => (errors += chunk.toString()));
    const exited = new Promise<number | null>((done) => writer.once("exit", done));
    const acknowledged = () => output.split("\n").filter((line) => line.endsWith(" ok")).length;
    for (let i = 0; i < 150 && acknowledged() < 20 && writer.exitCode === null; i++)
      await new Promise((done) => setTimeout(done, 100));
    assert.ok(acknowledged() >= 20, `the writer did not get going: ${output}${errors}`);
    assert.match(targetShow(), new RegExp(`IP Address: ${NODE.replace(/\./g, "\\.")}`));

    const fenced = fence("fence", NODE, "node-1", "boot-1");
    const fencedAt = Date.now();
    assert.equal(fenced.status, 0, fenced.stderr);
    assert.match(
      fenced.stdout,
      /fenced 127\.0\.0\.1 \(node node-1, boot boot-1\): not in the ACL .* no session left/,
    );
    assert.equal(await exited, 0, errors);

    const writes: WriteRecord[] = output
      .split("\n")
      .filter((line) => /^\d+ /.test(line))
      .map((line) => {
        const [seq, start, end, status] = line.split(" ");
        return { seq: Number(seq), start: Number(start), end: Number(end), ok: status === "ok" };
      });
    const acked = writes.filter((w) => w.ok);
    // Once fence returned, every write failed; the writer kept trying for seconds after.
    const afterFence = writes.filter((w) => w.start > fencedAt);
    assert.ok(afterFence.length > 10, `only ${afterFence.length} writes tried after the fence`);
    assert.deepEqual(
      afterFence.filter((w) => w.ok),
      [],
      "a write succeeded after the fence",
    );
    // On the LUN: every acknowledged block, and nothing the writer sent after the fence.
    const onDisk = sequencesOnDisk(writes.length);
    for (const write of acked)
      assert.ok(onDisk.includes(write.seq), `acknowledged block ${write.seq} is missing`);
    const lastStartedBefore = Math.max(...writes.filter((w) => w.start <= fencedAt).map((w) => w.seq));
    assert.ok(
      Math.max(...onDisk) <= lastStartedBefore,
      `block ${Math.max(...onDisk)} was written after the fence`,
    );

    assert.doesNotMatch(targetShow(), /IP Address: 127\.0\.0\.1\b/);
    assert.deepEqual(acl(), [OTHER_NODE], "only the other node stays allowed");
    assert.doesNotMatch(conf(), /initiator-address 127\.0\.0\.1$/m);
    assert.match(conf(), /initiator-address 127\.0\.0\.2$/m);
    assert.notEqual(login().status, 0, "a new login from the fenced address was accepted");
    const listed = fence("list");
    assert.equal(listed.status, 0, listed.stderr);
    assert.deepEqual(
      listed.stdout
        .trim()
        .split("\n")
        .map((line) => {
          const { address, node, bootId } = JSON.parse(line) as Record<string, string>;
          return { address, node, bootId };
        }),
      [{ address: NODE, node: "node-1", bootId: "boot-1" }],
    );
  });

  it("fencing again is harmless and keeps the first record", () => {
    const again = fence("fence", NODE, "node-1", "boot-2");
    assert.equal(again.status, 0, again.stderr);
    assert.match(fence("list").stdout, /"bootId":"boot-1"/);
  });

  it("a re-provisioning (iscsi-target.sh) does not let the fenced address back in", () => {
    const rerun = provision();
    assert.equal(rerun.status, 0, rerun.stderr);
    assert.match(rerun.stdout, /initiators from 127\.0\.0\.2; fenced \(iscsi-fence\.sh\): 127\.0\.0\.1/);
    assert.match(rerun.stdout, /no changes$/m);
    assert.deepEqual(acl(), [OTHER_NODE]);
    assert.notEqual(login().status, 0);
  });

  it("a tgt restart (tgt-admin loading the config file) does not either", async () => {
    await tgtd.stop();
    await tgtd.start();
    const load = spawnSync(
      "tgt-admin",
      ["-e", "-c", env.HADB_TGT_CONF ?? "", "-C", String(tgtd.controlPort)],
      {
        encoding: "utf8",
      },
    );
    assert.equal(load.status, 0, load.stdout + load.stderr);
    assert.deepEqual(acl(), [OTHER_NODE]);
    assert.notEqual(login().status, 0);
  });

  it("unfence: the address logs in again, the record is gone, a re-provisioning keeps it allowed", () => {
    const unfenced = fence("unfence", NODE);
    assert.equal(unfenced.status, 0, unfenced.stderr);
    assert.match(unfenced.stdout, /unfenced 127\.0\.0\.1: back in the ACL/);
    assert.deepEqual(acl().sort(), [NODE, OTHER_NODE]);
    assert.match(conf(), /initiator-address 127\.0\.0\.1$/m);
    assert.equal(login().status, 0, login().stderr);
    assert.equal(fence("list").stdout, "");
    const rerun = provision();
    assert.equal(rerun.status, 0, rerun.stderr);
    assert.match(rerun.stdout, /no changes$/m);
  });

  it("an address outside the wanted ACL stays out when unfenced", () => {
    assert.equal(fence("fence", "127.0.0.3", "node-3", "boot-1").status, 0);
    const unfenced = fence("unfence", "127.0.0.3");
    assert.equal(unfenced.status, 0, unfenced.stderr);
    assert.match(unfenced.stdout, /not one of HADB_INITIATOR_CIDRS, so it stays out of the ACL/);
    assert.deepEqual(acl().sort(), [NODE, OTHER_NODE]);
  });

  it("refuses to fence an address the ACL admits through a network, and records nothing", () => {
    const network = { ...env, HADB_INITIATOR_CIDRS: "127.0.0.0/8" };
    assert.equal(run(TARGET, [], network).status, 0);
    const refused = run(FENCE, ["fence", NODE, "node-1", "boot-1"], network);
    assert.equal(refused.status, 1);
    assert.match(
      refused.stderr,
      /127\.0\.0\.1 logs in through the ACL entry 127\.0\.0\.0\/8: it cannot be refused alone/,
    );
    assert.equal(fence("list").stdout, "");
    assert.equal(login().status, 0);
  });
});
