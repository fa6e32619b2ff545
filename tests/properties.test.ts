// Property tests of the pure planners (fast-check): invariants that must hold for every input, not just
// the examples the other test files pick. Each property names what a user relies on.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { configFromMap } from "../components/config/load";
import { cronProblem } from "../components/config/cron";
import { GIBIBYTE, MEBIBYTE, parseQuantity } from "../components/config/quantity";
import { STORAGE_BACKENDS } from "../components/config/types";
import { stackFailoverBudget } from "../components/databases/budget";
import { postgresCluster, postgresNames } from "../components/databases/postgres/manifests";
import { FAILURES, failoverBudget, storageTimings, type FailureBudget } from "../components/failover/budget";
import { replicaAntiAffinity, longhornValues } from "../components/storage/longhorn/chart";
import { cephBlockPool } from "../components/storage/rook-ceph/manifests";

const seconds = fc.integer({ min: 0, max: 600 });
const positive = fc.integer({ min: 1, max: 120 });
const probe = fc.record({ periodSeconds: positive, failureThreshold: fc.integer({ min: 1, max: 10 }) });
const databaseTimings = fc.record({
  liveness: probe,
  readiness: probe,
  terminationGracePeriodSeconds: seconds,
  tolerationSeconds: seconds,
  startSeconds: seconds,
});
const controller = fc.record({
  timings: fc.record({
    nodeMonitorGracePeriodSeconds: fc.integer({ min: 1, max: 300 }),
    nodeStatusUpdateFrequencySeconds: fc.integer({ min: 1, max: 60 }),
    nodeMonitorPeriodSeconds: fc.integer({ min: 1, max: 60 }),
  }),
  source: fc.constant("property test"),
});
const backend = fc.constantFrom(...STORAGE_BACKENDS);
const totalOf = (budgets: FailureBudget[], failure: string): number =>
  budgets.find((budget) => budget.failure === failure)?.totalSeconds ?? Number.NaN;

describe("failover budget (properties)", () => {
  it("every failure is covered, and each total is the sum of its steps, none negative", () => {
    fc.assert(
      fc.property(databaseTimings, backend, controller, (database, storage, platform) => {
        const budgets = failoverBudget({ database, storage: storageTimings(storage), controller: platform });
        assert.deepEqual(
          budgets.map((budget) => budget.failure),
          [...FAILURES],
        );
        for (const budget of budgets) {
          assert.equal(
            budget.totalSeconds,
            budget.steps.reduce((sum, step) => sum + step.seconds, 0),
          );
          assert.ok(budget.steps.every((step) => step.seconds >= 0 && step.source !== ""));
        }
      }),
    );
  });

  it("the eviction toleration moves the lost-node total second for second and nothing else", () => {
    fc.assert(
      fc.property(databaseTimings, backend, controller, seconds, (database, storage, platform, extra) => {
        const budget = (tolerationSeconds: number) =>
          failoverBudget({
            database: { ...database, tolerationSeconds },
            storage: storageTimings(storage),
            controller: platform,
          });
        const base = budget(database.tolerationSeconds);
        const later = budget(database.tolerationSeconds + extra);
        for (const failure of FAILURES)
          assert.equal(totalOf(later, failure) - totalOf(base, failure), failure === "nodeLost" ? extra : 0);
      }),
    );
  });

  it("read from the deployed manifests: hadb:evictionTolerationSeconds adds exactly itself to a lost node", () => {
    const engines = fc.constantFrom("iris", "mysql", "postgres");
    fc.assert(
      fc.property(engines, fc.integer({ min: 0, max: 300 }), (engine, toleration) => {
        const budgetWith = (evictionTolerationSeconds: number) => {
          const config = configFromMap({
            "hadb:evictionTolerationSeconds": String(evictionTolerationSeconds),
            "hadb:databases": JSON.stringify([{ engine, name: "db" }]),
          });
          const budgets = stackFailoverBudget(config).db;
          assert.ok(budgets);
          return budgets;
        };
        assert.equal(
          totalOf(budgetWith(toleration), "nodeLost") - totalOf(budgetWith(0), "nodeLost"),
          toleration,
        );
      }),
    );
  });
});

