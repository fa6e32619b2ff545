// PostgreSQL through PGO: the PostgresCluster builder (one writer per volume, replicas apart, failover
// tolerations, database-pool affinity), the pre-created user Secret PGO adopts, and the failover budget
// (Patroni promotion with replicas; the StatefulSet node-loss caveat without Longhorn).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { configFromMap } from "../components/config/load";
import type { HadbConfig } from "../components/config/types";
import { postgresFailoverBudget } from "../components/databases/postgres/budget";
import {
  INSTANCE_SET,
  postgresCluster,
  postgresNames,
  postgresUserSecret,
} from "../components/databases/postgres/manifests";

function configWith(postgres: Record<string, unknown>, extra: Record<string, string> = {}): HadbConfig {
  return configFromMap({
    "hadb:databases": JSON.stringify([{ engine: "postgres", name: "orders", postgres }]),
    ...extra,
  });
}

describe("PostgresCluster builder", () => {
  it("one writer by default, on the stack's class, tolerating node failure for the configured seconds", () => {
    const config = configWith({});
    const [database] = config.databases;
    assert.ok(database);
    const cluster = postgresCluster(database, postgresNames(database, "hadb"), {
      storageClassName: "hadb-longhorn",
      evictionTolerationSeconds: 12,
      nodeSelector: undefined,
    }) as any;
    const [set] = cluster.spec.instances;
    assert.equal(set.name, INSTANCE_SET);
    assert.equal(set.replicas, 1);
    assert.equal(set.affinity, undefined, "a single writer needs no anti-affinity");
    assert.equal(set.dataVolumeClaimSpec.storageClassName, "hadb-longhorn");
    assert.deepEqual(
      set.tolerations.map((t: any) => [t.key, t.tolerationSeconds]),
      [
        ["node.kubernetes.io/not-ready", 12],
        ["node.kubernetes.io/unreachable", 12],
      ],
    );
    assert.equal(cluster.spec.postgresVersion, 17);
    assert.deepEqual(cluster.spec.users, [{ name: "app", databases: ["orders"] }]);
    // PGO limits cluster name + instance set name to 46 characters.
    assert.ok("a".repeat(40).length + INSTANCE_SET.length <= 46);
  });

  it("replicas never share a node; a database pool becomes required node affinity", () => {
    const [database] = configWith({ instances: 3 }).databases;
    assert.ok(database);
    const cluster = postgresCluster(database, postgresNames(database, "hadb"), {
      storageClassName: "c",
      evictionTolerationSeconds: 15,
      nodeSelector: { "hadb.io/pool": "database" },
    }) as any;
    const { affinity } = cluster.spec.instances[0];
    const [term] = affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution;
    assert.equal(term.topologyKey, "kubernetes.io/hostname");
    assert.equal(
      term.labelSelector.matchLabels["postgres-operator.crunchydata.com/instance-set"],
      INSTANCE_SET,
    );
    const [selector] = affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    assert.deepEqual(selector.matchExpressions, [
      { key: "hadb.io/pool", operator: "In", values: ["database"] },
    ]);
  });

  it("the user Secret carries the name and labels PGO looks up, and the generated password", () => {
    const [database] = configWith({ user: "orders-app" }).databases;
    assert.ok(database);
    const names = postgresNames(database, "hadb");
    const secret = postgresUserSecret(database, names, { password: "pw", verifier: "v" }) as any;
    assert.equal(secret.metadata.name, "orders-pguser-orders-app");
    assert.equal(secret.metadata.labels["postgres-operator.crunchydata.com/cluster"], "orders");
    assert.equal(secret.metadata.labels["postgres-operator.crunchydata.com/pguser"], "orders-app");
    assert.equal(secret.metadata.labels["postgres-operator.crunchydata.com/role"], "pguser");
    // hadb's verifier travels with the password, so PGO re-applies it when it changes (rotation).
    assert.deepEqual(secret.stringData, { user: "orders-app", password: "pw", verifier: "v" });
    // PGO co-owns the keys it copies back: a changed password must win the server-side apply.
    assert.equal(secret.metadata.annotations["pulumi.com/patchForce"], "true");
    assert.equal(names.primaryService, "orders-primary");
  });
});

describe("PostgreSQL failover budget", () => {
  const total = (budget: ReturnType<typeof postgresFailoverBudget>, failure: string) =>
    budget.find((b) => b.failure === failure);

  it("with replicas, every pod or node failure is a Patroni promotion: lease + one loop + readiness", () => {
    const config = configWith({ instances: 2 });
    const budget = postgresFailoverBudget(config.databases[0] ?? assert.fail(), config);
    const nodeLost = total(budget, "nodeLost");
    assert.deepEqual(
      nodeLost?.steps.map((s) => s.seconds),
      [30, 10, 10],
    );
    assert.equal(nodeLost.totalSeconds, 50);
  });

  it("a single instance on Longhorn recovers by itself; on Rook-Ceph it needs the out-of-service taint", () => {
    const longhorn = configWith({});
    const onLonghorn = total(
      postgresFailoverBudget(longhorn.databases[0] ?? assert.fail(), longhorn),
      "nodeLost",
    );
    assert.ok(onLonghorn?.steps.every((s) => !s.source.includes("operator action")));
    // Nothing hadb ships fences RBD: the stack opts out (docs/fencing.md), as the rook stacks do.
    const rook = configWith(
      {},
      { "hadb:storage": "rook-ceph", "hadb:blockDevices": '["/dev/sdb"]', "hadb:fencing": '{"mode":"off"}' },
    );
    const onRook = total(postgresFailoverBudget(rook.databases[0] ?? assert.fail(), rook), "nodeLost");
    const manual = onRook?.steps.find((s) => s.source.includes("operator action"));
    assert.ok(manual, "the budget names the manual step");
    assert.match(manual.step, /out-of-service taint/);
  });

  it("a dying PostgreSQL process is restarted by Patroni inside the pod", () => {
    const config = configWith({});
    const processDies = total(
      postgresFailoverBudget(config.databases[0] ?? assert.fail(), config),
      "processDies",
    );
    assert.match(processDies?.steps[0]?.step ?? "", /Patroni/);
  });
});
