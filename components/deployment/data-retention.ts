// What `pulumi destroy` leaves in the cluster by default (hadb:keepDataOnDestroy, default true): every
// resource that holds a database's data or what is needed to read it. Destroy then removes hadb's
// workloads, Services, policies and jobs and only forgets these (Pulumi's retainOnDelete), so a
// database volume is never deleted without the explicit opt-out `hadb:keepDataOnDestroy: false`.
import { CREDENTIALS_GUARD_COMPONENT } from "../databases/credentials-guard";
import { PGO_CHART } from "../databases/postgres/manifests";
import { LONGHORN_CHART } from "../storage/longhorn/chart";
import { PORTWORX_CHART } from "../storage/portworx/manifests";
import { ROOK_CHARTS } from "../storage/rook-ceph/manifests";
import { chartName } from "./chart-source";

/**
 * Kinds kept on destroy: claims and volumes (the data), Secrets (database credentials, the restic
 * repository key, storage credentials: without them retained data cannot be read; with them each
 * database's credentials guard, a ConfigMap: credentials-guard.ts), Namespaces (deleting
 * one deletes every claim in it), and the custom resources whose deletion makes their operator delete
 * volumes (Ceph cluster, Portworx cluster, PGO PostgresCluster with its claims).
 */
export const RETAINED_TYPES: readonly string[] = [
  "kubernetes:core/v1:PersistentVolumeClaim",
  "kubernetes:core/v1:PersistentVolume",
  "kubernetes:core/v1:Secret",
  "kubernetes:core/v1:Namespace",
  "kubernetes:ceph.rook.io/v1:CephCluster",
  "kubernetes:ceph.rook.io/v1:CephBlockPool",
  "kubernetes:core.libopenstorage.org/v1:StorageCluster",
  "kubernetes:postgres-operator.crunchydata.com/v1beta1:PostgresCluster",
];

/**
 * Charts of the storage systems and database operators that own volumes: uninstalling one deletes
 * the custom resource definitions and controllers their volumes live in.
 */
export const DATA_CHARTS: readonly string[] = [
  LONGHORN_CHART.chart,
  ...Object.values(ROOK_CHARTS).map((c) => c.chart),
  PORTWORX_CHART.chart,
  chartName(PGO_CHART.chart),
];

const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";
const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";

/** A database's credentials guard: kept with its data so a redeploy cannot change its passwords. */
function isCredentialsGuard(props: Record<string, unknown>): boolean {
  const labels = (props.metadata as { labels?: Record<string, unknown> } | undefined)?.labels;
  return labels?.["app.kubernetes.io/component"] === CREDENTIALS_GUARD_COMPONENT;
}

/** Whether destroy should leave this resource (by its type token and inputs) in the cluster. */
export function holdsData(type: string, props: Record<string, unknown>): boolean {
  if (RETAINED_TYPES.includes(type)) return true;
  if (type === CONFIG_MAP) return isCredentialsGuard(props);
  if (type === HELM_RELEASE && typeof props.chart === "string")
    return DATA_CHARTS.includes(chartName(props.chart));
  return false;
}
