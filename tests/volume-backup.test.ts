// The volume backup script, run for real with bash: IRIS freeze/thaw against a fake `iris` (exit codes
// 5, 3 and others, as `iris session` returns them from Backup.General) and a fake `kubectl` on PATH;
// the off-cluster copy (snapshot -> clone -> restic Job -> cleanup) against a scripted fake cluster.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { cloneClaim, copyJob } from "../components/protection/copy";
import { PROJECT_ROOT } from "./helpers/synth";

const SCRIPT = join(PROJECT_ROOT, "components", "protection", "volume-backup.sh");

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

const FAKE_CLUSTER = `#!/bin/bash
echo "kubectl $*" >>"$FAKE_CALLS"
args=" $* "
if [[ $args == *" create -f - "* ]]; then cat >>"$FAKE_CREATED"; echo "---" >>"$FAKE_CREATED"; exit 0; fi
if [[ $args == *"jsonpath={.status.creationTime}"* ]]; then echo "2026-11-24T00:00:00Z"; exit 0; fi
if [[ $args == *"jsonpath={.status.readyToUse}"* ]]; then echo "true"; exit 0; fi
if [[ $args == *" get job "* ]]; then printf '%s' "$FAKE_JOB_STATE"; exit 0; fi
if [[ $args == *" logs "* ]]; then echo "restic: snapshot 1a2b3c saved"; exit 0; fi
if [[ $args == *" delete "* ]]; then exit 0; fi
exit 1
`;

function runCopy(jobState: string) {
  const dir = mkdtempSync(join(tmpdir(), "hadb-volume-copy-"));
  const bin = join(dir, "bin");
  spawnSync("mkdir", ["-p", bin]);
  writeFileSync(join(bin, "kubectl"), FAKE_CLUSTER);
  chmodSync(join(bin, "kubectl"), 0o755);
  // The templates the ConfigMap carries, as the program renders them.
  writeFileSync(
    join(dir, "clone-claim.json"),
    JSON.stringify(cloneClaim("hadb", "orders", "hadb-rook-ceph", "20Gi")),
  );
  writeFileSync(
    join(dir, "copy-job.json"),
    JSON.stringify(
      copyJob({
        namespace: "hadb",
        database: "orders",
        uid: 999,
        repository: "r",
        keep: 3,
        deadlineSeconds: 60,
      }),
    ),
  );
  const calls = join(dir, "calls");
  const created = join(dir, "created");
  const result = spawnSync("bash", [SCRIPT], {
    encoding: "utf8",
    env: {
      PATH: `${bin}:${process.env.PATH ?? ""}`,
      HADB_NAMESPACE: "hadb",
      HADB_DEPLOYMENT: "orders",
      HADB_CLAIM: "orders-data",
      HADB_SNAPSHOT_CLASS: "hadb-rook-ceph-scheduled",
      HADB_RETAIN: "3",
      HADB_FREEZE: "none",
      HADB_COPY: "restic",
      HADB_COPY_DIR: dir,
      HADB_COPY_TIMEOUT_SECONDS: "1",
      HADB_POLL_SECONDS: "0",
      FAKE_CALLS: calls,
      FAKE_CREATED: created,
      FAKE_JOB_STATE: jobState,
    },
  });
  return {
    status: result.status,
    stderr: result.stderr,
    calls: existsSync(calls) ? readFileSync(calls, "utf8").trim().split("\n") : [],
    created: existsSync(created)
      ? readFileSync(created, "utf8")
          .split("---\n")
          .filter((text) => text.trim() !== "")
          .map((text): any => parse(text))
      : [],
  };
}

describe("off-cluster copy (HADB_COPY=restic, crash-consistent MySQL)", () => {
  it("snapshot, clone, restic Job, then removes clone, Job and snapshot", () => {
    const run = runCopy("1/");
    assert.equal(run.status, 0, run.stderr);
    assert.ok(!run.calls.some((call) => call.startsWith("iris")), "no freeze for a crash-consistent copy");
    const [snapshot, clone, job] = run.created;
    assert.equal(snapshot.kind, "VolumeSnapshot");
    assert.equal(
      snapshot.metadata.labels["hadb.io/copy-of"],
      "orders-data",
      "kept apart from local restore points",
    );
    assert.equal(snapshot.spec.volumeSnapshotClassName, "hadb-rook-ceph-scheduled");
    assert.equal(clone.kind, "PersistentVolumeClaim");
    assert.equal(clone.spec.dataSource.name, snapshot.metadata.name);
    assert.match(clone.metadata.name, /^orders-data-copy-\d{14}$/);
    assert.equal(job.kind, "Job");
    assert.match(job.metadata.name, /^orders-copy-\d{14}$/);
    const data = job.spec.template.spec.volumes.find((v: any) => v.name === "data");
    assert.equal(data.persistentVolumeClaim.claimName, clone.metadata.name);
    const deletes = run.calls
      .filter((call) => call.includes(" delete "))
      .map((call) => call.split(" ").slice(3, 6).join(" "));
    assert.deepEqual(deletes, [
      `delete job ${job.metadata.name}`,
      `delete pvc ${clone.metadata.name}`,
      `delete volumesnapshot ${snapshot.metadata.name}`,
    ]);
    assert.match(run.stderr, /copy of orders-data-\d{14} stored/);
  });

  it("a failed restic Job fails the backup, and still cleans up", () => {
    const run = runCopy("/1");
    assert.equal(run.status, 1);
    assert.match(run.stderr, /restic: snapshot 1a2b3c saved/, "the Job's log is in the CronJob's log");
    assert.match(run.stderr, /copy of orders-data-\d{14} failed/);
    assert.equal(run.calls.filter((call) => call.includes(" delete ")).length, 3);
  });

  it("a Job that never finishes times out, fails, and cleans up", () => {
    const run = runCopy("");
    assert.equal(run.status, 1);
    assert.match(run.stderr, /timed out waiting for job orders-copy-/);
    assert.equal(run.calls.filter((call) => call.includes(" delete ")).length, 3);
  });

  it("refuses an unknown mode before touching anything", () => {
    const result = spawnSync("bash", [SCRIPT], {
      encoding: "utf8",
      env: {
        PATH: process.env.PATH ?? "",
        HADB_NAMESPACE: "hadb",
        HADB_DEPLOYMENT: "orders",
        HADB_CLAIM: "orders-data",
        HADB_SNAPSHOT_CLASS: "c",
        HADB_RETAIN: "3",
        HADB_COPY: "rsync",
      },
    });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /HADB_COPY must be none or restic, not rsync/);
  });
});
