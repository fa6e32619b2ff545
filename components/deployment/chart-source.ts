// Where every Helm chart is fetched from: its pinned upstream repository, or the stack's mirror
// (hadb:chartRepository), a Helm repository holding the same chart names and versions. Air-gapped
// clusters need it; the real-engine tier points it at the stand-in charts it serves on loopback.

/** The chart-source fields of a k8s.helm.v3.Release's inputs. */
export interface ReleaseChartSource {
  chart: string;
  version?: string;
  repositoryOpts?: Record<string, unknown>;
}

/** The chart's name: the last path segment of an OCI reference, else the chart as given. */
export function chartName(chart: string): string {
  return chart.startsWith("oci://") ? chart.slice(chart.lastIndexOf("/") + 1) : chart;
}

/**
 * The release's chart source taken from the mirror: same chart name and version, the mirror as its
 * repository (an http(s) Helm repository) or registry path (oci://).
 */
export function mirroredChart(source: ReleaseChartSource, mirror: string): ReleaseChartSource {
  const name = chartName(source.chart);
  const { repo: _upstream, ...otherOpts } = source.repositoryOpts ?? {};
  if (mirror.startsWith("oci://")) {
    return {
      ...source,
      chart: `${mirror}/${name}`,
      ...(Object.keys(otherOpts).length > 0 ? { repositoryOpts: otherOpts } : { repositoryOpts: undefined }),
    };
  }
  return { ...source, chart: name, repositoryOpts: { ...otherOpts, repo: mirror } };
}