describe("replica placement (properties)", () => {
  const zones = fc.uniqueArray(fc.stringMatching(/^zone-[a-z0-9]{1,6}$/), { maxLength: 6 });
  const replicas = fc.integer({ min: 3, max: 20 });

  it("Longhorn: replicas never share a node; zones are hard only when there is one per replica", () => {
    fc.assert(
      fc.property(replicas, zones, (count, zoneList) => {
        const placement = { replicas: count, zones: zoneList };
        const antiAffinity = replicaAntiAffinity(placement);
        assert.equal(antiAffinity.node, "hard");
        assert.equal(antiAffinity.zone === "hard", zoneList.length >= count);
        const settings = longhornValues(placement).defaultSettings as Record<string, string>;
        assert.equal(settings.replicaSoftAntiAffinity, "false");
        assert.equal(settings.replicaZoneSoftAntiAffinity, antiAffinity.zone === "hard" ? "false" : "true");
      }),
    );
  });

  it("Rook-Ceph agrees with Longhorn: one copy per zone exactly when Longhorn's zone rule is hard", () => {
    fc.assert(
      fc.property(replicas, zones, (count, zoneList) => {
        const pool = cephBlockPool({ replicas: count, zones: zoneList }) as any;
        const zoneHard = replicaAntiAffinity({ replicas: count, zones: zoneList }).zone === "hard";
        assert.equal(pool.spec.failureDomain, zoneHard ? "zone" : "host");
        assert.equal(pool.spec.replicated.size, count);
      }),
    );
  });

  it("PostgreSQL: a streaming replica never lands on its primary's node; a single instance has no such rule", () => {
    const selector = fc.option(
      fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.stringMatching(/^[a-z0-9]{1,8}$/), {
        minKeys: 1,
        maxKeys: 3,
      }),
      { nil: undefined },
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), selector, (instances, nodeSelector) => {
        const [database] = configFromMap({
          "hadb:databases": JSON.stringify([{ engine: "postgres", name: "orders", postgres: { instances } }]),
        }).databases;
        assert.ok(database);
        const cluster = postgresCluster(database, postgresNames(database, "hadb"), {
          storageClassName: "hadb-longhorn",
          evictionTolerationSeconds: 15,
          nodeSelector,
        }) as any;
        const [set] = cluster.spec.instances;
        assert.equal(set.replicas, instances);
        const antiAffinity = set.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
        if (instances > 1) {
          assert.equal(antiAffinity?.[0]?.topologyKey, "kubernetes.io/hostname");
          assert.equal(
            antiAffinity?.[0]?.labelSelector.matchLabels["postgres-operator.crunchydata.com/cluster"],
            "orders",
          );
        } else assert.equal(antiAffinity, undefined);
        const terms =
          set.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
        if (nodeSelector === undefined) assert.equal(terms, undefined);
        else
          assert.deepEqual(
            terms[0].matchExpressions,
            Object.entries(nodeSelector).map(([key, value]) => ({ key, operator: "In", values: [value] })),
          );
      }),
    );
  });
});

describe("quantities (properties)", () => {
  const binary = fc.constantFrom<[string, number]>(
    ["Ki", 2 ** 10],
    ["Mi", 2 ** 20],
    ["Gi", 2 ** 30],
    ["Ti", 2 ** 40],
  );
  const decimal = fc.constantFrom<[string, number]>(["k", 1e3], ["M", 1e6], ["G", 1e9], ["T", 1e12]);

  it("an integer with a suffix is that integer times the suffix's factor", () => {
    fc.assert(
      fc.property(fc.nat({ max: 100_000 }), fc.oneof(binary, decimal), (count, [suffix, factor]) => {
        assert.equal(parseQuantity(`${count}${suffix}`), count * factor);
      }),
    );
  });

  it("millicores are thousandths, and a bare number is itself", () => {
    fc.assert(
      fc.property(fc.nat({ max: 1_000_000 }), (count) => {
        assert.ok(Math.abs((parseQuantity(`${count}m`) ?? Number.NaN) - count / 1000) < 1e-9);
        assert.equal(parseQuantity(String(count)), count);
      }),
    );
  });

  it("bigger suffixes mean bigger sizes: n Gi > n Mi, and 1024 Mi = 1 Gi", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), (count) => {
        assert.ok((parseQuantity(`${count}Gi`) ?? 0) > (parseQuantity(`${count}Mi`) ?? 0));
        assert.equal(parseQuantity(`${count * 1024}Mi`), count * GIBIBYTE);
        assert.equal(parseQuantity(`${count}Mi`), count * MEBIBYTE);
      }),
    );
  });

  it("anything with a sign, a space, an exponent or an unknown suffix is refused", () => {
    const junk = fc.oneof(
      fc.nat().map((n) => `-${n}Gi`),
      fc.nat().map((n) => ` ${n}Mi`),
      fc.nat().map((n) => `${n}e3`),
      fc.tuple(fc.nat(), fc.constantFrom("KB", "mb", "g", "Kib", "GiB")).map(([n, s]) => `${n}${s}`),
    );
    fc.assert(
      fc.property(junk, (text) => {
        assert.equal(parseQuantity(text), undefined);
      }),
    );
  });
});

describe("cron expressions (properties)", () => {
  const FIELDS = [
    [0, 59],
    [0, 23],
    [1, 31],
    [1, 12],
    [0, 7],
  ] as const;
  /** One item of a field: *, a value, a range, each with an optional step. */
  const item = (min: number, max: number) =>
    fc
      .tuple(
        fc.oneof(
          fc.constant("*"),
          fc.integer({ min, max }).map(String),
          fc
            .tuple(fc.integer({ min, max }), fc.integer({ min, max }))
            .map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
        ),
        fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
      )
      .map(([base, step]) => (step === undefined ? base : `${base}/${step}`));
  const field = ([min, max]: readonly [number, number]) =>
    fc.array(item(min, max), { minLength: 1, maxLength: 3 }).map((items) => items.join(","));
  const expression = fc.tuple(...FIELDS.map(field)).map((fields) => fields.join(" "));

  it("accepts every well-formed 5-field expression", () => {
    fc.assert(
      fc.property(expression, (text) => {
        assert.equal(cronProblem(text), undefined);
      }),
    );
  });

  it("refuses a value outside its field's range, naming the field", () => {
    fc.assert(
      fc.property(
        expression,
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 1, max: 100 }),
        (text, index, over) => {
          const [, max] = FIELDS[index] ?? [0, 0];
          const parts = text.split(" ");
          parts[index] = String(max + over);
          assert.match(cronProblem(parts.join(" ")) ?? "", /outside/);
        },
      ),
    );
  });

  it("refuses any other number of fields", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constant("*"), { maxLength: 9 }).filter((fields) => fields.length !== 5),
        (fields) => {
          assert.match(cronProblem(fields.join(" ")) ?? "", /must have 5 fields/);
        },
      ),
    );
  });
});
