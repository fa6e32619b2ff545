// The copy Job's own script (components/protection/copy.ts, the shell the restic container runs) run
// for real with restic built from the pinned version (components/protection/install-test-deps.sh)
// against a local repository: initialises once, never over an existing repository, backs up the data,
// keeps the newest HADB_KEEP copies, restores what was written. Object stores are not reachable here:
// the S3/GCS/Azure backends are restic's, unchanged.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { RESTIC_IMAGE, RESTIC_SCRIPT } from "../components/protection/copy";
import { TOOLS_BIN } from "../test/tools-bin";

const RESTIC = join(TOOLS_BIN, "restic");
const PINNED = RESTIC_IMAGE.split(":")[1] ?? "";

function resticMissing(): string | false {
  const version = existsSync(RESTIC) ? spawnSync(RESTIC, ["version"], { encoding: "utf8" }).stdout : "";
  if (version.includes(`restic ${PINNED} `)) return false;
  // CI builds it (.ci/run); locally a missing tool is a skip, never a pass.
  if (process.env.CI === "true") assert.fail(`restic ${PINNED} is required in CI (.ci/run builds it)`);
  return `restic ${PINNED} not built: run components/protection/install-test-deps.sh`;
}

const skip = resticMissing();

interface Site {
  repository: string;
  data: string;
  bin: string;
}

function site(): Site {
  const dir = mkdtempSync(join(tmpdir(), "hadb-restic-"));
  const data = join(dir, "data");
  mkdirSync(join(data, "mgr"), { recursive: true });
  mkdirSync(join(data, "lost+found"));
  // The Job's image has restic on PATH as `restic`.
  const bin = join(dir, "bin");
  mkdirSync(bin);
  spawnSync("ln", ["-s", RESTIC, join(bin, "restic")]);
  return { repository: join(dir, "repository"), data, bin };
}

function runJob(where: Site, env: Record<string, string> = {}) {
  const result = spawnSync("sh", ["-c", RESTIC_SCRIPT], {
    encoding: "utf8",
    env: {
      PATH: `${where.bin}:/usr/bin:/bin`,
      RESTIC_REPOSITORY: where.repository,
      RESTIC_PASSWORD: "correct horse battery staple",
      RESTIC_CACHE_DIR: join(where.repository, "..", "cache"),
      HOME: join(where.repository, ".."),
      HADB_DATABASE: "orders",
      HADB_KEEP: "1",
      HADB_SOURCE: where.data,
      ...env,
    },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function restic(where: Site, args: string[]) {
  return spawnSync(RESTIC, ["-r", where.repository, ...args], {
    encoding: "utf8",
    env: { ...process.env, RESTIC_PASSWORD: "correct horse battery staple" },
  });
}

const snapshots = (where: Site): { tags?: string[]; hostname: string; paths: string[] }[] =>
  JSON.parse(restic(where, ["snapshots", "--json"]).stdout) as {
    tags?: string[];
    hostname: string;
    paths: string[];
  }[];

describe("the restic copy Job's script, with restic itself", { skip }, () => {
  it("initialises the repository on the first run only, and keeps the newest HADB_KEEP copies", () => {
    const where = site();
    writeFileSync(join(where.data, "mgr", "IRIS.DAT"), "first");
    const first = runJob(where);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /created restic repository/);
    writeFileSync(join(where.data, "mgr", "IRIS.DAT"), "second");
    const next = runJob(where);
    assert.equal(next.status, 0, next.stderr);
    assert.doesNotMatch(next.stdout, /created restic repository/, "an existing repository is reused");
    const kept = snapshots(where);
    assert.equal(kept.length, 1, "HADB_KEEP=1 after two copies");
    for (const snapshot of kept) {
      assert.equal(snapshot.hostname, "orders");
      assert.deepEqual(snapshot.tags, ["hadb"]);
      assert.deepEqual(snapshot.paths, [where.data]);
    }
  });

  it("restores the newest copy's files where they were, and leaves lost+found out", () => {
    const where = site();
    writeFileSync(join(where.data, "mgr", "IRIS.DAT"), "payload");
    assert.equal(runJob(where).status, 0);
    const target = mkdtempSync(join(tmpdir(), "hadb-restore-"));
    const restored = restic(where, ["restore", "latest", "--host", "orders", "--target", target]);
    assert.equal(restored.status, 0, restored.stderr);
    assert.equal(readFileSync(join(target, where.data, "mgr", "IRIS.DAT"), "utf8"), "payload");
    assert.equal(existsSync(join(target, where.data, "lost+found")), false);
  });

  it("never initialises over a repository it cannot open (wrong key): fails instead", () => {
    const where = site();
    assert.equal(runJob(where).status, 0);
    const wrongKey = runJob(where, { RESTIC_PASSWORD: "not the key" });
    assert.notEqual(wrongKey.status, 0);
    assert.doesNotMatch(wrongKey.stdout, /created restic repository/);
    assert.equal(snapshots(where).length, 1, "the repository is untouched");
  });
});
