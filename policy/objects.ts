// Reading Kubernetes objects from a policy's resource inputs: shared by the policies (policies.ts,
// fencing.ts). Inputs are untyped JSON, so every reader tolerates missing or ill-typed fields.

/** One resource as a policy sees it: its type token, name and input properties. */
export interface PolicyResourceInput {
  type: string;
  name: string;
  props: Record<string, unknown>;
}

export type Json = Record<string, unknown>;
export const isRecord = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
export const record = (value: unknown): Json => (isRecord(value) ? value : {});
export const list = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isRecord) : []);
export const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
export const count = (value: unknown): number | undefined => (typeof value === "number" ? value : undefined);

/** `kubernetes:apps/v1:Deployment` -> `Deployment`; undefined for non-Kubernetes types. */
export function kindOf(type: string): string | undefined {
  if (!type.startsWith("kubernetes:")) return undefined;
  return type.split(":").pop();
}

export const metadataOf = (resource: PolicyResourceInput) => record(resource.props.metadata);
export const nameOf = (resource: PolicyResourceInput) => text(metadataOf(resource).name) ?? resource.name;
export const namespaceOf = (resource: PolicyResourceInput) =>
  text(metadataOf(resource).namespace) ?? "default";
export const labelsOf = (resource: PolicyResourceInput) => record(metadataOf(resource).labels);
export const describe = (resource: PolicyResourceInput) =>
  `${kindOf(resource.type) ?? resource.type} ${namespaceOf(resource)}/${nameOf(resource)}`;

const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"];

/** The pod spec of any workload kind (and its template labels). */
export function podOf(resource: PolicyResourceInput): { spec: Json; labels: Json } | undefined {
  const kind = kindOf(resource.type);
  if (!kind || !WORKLOAD_KINDS.includes(kind)) return undefined;
  const spec = record(resource.props.spec);
  if (kind === "Pod") return { spec, labels: labelsOf(resource) };
  const template =
    kind === "CronJob" ? record(record(record(spec.jobTemplate).spec).template) : record(spec.template);
  return { spec: record(template.spec), labels: record(record(template.metadata).labels) };
}

export const containersOf = (pod: Json): Json[] => [...list(pod.initContainers), ...list(pod.containers)];

const DATABASE_IMAGE = /(^|\/)(iris[\w-]*|mysql|mariadb|postgres(ql)?|crunchy-postgres)(:|@|$)/;
export const DATABASE_PORTS = [1972, 52773, 3306, 5432];

/** hadb's database workloads, and other projects' workloads running a database image. */
export function isDatabaseWorkload(resource: PolicyResourceInput): boolean {
  const pod = podOf(resource);
  if (!pod) return false;
  if (labelsOf(resource)["app.kubernetes.io/component"] === "database") return true;
  if (pod.labels["app.kubernetes.io/component"] === "database") return true;
  return list(pod.spec.containers).some((c) => DATABASE_IMAGE.test(text(c.image) ?? ""));
}
