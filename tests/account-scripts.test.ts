// The start-time scripts that apply accounts, run for real with stand-ins for the image parts that are not
// here: MySQL's start.sh with a recording docker-entrypoint.sh, IRIS's apply-accounts.sh with a stand-in
// `iris` (no IRIS here: the ObjectScript itself is checked for what it must and must not contain).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { configFromMap } from "../components/config/load";
import {
  ACCOUNTS_APPLIED,
  irisAccountsScript,
  irisLicenceWarning,
} from "../components/databases/iris/accounts";
import { irisCpfConfigMap, irisDeployment, irisNames } from "../components/databases/iris/manifests";
import { mysqlDeployment, mysqlNames } from "../components/databases/mysql/manifests";
import { PROJECT_ROOT } from "./helpers/synth";

const work = mkdtempSync(join(tmpdir(), "hadb-account-scripts-"));
after(() => {
  rmSync(work, { recursive: true, force: true });
});

const plain = (value: unknown): any => JSON.parse(JSON.stringify(value));
let counter = 0;
const dir = (name: string): string => {
  const path = join(work, `${name}-${(counter += 1)}`);
  mkdirSync(path, { recursive: true });
  return path;
};

/** An executable stand-in `name` in a fresh bin dir that runs `body` (sh). */
function standIn(name: string, body: string): string {
  const bin = dir("bin");
  writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return bin;
}

const entry = (values: Record<string, unknown>) =>
  configFromMap({ "hadb:databases": JSON.stringify([values]) }).databases[0] ?? assert.fail();

describe("MySQL start.sh (the Deployment's command)", () => {
  const database = entry({ engine: "mysql", name: "shop" });
  const [container] = plain(
    mysqlDeployment(database, mysqlNames(database, "hadb"), {
      evictionTolerationSeconds: 15,
      credentialsRevision: "",
    }),
  ).spec.template.spec.containers;
  const [shell, flag, script, name, , initFile, ...mysqld] = container.command as string[];

  /** Runs the command with the data dir at `datadir`; returns the arguments the entrypoint got. */
  const entrypointArgs = (datadir: string): string[] => {
    const record = join(dir("record"), "args");
    const bin = standIn("docker-entrypoint.sh", `printf '%s\\n' "$@" > '${record}'`);
    const result = spawnSync(
      shell ?? "",
      [flag ?? "", script ?? "", name ?? "", datadir, initFile ?? "", ...mysqld],
      {
        env: { PATH: `${bin}:/usr/bin:/bin` },
        encoding: "utf8",
      },
    );
    assert.equal(result.status, 0, result.stderr);
    return readFileSync(record, "utf8").trimEnd().split("\n");
  };

  it("an empty data directory: the image's entrypoint initialises, with no init file", () => {
    assert.deepEqual(entrypointArgs(dir("empty")), ["mysqld"]);
  });

  it("an initialised one: mysqld re-applies the accounts from the init file", () => {
    const datadir = dir("initialised");
    mkdirSync(join(datadir, "mysql"));
    assert.deepEqual(entrypointArgs(datadir), ["mysqld", "--init-file=/etc/hadb/mysql/accounts.sql"]);
  });
});

describe("IRIS apply-accounts.sh (iris-main --after)", () => {
  const database = entry({ engine: "iris", name: "orders", iris: { user: "orders", namespace: "orders" } });
  const files = plain(irisCpfConfigMap(database, irisNames(database, "hadb"))).data as Record<string, string>;
  const [container] = plain(
    irisDeployment(database, irisNames(database, "hadb"), {
      evictionTolerationSeconds: 15,
      credentialsRevision: "",
    }),
  ).spec.template.spec.containers;
  const afterCommand = (container.args as string[])[(container.args as string[]).indexOf("-a") + 1] ?? "";
  const scriptDir = dir("cpf");
  for (const [file, text] of Object.entries(files)) writeFileSync(join(scriptDir, file), text);

  /** Runs the --after command (paths mapped to the test's) with `iris` printing `reply`. */
  const run = (irisBody: string) => {
    const marker = join(dir("tmp"), "hadb-accounts-applied");
    const stdinCopy = join(dir("stdin"), "script");
    const bin = standIn("iris", `cat > '${stdinCopy}'\n${irisBody}`);
    const [program, ...args] = afterCommand
      .replace(/\/irissys\/cpf/g, scriptDir)
      .replace("/tmp/hadb-accounts-applied", marker)
      .split(" ");
    const result = spawnSync(program ?? "", args, {
      env: { PATH: `${bin}:/usr/bin:/bin` },
      encoding: "utf8",
    });
    return {
      ...result,
      marker: existsSync(marker),
      stdin: existsSync(stdinCopy) ? readFileSync(stdinCopy, "utf8") : "",
    };
  };

  it("feeds the accounts script to the instance's terminal in %SYS and marks success", () => {
    const result = run(`echo "${ACCOUNTS_APPLIED}"`);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.marker, true);
    assert.equal(result.stdin, files["accounts.script"]);
  });

  it("without the success line (an error, or only the script echoed back) there is no marker and it fails", () => {
    for (const body of [
      "echo '<PROTECT> error'; exit 1",
      "cat '/dev/null'; exit 0",
      `cat "${join(scriptDir, "accounts.script")}"`,
    ]) {
      const result = run(body);
      assert.notEqual(result.status, 0, body);
      assert.equal(result.marker, false, body);
      assert.match(result.stderr, /applying the IRIS accounts failed/);
    }
  });

  it("the ObjectScript sets up the configured user without a pending password change, reading its password in IRIS", () => {
    const script = irisAccountsScript(database.iris ?? assert.fail(), "/irissys/credentials/password");
    assert.ok(!script.includes(ACCOUNTS_APPLIED), "an echoed script must not look like success");
    assert.match(script, /LinkToFile\("\/irissys\/credentials\/password"\)/);
    assert.match(script, /props\("ChangePassword"\)=0/);
    assert.match(script, /Security\.Users\)\.Exists\("orders"\)/);
    assert.match(script, /props\("NameSpace"\)="ORDERS"/);
    assert.match(script, /GRANT %DB_OBJECT_DEFINITION TO hadb_app/);
    assert.match(script, /Modify\("_SYSTEM",\.admin\)/);
    assert.match(
      script,
      /props\("Password"\)=password,/,
      "the password comes from the file, never a literal",
    );
  });

  it("passes shellcheck (start.sh and apply-accounts.sh)", (t) => {
    if (spawnSync("sh", ["-c", "command -v shellcheck"]).status !== 0) {
      if (process.env.CI === "true") assert.fail("shellcheck is required in CI (.ci/run installs it)");
      t.skip("shellcheck not installed");
      return;
    }
    const scripts = ["components/databases/mysql/start.sh", "components/databases/iris/apply-accounts.sh"];
    const result = spawnSync(
      "shellcheck",
      scripts.map((script) => join(PROJECT_ROOT, script)),
      { encoding: "utf8" },
    );
    assert.equal(result.status, 0, result.stdout);
  });
});

describe("IRIS community licence warning", () => {
  it("warns for community images with the upgrade path, not for licensed ones", () => {
    const warning = irisLicenceWarning(
      "containers.intersystems.com/intersystems/iris-community:2025.1",
      "2026.1",
    );
    assert.match(warning ?? "", /licence expires about 13 months after the release/);
    assert.match(
      warning ?? "",
      /setting the entry's version to a newer release \(hadb's default is 2026\.1\)/,
    );
    assert.equal(
      irisLicenceWarning("containers.intersystems.com/intersystems/iris:2026.1", "2026.1"),
      undefined,
    );
  });
});
