// Kubernetes recommended labels (app.kubernetes.io/*) for everything hadb creates, so users can select
// hadb objects and tools (and the policy pack) can tell database workloads apart.

export const PART_OF = "hadb";

export interface LabelParts {
  /** The application, e.g. "iris" or "hadb-node-prep". */
  name: string;
  /** This instance, e.g. the database name. */
  instance: string;
  component: string;
  version?: string;
}

export function recommendedLabels(parts: LabelParts): Record<string, string> {
  return {
    "app.kubernetes.io/name": parts.name,
    "app.kubernetes.io/instance": parts.instance,
    "app.kubernetes.io/component": parts.component,
    ...(parts.version ? { "app.kubernetes.io/version": parts.version } : {}),
    "app.kubernetes.io/part-of": PART_OF,
    "app.kubernetes.io/managed-by": "pulumi",
  };
}

/** The stable subset used in selectors (selectors are immutable, so no version in them). */
export function selectorLabels(parts: Pick<LabelParts, "name" | "instance">): Record<string, string> {
  return { "app.kubernetes.io/name": parts.name, "app.kubernetes.io/instance": parts.instance };
}

/** Label value for a container image's tag (labels cannot hold '/' or ':'). */
export function imageVersion(image: string): string {
  const tag = image.includes("@")
    ? image.slice(image.indexOf("@") + 1, image.indexOf("@") + 20)
    : image.split(":").pop();
  return (tag ?? "unknown").replace(/[^A-Za-z0-9._-]/g, "-").slice(0, 63);
}
