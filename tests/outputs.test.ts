// What another project consumes: connection URIs that the engines' own drivers parse back into the parts,
// and the per-consumer Secret copies (`consumerNamespaces`) a stack writes into applications' namespaces.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import * as mysql from "mysql2";
import { Client } from "pg";
import { parse, stringify } from "yaml";
import { connectionUri, jdbcUrl, type ConnectionParts } from "../components/outputs/connection";
import { CONNECTION_SECRET_KEYS } from "../components/outputs/consumer-secrets";
import { REDACTED } from "../tools/synth/write";
import { runSynth } from "./helpers/synth";

// Every character a generated password may hold (components/databases/password.ts), and a user name that
// needs escaping, so the URIs are proven to survive them.
const PASSWORD = "aZ09-_.~Qx";
const parts = (engine: ConnectionParts["engine"], extra: Partial<ConnectionParts> = {}): ConnectionParts => ({
  engine,
  host: "orders.databases.svc.cluster.local",
  port: { iris: 1972, mysql: 3306, postgres: 5432 }[engine],
  username: "app@reporting",
  password: PASSWORD,
  database: "orders",
  ...extra,
});

describe("connection URIs parse back into their parts in the engines' drivers", () => {
  it("PostgreSQL: node-postgres reads user, password, host, port, database and requires TLS", () => {
    const uri = connectionUri(parts("postgres"));
    const { connectionParameters } = new Client({ connectionString: uri }) as unknown as {
      connectionParameters: Record<string, unknown>;
    };
    assert.equal(connectionParameters.user, "app@reporting");
    assert.equal(connectionParameters.password, PASSWORD);
    assert.equal(connectionParameters.host, "orders.databases.svc.cluster.local");
    assert.equal(connectionParameters.port, 5432);
    assert.equal(connectionParameters.database, "orders");
    assert.ok(connectionParameters.ssl, "sslmode=require turns TLS on");
    assert.equal(
      jdbcUrl(parts("postgres")),
      "jdbc:postgresql://orders.databases.svc.cluster.local:5432/orders?sslmode=require",
    );
  });

  it("MySQL: mysql2 reads the same parts", () => {
    const { ConnectionConfig } = mysql as unknown as {
      ConnectionConfig: { parseUrl(url: string): Record<string, unknown> };
    };
    const options = ConnectionConfig.parseUrl(connectionUri(parts("mysql")));
    assert.deepEqual(
      {
        user: options.user,
        password: options.password,
        host: options.host,
        port: options.port,
        database: options.database,
      },
      {
        user: "app@reporting",
        password: PASSWORD,
        host: "orders.databases.svc.cluster.local",
        port: 3306,
        database: "orders",
      },
    );
    assert.equal(jdbcUrl(parts("mysql")), "jdbc:mysql://orders.databases.svc.cluster.local:3306/orders");
  });

  it("IRIS: the iris:// form of SQLAlchemy's IRIS dialect, the namespace as the path; JDBC names it too", () => {
    const url = new URL(connectionUri(parts("iris", { database: "APP" })));
    assert.equal(url.protocol, "iris:");
    assert.equal(decodeURIComponent(url.username), "app@reporting");
    assert.equal(decodeURIComponent(url.password), PASSWORD);
    assert.equal(`${url.hostname}:${url.port}${url.pathname}`, "orders.databases.svc.cluster.local:1972/APP");
    assert.equal(
      jdbcUrl(parts("iris", { database: "APP" })),
      "jdbc:IRIS://orders.databases.svc.cluster.local:1972/APP",
    );
    assert.equal(
      jdbcUrl(parts("iris", { database: null })),
      "jdbc:IRIS://orders.databases.svc.cluster.local:1972",
    );
  });

  it("no password in a JDBC URL (drivers take it as a property)", () => {
    for (const engine of ["iris", "mysql", "postgres"] as const)
      assert.ok(!jdbcUrl(parts(engine)).includes(PASSWORD));
  });
});

describe("consumerNamespaces: a connection Secret in each application's namespace", () => {
  const out = mkdtempSync(join(tmpdir(), "hadb-consumers-"));
  const stackFile = join(out, "Pulumi.consumers.yaml");
  writeFileSync(
    stackFile,
    stringify({
      config: {
        "hadb:databases": [
          { engine: "mysql", name: "shop", consumerNamespaces: ["storefront", "reporting"] },
          { engine: "iris", name: "ledger" },
        ],
      },
    }),
  );
  const run = runSynth([stackFile, "--out", join(out, "synth"), "--json"]);
  const manifests = () =>
    readdirSync(join(out, "synth", "manifests")).map(
      (file) => parse(readFileSync(join(out, "synth", "manifests", file), "utf8")) as Record<string, any>,
    );

  it("writes hadb-<database> with the connection's parts and URIs, secret, into each listed namespace only", () => {
    assert.equal(run.status, 0, run.stderr);
    const copies = manifests().filter(
      (object) => object.kind === "Secret" && object.metadata.name === "hadb-shop",
    );
    assert.deepEqual(copies.map((secret) => secret.metadata.namespace).sort(), ["reporting", "storefront"]);
    for (const secret of copies) {
      assert.deepEqual(Object.keys(secret.stringData).sort(), CONNECTION_SECRET_KEYS);
      for (const value of Object.values(secret.stringData))
        assert.equal(value, REDACTED, "the whole copy is secret");
    }
    assert.ok(!manifests().some((object) => object.metadata?.name === "hadb-ledger"), "no copy unless asked");
  });

  it("the databases output names the copies; databaseConnections stays secret", () => {
    const outputs = JSON.parse(readFileSync(join(out, "synth", "outputs.json"), "utf8")) as Record<
      string,
      any
    >;
    assert.deepEqual(outputs.databases.shop.consumerSecrets, {
      storefront: "hadb-shop",
      reporting: "hadb-shop",
    });
    assert.deepEqual(outputs.databases.ledger.consumerSecrets, {});
    assert.deepEqual(outputs.databaseConnections, { shop: REDACTED, ledger: REDACTED });
  });
});
