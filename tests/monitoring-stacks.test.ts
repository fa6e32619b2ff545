// Tier 1: every ready stack with hadb:monitoring on renders its monitors, its alert rules and its
// dashboard, whose queries name only series the stack's scraped exporters produce; stacks with it off
// render none of them. The objects' schema is prometheus-operator's (checked in the e2e tier when its
// CRDs are there); this proves what the program produces, not that a Prometheus scrapes it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { HadbConfig } from "../components/config/types";
import { EXPORTER_METRICS, SCRAPE_METRICS, scrapedExporters } from "../components/monitoring/exporters";
import { KUBE_PROMETHEUS_STACK_CHART } from "../components/monitoring/versions";
import { REDACTED } from "../tools/synth/write";
import { siteConfig, STACKS, synthStack } from "./helpers/synth";
import { metricNames } from "./helpers/promql";

const MONITORING_KINDS = ["ServiceMonitor", "PodMonitor", "PrometheusRule"];

const monitored = STACKS.filter((stack) => siteConfig(stack).monitoring.mode !== "off");

describe("ready stacks with monitoring", () => {
  it("several stacks turn it on, over every backend with replicated copies and both modes", () => {
    const configs = monitored.map((stack) => siteConfig(stack));
    for (const storage of ["longhorn", "rook-ceph", "portworx"])
      assert.ok(
        configs.some((config) => config.storage === storage),
        `no ready stack monitors ${storage}`,
      );
    for (const mode of ["operator", "install"])
      assert.ok(
        configs.some((config) => config.monitoring.mode === mode),
        `no ready stack uses mode ${mode}`,
      );
  });
});

for (const stack of STACKS) {
  const config: HadbConfig = siteConfig(stack);
  describe(`stack ${stack}: monitoring ${config.monitoring.mode}`, () => {
    const result = synthStack(stack);
    const objects = result.manifests.filter((object) => MONITORING_KINDS.includes(object.kind));

    if (config.monitoring.mode === "off") {
      it("renders no monitors, rules, dashboard or monitoring outputs", () => {
        assert.deepEqual(objects, []);
        assert.ok(!result.manifests.some((o) => o.metadata.name === "hadb-dashboard"));
        // Every stack exports every key (components/outputs/catalog.ts): null when monitoring is off.
        assert.equal(result.outputs.monitoring, null);
      });
      return;
    }

    const pxStandby = config.disasterRecovery?.role === "standby" && config.storage === "portworx";
    const databases = pxStandby ? [] : config.databases;

    it("renders a monitor per metrics source, one PrometheusRule and the dashboard ConfigMap", () => {
      const kinds = (kind: string) => objects.filter((o) => o.kind === kind);
      assert.equal(kinds("ServiceMonitor").length, config.storage === "iscsi" ? 0 : 1);
      assert.deepEqual(
        kinds("PodMonitor")
          .map((o) => o.metadata.name)
          .sort(),
        databases.map((d) => `hadb-${d.name}`).sort(),
      );
      assert.equal(kinds("PrometheusRule").length, 1);
      for (const object of objects) {
        assert.equal(object.metadata.namespace, pxStandby ? "portworx" : config.namespace);
        for (const [label, value] of Object.entries(config.monitoring.labels))
          assert.equal(
            (object.metadata.labels as Record<string, string>)[label],
            value,
            object.metadata.name,
          );
      }
      const dashboard = result.manifests.find(
        (o) => o.kind === "ConfigMap" && o.metadata.name === "hadb-dashboard",
      );
      assert.ok(dashboard, "dashboard ConfigMap");
      assert.equal((dashboard.metadata.labels as Record<string, string>).grafana_dashboard, "1");
    });

    it("every rule and dashboard query names only series its scraped exporters produce", () => {
      const known = new Set([
        ...scrapedExporters(
          config.storage,
          databases.map((d) => d.engine),
        ).flatMap((exporter) => EXPORTER_METRICS[exporter]),
        ...SCRAPE_METRICS,
      ]);
      const rule = objects.find((o) => o.kind === "PrometheusRule") as any;
      const dashboard = result.manifests.find((o) => o.metadata.name === "hadb-dashboard") as any;
      const panels = Object.values(dashboard.data as Record<string, string>).flatMap(
        (text) => JSON.parse(text).panels as { targets: { expr: string }[] }[],
      );
      const queries = [
        ...rule.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.expr as string)),
        ...panels.flatMap((panel) => panel.targets.map((target) => target.expr)),
      ];
      for (const query of queries)
        for (const name of metricNames(query)) assert.ok(known.has(name), `${name} in ${query}`);
    });

    it("PostgreSQL clusters run PGO's exporter", () => {
      for (const cluster of result.manifests.filter((o) => o.kind === "PostgresCluster"))
        assert.deepEqual((cluster as any).spec.monitoring, { pgmonitor: { exporter: {} } });
    });

    if (config.monitoring.mode === "install")
      it("installs the pinned kube-prometheus-stack with a generated, secret Grafana password", () => {
        const release = result.releases.find((r) => r.chart === KUBE_PROMETHEUS_STACK_CHART.chart);
        assert.ok(release);
        assert.equal(release.version, KUBE_PROMETHEUS_STACK_CHART.version);
        assert.equal(release.namespace, config.monitoring.namespace);
        assert.equal(result.outputs.grafanaAdminPassword, REDACTED);
        const secret = result.manifests.find(
          (o) => o.kind === "Secret" && o.metadata.name === "hadb-grafana-admin",
        );
        assert.equal((secret as any).stringData["admin-password"], REDACTED);
      });
  });
}
