// The chaos tool's command line and planning, as a user meets them (the live-cluster run itself needs a
// cluster: its write/verify core is tested against real servers in chaos-writers.test.ts).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  parseChaosArgs,
  parseStackOutputs,
  planRuns,
  stopProcessCommand,
  UsageError,
} from "../tools/chaos/plan";
import { PROJECT_ROOT } from "./helpers/synth";

const outputs = parseStackOutputs(
  JSON.stringify({
    databases: {
      iris: {
        engine: "iris",
        namespace: "hadb",
        host: "iris.hadb.svc.cluster.local",
        ports: { superserver: 1972, webserver: 52773 },
        username: "app",
        database: "APP",
      },
      shop: {
        engine: "mysql",
        namespace: "hadb",
        host: "shop.hadb.svc.cluster.local",
        ports: { mysql: 3306 },
        username: "app",
        database: "shop",
      },
    },
    databasePasswords: { iris: "x", shop: "y" },
  }),
);

describe("chaos tool arguments", () => {
  it("defaults to the three experiments hadb can cause by itself, on every database", () => {
    const args = parseChaosArgs(["--stack", "dev"]);
    assert.deepEqual(args.experiments, ["processDies", "podDeleted", "nodeDrained"]);
    const runs = planRuns(outputs, args);
    assert.deepEqual(
      runs.map((r) => `${r.database}:${r.engine}:${r.port ?? "exec"}`),
      ["iris:iris:exec", "shop:mysql:3306"],
    );
    assert.equal(runs[1]?.databaseName, "shop");
    // IRIS: the application's namespace, where its account may write.
    assert.equal(runs[0]?.databaseName, "APP");
  });

  it("rejects what it cannot do, saying why", () => {
    const rejects = (argv: string[], message: RegExp) => {
      assert.throws(
        () => parseChaosArgs(argv),
        (error: unknown) => error instanceof UsageError && message.test(error.message),
      );
    };
    rejects([], /--stack is required/);
    rejects(
      ["--stack", "dev", "--experiment", "podDeleted,meteor"],
      /unknown experiment meteor; allowed: processDies, podDeleted, nodeDrained, nodeLost/,
    );
    rejects(["--stack", "dev", "--experiment", "nodeLost"], /nodeLost needs --node-loss-command/);
    rejects(["--stack", "dev", "--interval-ms", "0"], /--interval-ms needs a positive integer/);
    rejects(
      ["--stack", "dev", "--interval-ms", "500", "--timeout-ms", "100"],
      /--timeout-ms must be at least --interval-ms/,
    );
    rejects(["--stack"], /--stack needs a value/);
    rejects(["--stack", "dev", "--fast"], /unknown argument "--fast"/);
    assert.throws(
      () => planRuns(outputs, parseChaosArgs(["--stack", "dev", "--database", "nope"])),
      /no database nope in the stack; it has: iris, shop/,
    );
    assert.throws(() => parseStackOutputs("{}"), /no `databases`\/`databasePasswords` outputs/);
  });

  it("accepts node loss with the platform's command", () => {
    const args = parseChaosArgs([
      "--stack",
      "lab",
      "--experiment",
      "nodeLost",
      "--node-loss-command",
      "vagrant halt $NODE",
    ]);
    assert.equal(args.nodeLossCommand, "vagrant halt $NODE");
  });

  it("stops each engine with its own command, never with a password on the command line", () => {
    assert.deepEqual(stopProcessCommand("iris"), ["iris", "stop", "IRIS", "quietly"]);
    assert.match(
      stopProcessCommand("mysql").join(" "),
      /MYSQL_PWD="\$MYSQL_ROOT_PASSWORD" mysqladmin -u root shutdown/,
    );
  });

  it("`npm run chaos` without arguments prints usage and exits 2", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", join(PROJECT_ROOT, "tools", "chaos.ts")], {
      encoding: "utf8",
    });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--stack is required/);
    assert.match(result.stderr, /usage: npm run chaos -- --stack <name>/);
  });
});
