// The third-party CRDs of the schema tier, generated from upstream's own API Go packages at the
// versions pinned in test/crds/<set>/go.mod (test/crds/build.sh runs controller-gen over them).
// Nothing generated is committed: the CRDs land in a cache outside the clone, one directory per
// module version ($HADB_CRDS_CACHE, default ~/.cache/hadb/crds/<module>@<version>/).
//
// Interface for other tiers (e.g. stand-in Helm charts that install these CRDs):
//   CRD_SETS, crdDirectory(set), crdFiles(set), crdKinds(set), crdFilesForChart(chart).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";

const HERE = __dirname;

export const CRDS_CACHE =
  process.env.HADB_CRDS_CACHE ??
  join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "hadb", "crds");

export interface CrdSet {
  /** Folder of its Go module under test/crds/. */
  name: string;
  /** The upstream Go module the API package comes from (its version is read from go.mod). */
  module: string;
  /** API packages under the module, relative to it. */
  packages: string[];
  /** controller-gen's crd generator options, as upstream's own build passes them. */
  options: string;
  groups: string[];
  /** Helm charts (by chart name, as hadb pins them) that install these CRDs. */
  charts: string[];
  /** Annotations upstream adds to its generated CRDs by hand (kept so the API server accepts them). */
  annotations?: Record<string, string>;
}

export const CRD_SETS: readonly CrdSet[] = [
  {
    name: "longhorn",
    module: "github.com/longhorn/longhorn-manager",
    packages: ["k8s/pkg/apis/longhorn/v1beta2"],
    // longhorn-manager k8s/generate_code.sh: plain `crd` (v1); descriptions dropped, they do not validate.
    options: "crd:maxDescLen=0",
    groups: ["longhorn.io"],
    charts: ["longhorn"],
  },
  {
    name: "rook",
    module: "github.com/rook/rook/pkg/apis",
    packages: ["ceph.rook.io/v1"],
    // rook build/crds/build-crds.sh.
    options: "crd:maxDescLen=0,generateEmbeddedObjectMeta=true,allowDangerousTypes=true",
    groups: ["ceph.rook.io"],
    charts: ["rook-ceph"],
  },
  {
    name: "snapshot",
    module: "github.com/kubernetes-csi/external-snapshotter/client/v8",
    packages: ["apis/volumesnapshot/v1"],
    options: "crd:maxDescLen=0",
    groups: ["snapshot.storage.k8s.io"],
    charts: ["snapshot-controller"],
    // A *.k8s.io group needs the API-review annotation (KEP 1111); upstream adds it after controller-gen
    // (client/hack/README.md) with the PR that approved the API.
    annotations: {
      "api-approved.kubernetes.io": "https://github.com/kubernetes-csi/external-snapshotter/pull/814",
    },
  },
  {
    name: "monitoring",
    module: "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring",
    packages: ["v1"],
    // prometheus-operator's Makefile: crd:crdVersions=v1; descriptions dropped, they do not validate.
    options: "crd:crdVersions=v1,maxDescLen=0",
    groups: ["monitoring.coreos.com"],
    charts: ["kube-prometheus-stack"],
  },
];

/**
 * Kinds hadb writes whose upstream Go module the registry does not serve at any version: the schema
 * and real-control-plane tiers do not cover them (README, "Tiers of proof").
 */
export const UNCOVERED_GROUPS: Readonly<Record<string, string>> = {
  "postgres-operator.crunchydata.com":
    "Crunchy PGO: github.com/crunchydata/postgres-operator is not served by the Go module proxy",
  "core.libopenstorage.org":
    "Portworx operator: github.com/libopenstorage/operator is not served by the Go module proxy",
  "stork.libopenstorage.org": "Stork: github.com/libopenstorage/stork is not served by the Go module proxy",
};

/** The version of the set's upstream module, as its go.mod requires it. */
export function moduleVersion(set: CrdSet): string {
  const goMod = readFileSync(join(HERE, set.name, "go.mod"), "utf8");
  const escaped = set.module.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const match = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, "m").exec(goMod);
  if (!match?.[1]) throw new Error(`test/crds/${set.name}/go.mod does not require ${set.module}`);
  return match[1];
}

/** Where build.sh writes the set's CRDs: one directory per module version. */
export function crdDirectory(set: CrdSet): string {
  return join(CRDS_CACHE, `${set.module}@${moduleVersion(set)}`);
}

/** The set's generated CRD files; throws when build.sh has not generated them. */
export function crdFiles(set: CrdSet): string[] {
  const dir = crdDirectory(set);
  if (!existsSync(join(dir, ".stamp")))
    throw new Error(`CRDs of ${set.module} not generated in ${dir}: run test/crds/build.sh`);
  return readdirSync(dir)
    .filter((file) => file.endsWith(".yaml"))
    .sort()
    .map((file) => join(dir, file));
}

export interface CrdKind {
  group: string;
  kind: string;
  plural: string;
  versions: string[];
}

export function crdKinds(set: CrdSet): CrdKind[] {
  return crdFiles(set).map((file) => {
    const crd = parse(readFileSync(file, "utf8")) as {
      spec: { group: string; names: { kind: string; plural: string }; versions: { name: string }[] };
    };
    return {
      group: crd.spec.group,
      kind: crd.spec.names.kind,
      plural: crd.spec.names.plural,
      versions: crd.spec.versions.map((v) => v.name),
    };
  });
}

/** CRD files a chart installs (by the chart name hadb pins); [] for a chart that installs none here. */
export function crdFilesForChart(chart: string): string[] {
  return CRD_SETS.filter((set) => set.charts.includes(chart)).flatMap(crdFiles);
}

/** Whether every set is generated (the tier's skip rule: locally a skip, in CI a failure). */
export function missingCrdSets(): string[] {
  return CRD_SETS.filter((set) => !existsSync(join(crdDirectory(set), ".stamp"))).map((set) => set.name);
}
