// Deployment policies: the chart mirror (hadb:chartRepository) and what `pulumi destroy` keeps
// (hadb:keepDataOnDestroy), as pure functions and applied to the real program under mocks.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { configFromMap } from "../components/config/load";
import { chartName, mirroredChart } from "../components/deployment/chart-source";
import { DATA_CHARTS, holdsData } from "../components/deployment/data-retention";
import { deploymentTransformation } from "../components/deployment/policies";
import { PGO_CHART } from "../components/databases/postgres/manifests";
import { LONGHORN_CHART } from "../components/storage/longhorn/chart";
import { evaluateProgram } from "../tools/synth/evaluate";
import { PROJECT_ROOT, stackConfigValues } from "./helpers/synth";

const LONGHORN = {
  chart: "longhorn",
  version: "1.12.1",
  repositoryOpts: { repo: "https://charts.longhorn.io" },
};
const PGO = { chart: "oci://registry.developers.crunchydata.com/crunchydata/pgo", version: "5.8.6" };

describe("hadb:chartRepository", () => {
  it("defaults to upstream and accepts http(s) and oci mirrors (trailing slash dropped)", () => {
    assert.equal(configFromMap({}).deployment.chartRepository, undefined);
    for (const [given, kept] of [
      ["https://charts.example.internal/hadb/", "https://charts.example.internal/hadb"],
      ["http://127.0.0.1:8080", "http://127.0.0.1:8080"],
      ["oci://registry.example.internal/charts", "oci://registry.example.internal/charts"],
    ] as const)
      assert.equal(configFromMap({ "hadb:chartRepository": given }).deployment.chartRepository, kept);
  });

  it("rejects what is not a repository URL, embedded credentials and queries, naming the key", () => {
    for (const [value, reason] of [
      ["charts.example.internal", /must be a Helm repository URL/],
      ["ftp://charts.example.internal", /must be a Helm repository URL/],
      ["https://user:pw@charts.example.internal", /must not embed credentials/],
      ["https://charts.example.internal/?token=x", /must not have a query/],
    ] as const)
      assert.throws(
        () => configFromMap({ "hadb:chartRepository": value }),
        (e: Error) =>
          e.message.includes(`hadb:chartRepository: ${JSON.stringify(value)}`) && reason.test(e.message),
        value,
      );
  });

  it("serves each chart under its own name and pinned version from the mirror", () => {
    assert.deepEqual(mirroredChart(LONGHORN, "http://mirror:8080"), {
      chart: "longhorn",
      version: "1.12.1",
      repositoryOpts: { repo: "http://mirror:8080" },
    });
    assert.deepEqual(mirroredChart(PGO, "http://mirror:8080"), {
      chart: "pgo",
      version: "5.8.6",
      repositoryOpts: { repo: "http://mirror:8080" },
    });
    assert.deepEqual(mirroredChart(LONGHORN, "oci://registry.internal/charts"), {
      chart: "oci://registry.internal/charts/longhorn",
      version: "1.12.1",
      repositoryOpts: undefined,
    });
  });
});

describe("hadb:keepDataOnDestroy", () => {
  it("defaults to true; false is the explicit opt-out; other values are refused", () => {
    assert.equal(configFromMap({}).deployment.keepDataOnDestroy, true);
    assert.equal(configFromMap({ "hadb:keepDataOnDestroy": "false" }).deployment.keepDataOnDestroy, false);
    assert.throws(() => configFromMap({ "hadb:keepDataOnDestroy": "maybe" }), /hadb:keepDataOnDestroy/);
  });

  it("keeps claims, volumes, Secrets, Namespaces, data custom resources and storage/operator charts", () => {
    for (const type of [
      "kubernetes:core/v1:PersistentVolumeClaim",
      "kubernetes:core/v1:PersistentVolume",
      "kubernetes:core/v1:Secret",
      "kubernetes:core/v1:Namespace",
      "kubernetes:postgres-operator.crunchydata.com/v1beta1:PostgresCluster",
      "kubernetes:ceph.rook.io/v1:CephCluster",
    ])
      assert.ok(holdsData(type, {}), type);
    assert.ok(holdsData("kubernetes:helm.sh/v3:Release", { chart: "longhorn" }));
    assert.ok(holdsData("kubernetes:helm.sh/v3:Release", { chart: PGO.chart }));
    assert.deepEqual([...DATA_CHARTS].sort(), [
      "ceph-csi-drivers",
      "longhorn",
      "pgo",
      "portworx",
      "rook-ceph",
    ]);
    for (const [type, props] of [
      ["kubernetes:apps/v1:Deployment", {}],
      ["kubernetes:core/v1:Service", {}],
      ["kubernetes:batch/v1:CronJob", {}],
      ["kubernetes:helm.sh/v3:Release", { chart: "snapshot-controller" }],
    ] as const)
      assert.equal(holdsData(type, props), false, type);
    assert.equal(chartName(PGO.chart), "pgo");
  });

  it("the stack transformation marks data retainOnDelete and rewrites releases to the mirror", () => {
    const on = deploymentTransformation({ chartRepository: "http://mirror", keepDataOnDestroy: true });
    const off = deploymentTransformation({ chartRepository: undefined, keepDataOnDestroy: false });
    const args = (type: string, props: Record<string, unknown>) =>
      ({ type, name: "x", props, opts: {}, resource: undefined as never }) as Parameters<typeof on>[0];
    assert.equal(on(args("kubernetes:core/v1:PersistentVolumeClaim", {}))?.opts.retainOnDelete, true);
    assert.equal(on(args("kubernetes:apps/v1:Deployment", {})), undefined);
    assert.equal(off(args("kubernetes:core/v1:PersistentVolumeClaim", {})), undefined);
    const release = on(args("kubernetes:helm.sh/v3:Release", { ...LONGHORN, name: "longhorn" }));
    assert.ok(release);
    assert.equal(release.opts.retainOnDelete, true);
    assert.deepEqual(release.props, {
      ...LONGHORN,
      name: "longhorn",
      repositoryOpts: { repo: "http://mirror" },
    });
  });
});

describe("the program applies the mirror to every release", () => {
  it("existing-zonal with a mirror: Longhorn and PGO come from it, by name and pinned version", async () => {
    const config = {
      ...stackConfigValues("existing-zonal"),
      "hadb:chartRepository": "http://127.0.0.1:9/charts",
    };
    const evaluation = await evaluateProgram({
      projectRoot: PROJECT_ROOT,
      stack: "existing-zonal",
      config,
      secretKeys: [],
    });
    const releases = evaluation.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release");
    assert.deepEqual(
      releases
        .map((r) => [r.inputs.chart, r.inputs.version, (r.inputs.repositoryOpts as { repo?: string }).repo])
        .sort(),
      [
        ["longhorn", LONGHORN_CHART.version, "http://127.0.0.1:9/charts"],
        ["pgo", PGO_CHART.version, "http://127.0.0.1:9/charts"],
      ],
    );
  });
});
