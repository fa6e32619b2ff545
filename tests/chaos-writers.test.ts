// The chaos tool's write/verify core. Real tier: PostgreSQL and MariaDB servers from Debian's packages are
// started locally, SIGKILLed mid-run and restarted while the probe keeps writing; the probe must report an
// outage at least as long as the downtime caused and find every acknowledged write afterwards. IRIS cannot
// run here: its store is driven through a fake `kubectl` that emulates `iris session` on stdin, and the
// test asserts the exact ObjectScript it receives. The probe's outage arithmetic and the report are pure.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { after, before, describe, it } from "node:test";
import { IrisStore, parseSessionLine } from "../tools/chaos/iris";
import { MysqlStore } from "../tools/chaos/mysql";
import { PostgresStore } from "../tools/chaos/postgres";
import {
  experimentResult,
  ProgressLine,
  renderProgress,
  resultsJson,
  resultsTable,
  type ExperimentResult,
} from "../tools/chaos/report";
import {
  type ConnectionSettings,
  findOutages,
  type SequenceStore,
  sleep,
  type WriteAttempt,
  WriteProbe,
} from "../tools/chaos/writer";
import { PROJECT_ROOT } from "./helpers/synth";
import {
  findMariadb,
  findPostgres,
  type LocalServer,
  requireInstalled,
  startMariadb,
  startPostgres,
} from "./helpers/local-db";

const now = (): number => performance.timeOrigin + performance.now();

const attempt = (seq: number, startedAt: number, endedAt: number, acknowledged: boolean): WriteAttempt => ({
  seq,
  startedAt,
  endedAt,
  acknowledged,
});

describe("findOutages: the outage definition", () => {
  it("measures from the last acknowledgement before a failure run to the first one after it", () => {
    const attempts = [
      attempt(1, 0, 5, true),
      attempt(2, 100, 105, false),
      attempt(3, 200, 300, false),
      attempt(4, 400, 410, true),
      attempt(5, 500, 505, true),
      attempt(6, 600, 601, false),
    ];
    assert.deepEqual(findOutages(attempts, 700), [
      {
        firstFailedSeq: 2,
        lastFailedSeq: 3,
        failedAttempts: 2,
        start: 5,
        end: 410,
        durationMs: 405,
        recovered: true,
      },
      // Still failing when the probe stopped: counted up to the stop, flagged unrecovered.
      {
        firstFailedSeq: 6,
        lastFailedSeq: 6,
        failedAttempts: 1,
        start: 505,
        end: undefined,
        durationMs: 195,
        recovered: false,
      },
    ]);
  });

  it("starts a failure run that opens the probe at its first attempt", () => {
    const outages = findOutages([attempt(1, 10, 20, false), attempt(2, 100, 120, true)]);
    assert.deepEqual(
      outages.map((o) => [o.start, o.durationMs]),
      [[10, 110]],
    );
  });

  it("finds none when every write was acknowledged", () => {
    assert.deepEqual(findOutages([attempt(1, 0, 1, true), attempt(2, 50, 51, true)], 100), []);
  });
});

/** In-process store whose database can be switched down, hung (never answers) or answer-lost. */
class MemoryStore implements SequenceStore {
  readonly engine = "postgres";
  readonly rows = new Set<number>();
  mode: "up" | "down" | "hang" | "commit-then-hang" = "up";
  resets = 0;

  prepare(): Promise<void> {
    this.rows.clear();
    return Promise.resolve();
  }

  write(seq: number): Promise<void> {
    if (this.mode === "down") return Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432"));
    if (this.mode === "commit-then-hang") {
      // Commits this one write but its answer never arrives; the next ones hang before committing.
      this.rows.add(seq);
      this.mode = "hang";
    }
    if (this.mode === "hang") return new Promise(() => undefined);
    this.rows.add(seq);
    return Promise.resolve();
  }

  readAll(): Promise<Set<number>> {
    return Promise.resolve(new Set(this.rows));
  }

