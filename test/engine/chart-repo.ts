// A Helm chart repository served on loopback for the real-engine tier, pointed at by the stack's
// hadb:chartRepository (the chart-mirror feature). It holds STAND-IN charts: each has the name and
// version hadb pins, and installs only custom resource definitions (crds/), supplied per chart by the
// caller; they are not upstream's charts (no chart repository is reachable here): no operator,
// controller or workload runs, so custom resources are accepted by the API server and stay inert.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { stringify } from "yaml";
import { PGO_CHART } from "../../components/databases/postgres/manifests";
import { KUBE_PROMETHEUS_STACK_CHART } from "../../components/monitoring/versions";
import { chartName } from "../../components/deployment/chart-source";
import { SNAPSHOT_CONTROLLER_CHART } from "../../components/shared/snapshot-controller";
import { LONGHORN_CHART } from "../../components/storage/longhorn/chart";
import { PORTWORX_CHART } from "../../components/storage/portworx/manifests";
import { ROOK_CHARTS } from "../../components/storage/rook-ceph/manifests";

export interface StandInChart {
  name: string;
  version: string;
}

/** Every chart hadb pins, by the name the mirror serves it under. */
export const PINNED_CHARTS: StandInChart[] = [
  LONGHORN_CHART,
  SNAPSHOT_CONTROLLER_CHART,
  ROOK_CHARTS.operator,
  ROOK_CHARTS.csiDrivers,
  PORTWORX_CHART,
  PGO_CHART,
  KUBE_PROMETHEUS_STACK_CHART,
].map((c) => ({ name: chartName(c.chart), version: c.version }));

export interface ChartRepository {
  url: string;
  stop(): Promise<void>;
}

/** Packs one stand-in chart (Chart.yaml + crds/) into DIR/<name>-<version>.tgz; returns the file name. */
function packChart(dir: string, chart: StandInChart, crds: string[]): string {
  const root = join(dir, "src", `${chart.name}-${chart.version}`, chart.name);
  mkdirSync(join(root, "crds"), { recursive: true });
  writeFileSync(
    join(root, "Chart.yaml"),
    stringify({
      apiVersion: "v2",
      name: chart.name,
      version: chart.version,
      description: `hadb test STAND-IN for ${chart.name} ${chart.version}: installs its CRDs only, runs nothing`,
      type: "application",
    }),
  );
  crds.forEach((crd, i) => {
    writeFileSync(join(root, "crds", `crd-${i}.yaml`), crd);
  });
  const file = `${chart.name}-${chart.version}.tgz`;
  execFileSync("tar", ["-czf", join(dir, file), "-C", join(root, ".."), chart.name]);
  return file;
}

/**
 * Builds the stand-in charts into DIR and serves them (index.yaml + .tgz) on 127.0.0.1 at a free port.
 * `crdsOf` gives the CRD documents (YAML) a chart installs.
 */
export async function serveChartRepository(
  dir: string,
  crdsOf: (chart: StandInChart) => string[],
): Promise<ChartRepository> {
  mkdirSync(dir, { recursive: true });
  const server: Server = createServer((req, res) => {
    const name = (req.url ?? "/").replace(/\?.*$/, "").replace(/^\/+/, "");
    if (!/^[A-Za-z0-9._-]+$/.test(name)) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = readFileSync(join(dir, name));
      res.writeHead(200, { "content-type": name.endsWith(".yaml") ? "text/yaml" : "application/gzip" });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolveListen) => server.listen(0, "127.0.0.1", resolveListen));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const entries: Record<string, unknown[]> = {};
  const created = new Date().toISOString();
  for (const chart of PINNED_CHARTS) {
    const file = packChart(dir, chart, crdsOf(chart));
    const digest = createHash("sha256")
      .update(readFileSync(join(dir, file)))
      .digest("hex");
    entries[chart.name] = [
      {
        apiVersion: "v2",
        name: chart.name,
        version: chart.version,
        urls: [`${url}/${file}`],
        digest,
        created,
      },
    ];
  }
  writeFileSync(join(dir, "index.yaml"), stringify({ apiVersion: "v1", entries, generated: created }));
  return {
    url,
    stop: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => {
          resolveClose();
        });
      }),
  };
}
