// The CRDs each stand-in chart installs: the ones generated from upstream's API Go modules (test/crds,
// issue 14) for Longhorn, Rook and the CSI snapshot controller; for the groups whose upstream module
// the Go module registry does not serve (PGO, the Portworx operator, Stork: test/crds UNCOVERED_GROUPS)
// a STAND-IN definition of each kind hadb writes, schema-less (any spec is accepted), so the engine can
// create, diff and delete those resources; it proves nothing about their fields.
import { readFileSync } from "node:fs";
import { stringify } from "yaml";
import { KUBE_PROMETHEUS_STACK_CHART } from "../../components/monitoring/versions";
import { crdFilesForChart, UNCOVERED_GROUPS } from "../crds/catalog";
import type { StandInChart } from "./chart-repo";

interface StandInKind {
  group: string;
  version: string;
  kind: string;
  plural: string;
  scope: "Namespaced" | "Cluster";
}

/** The uncovered kinds hadb writes, by the chart that would install them (Stork comes with Portworx). */
const STAND_IN_KINDS: Record<string, StandInKind[]> = {
  pgo: [
    {
      group: "postgres-operator.crunchydata.com",
      version: "v1beta1",
      kind: "PostgresCluster",
      plural: "postgresclusters",
      scope: "Namespaced",
    },
  ],
  portworx: [
    {
      group: "core.libopenstorage.org",
      version: "v1",
      kind: "StorageCluster",
      plural: "storageclusters",
      scope: "Namespaced",
    },
    {
      group: "stork.libopenstorage.org",
      version: "v1alpha1",
      kind: "ClusterPair",
      plural: "clusterpairs",
      scope: "Namespaced",
    },
    {
      group: "stork.libopenstorage.org",
      version: "v1alpha1",
      kind: "MigrationSchedule",
      plural: "migrationschedules",
      scope: "Namespaced",
    },
    {
      group: "stork.libopenstorage.org",
      version: "v1alpha1",
      kind: "SchedulePolicy",
      plural: "schedulepolicies",
      scope: "Cluster",
    },
  ],
};

export function standInDefinition(k: StandInKind): string {
  if (!(k.group in UNCOVERED_GROUPS)) throw new Error(`${k.group} has upstream-generated CRDs: use them`);
  return stringify({
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: `${k.plural}.${k.group}`,
      annotations: { "hadb.test/stand-in": `schema-less: ${UNCOVERED_GROUPS[k.group] ?? ""}` },
    },
    spec: {
      group: k.group,
      scope: k.scope,
      names: { kind: k.kind, plural: k.plural, singular: k.kind.toLowerCase(), listKind: `${k.kind}List` },
      versions: [
        {
          name: k.version,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
          subresources: { status: {} },
        },
      ],
    },
  });
}

/**
 * Generated CRDs a stand-in chart also carries because what it stands for installs them at run time:
 * the Portworx operator installs the CSI snapshot CRDs itself (its CSI snapshot controller).
 */
const INSTALLED_AT_RUN_TIME: Record<string, string[]> = { portworx: ["snapshot-controller"] };

export function standInCrds(chart: StandInChart): string[] {
  return [
    ...[chart.name, ...(INSTALLED_AT_RUN_TIME[chart.name] ?? [])]
      .flatMap((name) => crdFilesForChart(name))
      .map((file) => readFileSync(file, "utf8")),
    ...(STAND_IN_KINDS[chart.name] ?? []).map(standInDefinition),
  ];
}

/**
 * hadb:monitoring mode `operator` uses the cluster's own prometheus-operator: the site gets its CRDs
 * (generated from upstream's API module, the version kube-prometheus-stack pins) before `up`, as a
 * cluster running that operator has them. No operator runs; the monitors and rules stay inert.
 */
export function clusterMonitoringCrdFiles(config: Record<string, unknown>): string[] {
  const monitoring = config["hadb:monitoring"] as { mode?: unknown } | undefined;
  return monitoring?.mode === "operator" ? crdFilesForChart(KUBE_PROMETHEUS_STACK_CHART.chart) : [];
}