  reset(): void {
    this.resets++;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

describe("WriteProbe against an in-process store", () => {
  it("times out hung writes, resets the connection, and times the whole outage", async () => {
    const store = new MemoryStore();
    const probe = new WriteProbe(store, { intervalMs: 10, timeoutMs: 100 });
    probe.start();
    try {
      await probe.waitFor((p) => p.progress().acknowledged >= 5, 5_000);
      store.mode = "commit-then-hang";
      await probe.waitFor((p) => p.progress().failed >= 2, 5_000);
      store.mode = "down";
      await probe.waitFor((p) => p.progress().failed >= 4, 5_000);
      assert.notEqual(probe.progress().currentOutageMs, undefined);
      const upAt = now();
      store.mode = "up";
      await probe.waitFor((p) => p.attempts.some((a) => a.acknowledged && a.startedAt >= upAt), 5_000);
    } finally {
      await probe.stop();
    }
    const report = probe.report();
    assert.equal(report.outages.length, 1);
    const [outage] = report.outages;
    assert.ok(outage?.recovered);
    assert.equal(outage.failedAttempts, report.failed);
    const errors = probe.attempts.filter((a) => !a.acknowledged).map((a) => a.error);
    assert.equal(errors[0], "no acknowledgement within 100 ms");
    assert.ok(errors.includes("connect ECONNREFUSED 127.0.0.1:5432"), String(errors));
    assert.equal(store.resets, report.failed, "every failed attempt abandons its connection");
    const verification = await probe.verify();
    assert.deepEqual(verification.missing, []);
    // The write that committed but never answered is present and allowed.
    assert.equal(verification.unacknowledgedPresent, 1);
  });

  it("measures an outage no shorter than the time the store was down", async () => {
    const store = new MemoryStore();
    const probe = new WriteProbe(store, { intervalMs: 10, timeoutMs: 100 });
    probe.start();
    const down = { at: 0, for: 0 };
    try {
      await probe.waitFor((p) => p.progress().acknowledged >= 3, 5_000);
      down.at = now();
      store.mode = "down";
      await sleep(300);
      store.mode = "up";
      down.for = now() - down.at;
      await probe.waitFor(
        (p) => p.progress().acknowledged >= 6 && p.attempts.at(-1)?.acknowledged === true,
        5_000,
      );
    } finally {
      await probe.stop();
    }
    const [outage] = probe.report().outages;
    assert.ok(
      outage && outage.durationMs >= down.for,
      `outage ${outage?.durationMs} ms < down ${down.for} ms`,
    );
  });

  it("verify lists exactly the acknowledged writes that disappeared, and refuses to run mid-probe", async () => {
    const store = new MemoryStore();
    const probe = new WriteProbe(store, { intervalMs: 5 });
    probe.start();
    await probe.waitFor((p) => p.progress().acknowledged >= 10, 5_000);
    await assert.rejects(probe.verify(), /stop the probe/);
    await probe.stop();
    store.rows.delete(4);
    store.rows.delete(7);
    const verification = await probe.verify();
    assert.deepEqual(verification.missing, [4, 7]);
    assert.equal(verification.ok, false);
  });
});

describe("report", () => {
  const results: ExperimentResult[] = [
    {
      experiment: "pod-delete",
      engine: "postgres",
      database: "orders",
      rtoSeconds: 12.34,
      outages: 1,
      acknowledged: 1520,
      failedAttempts: 60,
      missing: [],
      unacknowledgedPresent: 1,
    },
    {
      experiment: "node-loss",
      engine: "iris",
      database: "iris",
      rtoSeconds: null,
      outages: 1,
      acknowledged: 98,
      failedAttempts: 400,
      missing: [17, 18, 19, 20, 21, 22],
      unacknowledgedPresent: 0,
    },
  ];

  it("formats the result table", () => {
    assert.equal(
      resultsTable(results),
      [
        "experiment  engine    database     RTO s  acknowledged  missing  result",
        "pod-delete  postgres  orders        12.3          1520        0  ok",
        "node-loss   iris      iris      not back            98        6  LOST 6 acknowledged (17, 18, 19, 20, 21, ...)",
        "",
      ].join("\n"),
    );
  });

  it("writes JSON that fails on a lost write or a database that never came back", () => {
    const json = resultsJson(results, new Date("2026-01-02T03:04:05Z"));
    assert.equal(json.generatedAt, "2026-01-02T03:04:05.000Z");
    assert.equal(json.ok, false);
    assert.deepEqual(
      json.results.map((row) => row.ok),
      [true, false],
    );
    assert.equal(resultsJson(results.slice(0, 1), new Date(0)).ok, true);
  });

  it("turns a probe report and verification into a result row", () => {
    const row = experimentResult(
      "pod-delete",
      "orders",
      {
        engine: "mysql",
        startedAt: 0,
        stoppedAt: 9_000,
        attempts: 90,
        acknowledged: 80,
        failed: 10,
        outages: findOutages([
          attempt(1, 0, 5, true),
          attempt(2, 10, 11, false),
          attempt(3, 2_000, 2_126, true),
        ]),
        longestOutageMs: 2_121,
        totalOutageMs: 2_121,
        recovered: true,
      },
      { acknowledged: 80, missing: [], unacknowledgedPresent: 0, ok: true },
    );
    assert.equal(row.rtoSeconds, 2.12);
    assert.equal(row.engine, "mysql");
  });

  it("renders a progress line, in place on a TTY and once at the end elsewhere", () => {
    const text = renderProgress("pod-delete postgres/orders", {
      engine: "postgres",
      running: true,
      elapsedMs: 12_345,
      nextSeq: 130,
      acknowledged: 120,
      failed: 9,
      outages: 1,
      currentOutageMs: 1_200,
      longestOutageMs: 1_200,
      lastError: "connect ECONNREFUSED",
    });
    assert.equal(
      text,
      "pod-delete postgres/orders  12.3s  ack 120  failed 9  DOWN 1.2s  outages 1  longest 1.2s  (connect ECONNREFUSED)",
    );
    const tty = Object.assign(new PassThrough(), { isTTY: true, columns: 20 });
    const line = new ProgressLine(tty);
    line.update("first");
    line.update(text);
    line.done();
    assert.equal(tty.read()?.toString(), "\r\x1b[2Kfirst\r\x1b[2Kpod-delete postg...\r\x1b[2K" + text + "\n");
    const log = new PassThrough();
    const quiet = new ProgressLine(log);
    quiet.update("first");
    quiet.update("second");
    quiet.done();
    assert.equal(log.read()?.toString(), "second\n");
  });
});

// ---------------------------------------------------------------------------------------------------------
// IRIS through a fake kubectl.

/**
 * Stands in for `kubectl exec -i POD [-c C] -- iris session IRIS -U USER`: checks the argv the way kubectl
 * and the container would, then behaves like `iris session` reading a pipe: a banner, optional
 * Username:/Password: prompts, a `USER>` prompt before every line, output after the prompt, `<SYNTAX>` for
 * anything it does not understand. It understands exactly the ObjectScript the store is meant to send,
 * keeps ^hadbChaos in a state file, and can simulate the pod dying mid-write and being replaced.
 */
const FAKE_KUBECTL = String.raw`
const fs = require("node:fs");
const env = process.env;
const log = (line) => fs.appendFileSync(env.FAKE_IRIS_LOG, line + "\n");
const load = () => JSON.parse(fs.readFileSync(env.FAKE_IRIS_STATE, "utf8"));
const save = (state) => fs.writeFileSync(env.FAKE_IRIS_STATE, JSON.stringify(state));
const out = (text) => process.stdout.write(text);
const args = process.argv.slice(2);
log("ARGV " + JSON.stringify(args));
const exec = args.indexOf("exec");
const dashes = args.indexOf("--");
if (exec < 0 || dashes < 0 || args[exec + 1] !== "-i") {
  process.stderr.write("error: expected exec -i POD -- COMMAND\n");
  process.exit(1);
}
const pod = args[exec + 2];
let state = load();
if (pod !== state.pod && pod !== "deployment/iris") {
  process.stderr.write('Error from server (NotFound): pods "' + pod + '" not found\n');
  process.exit(1);
}
if (state.downConnects > 0) {
  state.downConnects--;
  save(state);
  process.stderr.write("error: unable to upgrade connection: container not found (\"iris\")\n");
  process.exit(1);
}
if (JSON.stringify(args.slice(dashes + 1)) !== JSON.stringify(["iris", "session", "IRIS", "-U", "USER"])) {
  process.stderr.write("OCI runtime exec failed: unexpected command\n");
  process.exit(126);
}
const lines = [];
let wake;
let buffered = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  buffered += chunk;
  let at;
  while ((at = buffered.indexOf("\n")) >= 0) {
    lines.push(buffered.slice(0, at));
    buffered = buffered.slice(at + 1);
  }
  if (wake) wake();
});
process.stdin.on("end", () => {
  lines.push(null);
  if (wake) wake();
});
const next = async () => {
  while (lines.length === 0) await new Promise((resolve) => (wake = resolve));
  return lines.shift();
};
const done = /^(.*?) ?write "hadb-done (\d+)",!$/;
const READ = 'set hadbK="" for  set hadbK=$order(^hadbChaos(hadbK)) quit:hadbK=""  write "hadb-seq ",hadbK,!';
(async () => {
  out("\nNode: " + state.pod + ", Instance: IRIS\n\n");
  if (env.FAKE_IRIS_PASSWORD) {
    out("Username: ");
    const user = await next();
    out("Password: ");
    const password = await next();
    log("LOGIN " + user + " " + password);
    if (user !== "_SYSTEM" || password !== env.FAKE_IRIS_PASSWORD) {
      out("\nAccess Denied\n");
      process.exit(1);
    }
  }
  for (;;) {
    out("\nUSER>");
    const line = await next();
    if (line === null) process.exit(0);
    log("STDIN " + line);
    if (line === "halt") process.exit(0);
    state = load();
    const match = done.exec(line);
    const head = match ? match[1] : undefined;
    const set = head && /^tstart  set \^hadbChaos\((\d+)\)=\$zdt\(\$h,3\) tcommit $/.exec(head);
    if (head === "do $system.Process.SynchCommit(1)" || head === "") {
      out("hadb-done " + match[2] + "\n");
    } else if (head === "kill ^hadbChaos") {
      state.globals = [];
      save(state);
      out("hadb-done " + match[2] + "\n");
    } else if (set) {
      if (env.FAKE_IRIS_PROTECT) {
        out("\n<PROTECT> *^hadbChaos(" + set[1] + "),/usr/irissys/mgr/user/\n");
        continue;
      }
      state.globals.push(Number(set[1]));
      state.writes++;
      save(state);
      if (state.writes === Number(env.FAKE_IRIS_DIE_AT_WRITE)) {
        // The pod dies after journaling this SET but before the acknowledgement reaches the client.
        state.pod = "iris-7f9c6d5b8-newpod";
        state.downConnects = Number(env.FAKE_IRIS_DOWN_CONNECTS || 0);
        save(state);
        process.stderr.write("command terminated with exit code 137\n");
        process.exit(137);
      }
      out("hadb-done " + match[2] + "\n");
    } else if (line === READ) {
      for (const seq of [...state.globals].sort((a, b) => a - b)) out("hadb-seq " + seq + "\n");
    } else {
      out("\n" + line.toUpperCase().split(" ")[0] + "\n^\n<SYNTAX>\n");
    }
  }
})();
`;

describe("IrisStore through a fake kubectl emulating iris session", () => {
  let dir = "";
  let logFile = "";
  let stateFile = "";
  const saved = { ...process.env };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "hadb-fake-kubectl-"));
    const script = join(dir, "kubectl");
    writeFileSync(script, `#!${process.execPath}\n${FAKE_KUBECTL}`);
    chmodSync(script, 0o755);
    process.env.PATH = `${dir}:${process.env.PATH ?? ""}`;
  });

  after(() => {
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  /** Fresh log and state; returns the fake's log (argv per kubectl call, each stdin line). */
  function reset(
    env: Record<string, string> = {},
  ): () => { argv: string[][]; stdin: string[]; logins: string[] } {
    logFile = join(dir, `calls-${Math.random().toString(36).slice(2)}.log`);
    stateFile = join(dir, "state.json");
    writeFileSync(logFile, "");
    writeFileSync(
      stateFile,
      JSON.stringify({ pod: "iris-7f9c6d5b8-oldpod", globals: [], writes: 0, downConnects: 0 }),
    );
    for (const key of Object.keys(process.env))
      if (key.startsWith("FAKE_IRIS_")) Reflect.deleteProperty(process.env, key);
    Object.assign(process.env, { FAKE_IRIS_LOG: logFile, FAKE_IRIS_STATE: stateFile, ...env });
    return () => {
      const lines = readFileSync(logFile, "utf8").split("\n").filter(Boolean);
      const pick = (prefix: string): string[] =>
        lines.filter((line) => line.startsWith(prefix)).map((line) => line.slice(prefix.length));
      return {
        argv: pick("ARGV ").map((json) => JSON.parse(json)),
        stdin: pick("STDIN "),
        logins: pick("LOGIN "),
      };
    };
  }

  const target = {
    command: ["kubectl", "--kubeconfig", "/tmp/hadb-kubeconfig", "--namespace", "hadb"],
    pod: "deployment/iris",
    container: "iris",
  };

  it("opens one session with the exact kubectl argv and sends exactly the expected ObjectScript", async () => {
    const calls = reset();
    const store = new IrisStore(target);
    await store.prepare();
    await store.write(1);
    await store.write(2);
    await store.write(42);
    assert.deepEqual([...(await store.readAll())], [1, 2, 42]);
    await store.close();
    const { argv, stdin } = calls();
    assert.deepEqual(argv, [
      [
        "--kubeconfig",
        "/tmp/hadb-kubeconfig",
        "--namespace",
        "hadb",
        "exec",
        "-i",
        "deployment/iris",
        "-c",
        "iris",
        "--",
        "iris",
        "session",
        "IRIS",
        "-U",
        "USER",
      ],
    ]);
    assert.deepEqual(stdin, [
      'do $system.Process.SynchCommit(1) write "hadb-done 1",!',
      'kill ^hadbChaos write "hadb-done 2",!',
      'tstart  set ^hadbChaos(1)=$zdt($h,3) tcommit  write "hadb-done 3",!',
      'tstart  set ^hadbChaos(2)=$zdt($h,3) tcommit  write "hadb-done 4",!',
      'tstart  set ^hadbChaos(42)=$zdt($h,3) tcommit  write "hadb-done 5",!',
      'set hadbK="" for  set hadbK=$order(^hadbChaos(hadbK)) quit:hadbK=""  write "hadb-seq ",hadbK,!',
      'write "hadb-done 6",!',
      "halt",
    ]);
  });

  it("logs in on stdin (never in argv) and fails fast on Access Denied", async () => {
    const password = "s3cr3t-from-the-stack";
    const calls = reset({ FAKE_IRIS_PASSWORD: password });
    const store = new IrisStore(target, { credentials: { username: "_SYSTEM", password } });
    await store.prepare();
    await store.close();
    assert.deepEqual(calls().logins, [`_SYSTEM ${password}`]);
    assert.ok(!JSON.stringify(calls().argv).includes(password));

    reset({ FAKE_IRIS_PASSWORD: password });
    const wrong = new IrisStore(target, { credentials: { username: "_SYSTEM", password: "wrong" } });
    await assert.rejects(wrong.prepare(), /Access Denied/);
    await wrong.close();
  });

  it("surfaces an ObjectScript error instead of waiting for a timeout", async () => {
    reset({ FAKE_IRIS_PROTECT: "1" });
    const store = new IrisStore(target);
    await assert.rejects(store.write(7), /ObjectScript error: <PROTECT> \*\^hadbChaos\(7\)/);
    await store.close();
  });

  it("survives the pod dying mid-write: resolves the new pod, reconnects, loses no acknowledged write", async () => {
    const calls = reset({ FAKE_IRIS_DIE_AT_WRITE: "5", FAKE_IRIS_DOWN_CONNECTS: "3" });
    let resolved = 0;
    const store = new IrisStore({
      ...target,
      // Like `kubectl get pod -l ...`: whichever pod currently backs the Deployment.
      pod: () => {
        resolved++;
        return Promise.resolve((JSON.parse(readFileSync(stateFile, "utf8")) as { pod: string }).pod);
      },
    });
    await store.prepare();
    const probe = new WriteProbe(store, { intervalMs: 20, timeoutMs: 5_000 });
    probe.start();
    try {
      // A deadline, not a timing claim: each session is a fake kubectl process, slow to start under load.
      await probe.waitFor((p) => p.progress().acknowledged >= 10, 90_000);
    } finally {
      await probe.stop();
    }
    const report = probe.report();
    assert.equal(report.outages.length, 1);
    assert.ok(report.outages[0]?.recovered);
    // The write in flight when the pod died plus the three refused connections.
    assert.equal(report.failed, 4);
    assert.match(probe.attempts.find((a) => !a.acknowledged)?.error ?? "", /exit 137.*command terminated/);
    const verification = await probe.verify();
    await store.close();
    assert.deepEqual(verification.missing, []);
    assert.equal(verification.unacknowledgedPresent, 1, "the SET journaled before the pod died is there");
    const pods = calls().argv.map((argv) => argv[argv.indexOf("exec") + 2]);
    assert.equal(pods[0], "iris-7f9c6d5b8-oldpod");
    assert.ok(
      pods.slice(1).every((pod) => pod === "iris-7f9c6d5b8-newpod"),
      pods.join(" "),
    );
    assert.equal(resolved, pods.length, "the pod is resolved again for every session");
  });

  it("parses realistic session output", () => {
    assert.deepEqual(parseSessionLine("USER>hadb-done 12"), { kind: "done", token: 12 });
    assert.deepEqual(parseSessionLine("hadb-seq 40\r"), { kind: "seq", seq: 40 });
    assert.deepEqual(parseSessionLine("<SYNTAX>"), { kind: "error", text: "<SYNTAX>" });
    assert.deepEqual(parseSessionLine("TL1:USER><UNDEFINED> *hadbK"), {
      kind: "error",
      text: "<UNDEFINED> *hadbK",
    });
    assert.deepEqual(parseSessionLine("Access Denied"), { kind: "denied" });
    assert.deepEqual(parseSessionLine("Node: iris-0, Instance: IRIS"), { kind: "other" });
    assert.deepEqual(parseSessionLine("USER>"), { kind: "other" });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Real servers.

describe("install-test-deps.sh", () => {
  it("passes shellcheck", (t) => {
    const found = spawnSync("sh", ["-c", "command -v shellcheck"]).status === 0;
    if (!found && process.env.CI === "true")
      assert.fail("shellcheck is required in CI (.ci/run installs it)");
    if (!found) {
      t.skip("shellcheck not installed");
      return;
    }
    const result = spawnSync("shellcheck", [join(PROJECT_ROOT, "tools", "chaos", "install-test-deps.sh")], {
      encoding: "utf8",
    });
    assert.equal(result.status, 0, result.stdout);
  });
});

interface RealEngine {
  name: string;
  packageName: string;
  /** Undefined when the package is missing. */
  start: (() => Promise<LocalServer>) | undefined;
  store: (settings: ConnectionSettings) => SequenceStore;
  authError: RegExp;
}

const postgresTools = findPostgres();
const mariadbTools = findMariadb();
const ENGINES: RealEngine[] = [
  {
    name: "PostgreSQL (pg client)",
    packageName: "postgresql",
    start: postgresTools && (() => startPostgres(postgresTools)),
    store: (settings) => new PostgresStore(settings),
    authError: /password authentication failed for user "hadb"/,
  },
  {
    name: "MariaDB (mysql2 client)",
    packageName: "mariadb-server",
    start: mariadbTools && (() => startMariadb(mariadbTools)),
    store: (settings) => new MysqlStore(settings),
    authError: /Access denied for user 'hadb'@'127.0.0.1'/,
  },
];

// The two servers are independent: run them side by side (assertions are causal, not timed).
describe("real servers", { concurrency: true }, () => {
  for (const engine of ENGINES) {
    const missing = `${engine.packageName} not installed (tools/chaos/install-test-deps.sh)`;
    // Each test skips on its own, so a missing package shows up in the skipped count.
    const skip = engine.start ? false : missing;

    // One server: its tests run in order (the kill test must not race the others on the same table).
    describe(`${engine.name}: a real local server`, { concurrency: 1 }, () => {
      let server: LocalServer | undefined;
      const live = (): LocalServer => server ?? assert.fail("server not started");

      before(async () => {
        server = await engine.start?.();
      });

      after(async () => {
        await server?.dispose();
      });

      it(`has ${engine.packageName} installed (a failure in CI, a skip elsewhere)`, (t) => {
        if (!requireInstalled(engine.start, engine.packageName)) t.skip(missing);
      });

      it("authenticates with the user's password (a wrong one is refused)", { skip }, async () => {
        const store = engine.store({ ...live().settings, password: "not-the-password" });
        await assert.rejects(store.prepare(), engine.authError);
        await store.close();
      });

      it(
        "negative control: verify reports exactly the acknowledged row deleted behind the probe's back",
        { skip },
        async () => {
          const store = engine.store(live().settings);
          await store.prepare();
          const probe = new WriteProbe(store, { intervalMs: 20 });
          probe.start();
          try {
            await probe.waitFor((p) => p.progress().acknowledged >= 10, 20_000);
          } finally {
            await probe.stop();
          }
          try {
            assert.deepEqual((await probe.verify()).missing, []);
            const acknowledged = probe.attempts.filter((a) => a.acknowledged).map((a) => a.seq);
            const victim = acknowledged[Math.floor(acknowledged.length / 2)] ?? assert.fail("no write");
            await live().deleteSeq(victim);
            const verification = await probe.verify();
            assert.deepEqual(verification.missing, [victim]);
            assert.equal(verification.ok, false);
          } finally {
            await store.close();
          }
        },
      );

      it(
        "SIGKILL + restart mid-run: outage >= the downtime caused, writes resume, no acknowledged write lost",
        { skip },
        async (t) => {
          const db = live();
          const store = engine.store(db.settings);
          await store.prepare();
          const probe = new WriteProbe(store, { intervalMs: 50, timeoutMs: 2_000 });
          // Filled in as the experiment runs (an object, as the assertions read them after the finally).
          const timing = { killedAt: 0, restartedAt: 0 };
          probe.start();
          try {
            await sleep(1_000);
            await probe.waitFor(
              (p) => p.progress().acknowledged >= 5,
              10_000,
              "5 writes acknowledged before the kill",
            );
            timing.killedAt = await db.process.killHard();
            await sleep(2_000);
            timing.restartedAt = now();
            await db.restart();
            await probe.waitFor(
              (p) => p.attempts.some((a) => a.acknowledged && a.startedAt >= timing.restartedAt),
              30_000,
              "a write acknowledged after the restart",
            );
            await sleep(1_000);
          } finally {
            await probe.stop();
          }
          try {
            const report = probe.report();
            const caused = timing.restartedAt - timing.killedAt;
            // The outage spanning the restart; it also covers the kill (nothing could acknowledge in between).
            const outage = report.outages.find(
              (o) => o.start < timing.restartedAt && o.end !== undefined && o.end > timing.restartedAt,
            );
            assert.ok(
              outage,
              `no outage spans the restart: ${JSON.stringify(report.outages)}\n${db.process.logTail()}`,
            );
            assert.ok(outage.recovered);
            assert.ok(
              outage.durationMs >= caused,
              `outage ${outage.durationMs} ms < caused downtime ${caused} ms`,
            );
            const resumed = probe.attempts.filter(
              (a) => a.acknowledged && a.startedAt >= timing.restartedAt,
            ).length;
            assert.ok(resumed >= 2, `only ${resumed} writes acknowledged after the restart`);
            const verification = await probe.verify();
            assert.deepEqual(verification.missing, [], "acknowledged writes lost");
            t.diagnostic(
              `${engine.name}: caused downtime ${Math.round(caused)} ms, measured outage ${Math.round(outage.durationMs)} ms ` +
                `(${outage.failedAttempts} failed attempts), ${report.acknowledged} acknowledged, ` +
                `${resumed} after restart, ${verification.unacknowledgedPresent} unacknowledged present`,
            );
          } finally {
            await store.close();
          }
        },
      );
    });
  }
});
