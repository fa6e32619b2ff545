// The IRIS freeze/thaw backup wrapper, run for real with bash against a fake `iris` (exit codes 5, 3 and
// others, as `iris session` returns them from Backup.General) and a fake `kubectl` on PATH.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { PROJECT_ROOT } from "./helpers/synth";

const SCRIPT = join(PROJECT_ROOT, "components", "protection", "iris-backup.sh");

const FAKE_IRIS = `#!/bin/bash
# iris session IRIS -U %SYS "##Class(Backup.General).<Method>()"
method=$(printf '%s' "$5" | sed -E 's/.*\\)\\.([A-Za-z]+)\\(\\).*/\\1/')
echo "iris $method" >>"$FAKE_CALLS"
case "$method" in
  ExternalFreeze) exit "\${FAKE_FREEZE_EXIT:-5}" ;;
  ExternalThaw) exit "\${FAKE_THAW_EXIT:-5}" ;;
  *) exit 99 ;;
esac
`;

const FAKE_KUBECTL = `#!/bin/bash
echo "kubectl $*" >>"$FAKE_CALLS"
args=" $* "
if [[ $args == *" create -f - "* ]]; then cat >"$FAKE_MANIFEST"; exit "\${FAKE_CREATE_EXIT:-0}"; fi
if [[ $args == *" get volumesnapshot -l "* ]]; then printf '%s\\n' \${FAKE_EXISTING:-}; exit 0; fi
if [[ $args == *" get volumesnapshot "* ]]; then
  [[ -n "\${FAKE_NEVER_CUT:-}" ]] || echo "2026-11-23T00:00:00Z"
  exit 0
fi
if [[ $args == *" delete volumesnapshot "* ]]; then exit 0; fi
exit 1
`;

interface Run {
  status: number | null;
  calls: string[];
  stderr: string;
  manifest: string;
}

function runWrapper(env: Record<string, string>): Run {
  const dir = mkdtempSync(join(tmpdir(), "hadb-iris-backup-"));
  const bin = join(dir, "bin");
  spawnSync("mkdir", ["-p", bin]);
  for (const [name, text] of [
    ["iris", FAKE_IRIS],
    ["kubectl", FAKE_KUBECTL],
  ] as const) {
    writeFileSync(join(bin, name), text);
    chmodSync(join(bin, name), 0o755);
  }
  const calls = join(dir, "calls");
  const manifest = join(dir, "manifest.yaml");
  const result = spawnSync("bash", [SCRIPT], {
    encoding: "utf8",
    env: {
      PATH: `${bin}:${process.env.PATH ?? ""}`,
      HADB_NAMESPACE: "hadb",
      HADB_DEPLOYMENT: "iris",
      HADB_CLAIM: "iris-data",
      HADB_SNAPSHOT_CLASS: "hadb-longhorn-backup",
      HADB_RETAIN: "3",
      HADB_EXEC: "",
      HADB_CUT_TIMEOUT_SECONDS: "1",
      FAKE_CALLS: calls,
      FAKE_MANIFEST: manifest,
      ...env,
    },
  });
  return {
    status: result.status,
    calls: existsSync(calls) ? readFileSync(calls, "utf8").trim().split("\n") : [],
    stderr: result.stderr,
    manifest: existsSync(manifest) ? readFileSync(manifest, "utf8") : "",
  };
}

const index = (run: Run, prefix: string) => run.calls.findIndex((call) => call.startsWith(prefix));

describe("IRIS freeze/thaw backup wrapper", () => {
  it("exit 5 from ExternalFreeze = frozen: snapshot cut between freeze and thaw, success", () => {
    const run = runWrapper({});
    assert.equal(run.status, 0, run.stderr);
    const freeze = index(run, "iris ExternalFreeze");
    const create = index(run, "kubectl -n hadb create -f -");
    const thaw = index(run, "iris ExternalThaw");
    assert.ok(freeze >= 0 && create > freeze && thaw > create, run.calls.join("\n"));
    assert.match(run.manifest, /kind: VolumeSnapshot/);
    assert.match(run.manifest, /volumeSnapshotClassName: hadb-longhorn-backup/);
    assert.match(run.manifest, /persistentVolumeClaimName: iris-data/);
    assert.match(run.manifest, /hadb.io\/backup-of: iris-data/);
  });

  it("exit 3 from ExternalFreeze = not frozen: no snapshot, thaw attempted anyway, failure", () => {
    const run = runWrapper({ FAKE_FREEZE_EXIT: "3" });
    assert.equal(run.status, 1);
    assert.equal(index(run, "kubectl -n hadb create"), -1, "no snapshot of an unfrozen database");
    assert.ok(index(run, "iris ExternalThaw") > index(run, "iris ExternalFreeze"));
    assert.match(run.stderr, /ExternalFreeze failed \(exit 3, expected 5\)/);
  });

  it("any other exit code (here 1, e.g. iris not running) is a failure too", () => {
    const run = runWrapper({ FAKE_FREEZE_EXIT: "1" });
    assert.equal(run.status, 1);
    assert.equal(index(run, "kubectl -n hadb create"), -1);
    assert.match(run.stderr, /exit 1, expected 5/);
  });

  it("a failed thaw fails the job loudly even though the snapshot was cut", () => {
    const run = runWrapper({ FAKE_THAW_EXIT: "3" });
    assert.equal(run.status, 1);
    assert.ok(index(run, "kubectl -n hadb create") >= 0);
    assert.match(run.stderr, /ExternalThaw failed \(exit 3\): IRIS may still be frozen/);
  });

  it("a snapshot that is never cut still thaws IRIS, then fails", () => {
    const run = runWrapper({ FAKE_NEVER_CUT: "1" });
    assert.equal(run.status, 1);
    assert.ok(index(run, "iris ExternalThaw") >= 0, "thawed");
    assert.match(run.stderr, /not cut within 1 s/);
  });

  it("a rejected snapshot (e.g. no such class) thaws and fails", () => {
    const run = runWrapper({ FAKE_CREATE_EXIT: "1" });
    assert.equal(run.status, 1);
    assert.ok(index(run, "iris ExternalThaw") >= 0);
    assert.match(run.stderr, /could not create snapshot/);
  });

  it("keeps the newest HADB_RETAIN snapshots of the claim and deletes the older ones", () => {
    const run = runWrapper({ FAKE_EXISTING: "iris-data-1 iris-data-2 iris-data-3 iris-data-4 iris-data-5" });
    assert.equal(run.status, 0, run.stderr);
    const deleted = run.calls
      .filter((c) => c.includes(" delete volumesnapshot "))
      .map((c) => c.split(" ")[5]);
    assert.deepEqual(deleted.sort(), ["iris-data-1", "iris-data-2"]);
  });

  it("passes shellcheck", (t) => {
    if (spawnSync("sh", ["-c", "command -v shellcheck"]).status !== 0) {
      if (process.env.CI === "true") assert.fail("shellcheck is required in CI");
      t.skip("shellcheck not installed");
      return;
    }
    const result = spawnSync("shellcheck", [SCRIPT], { encoding: "utf8" });
    assert.equal(result.status, 0, result.stdout);
  });
});
