// The Service in front of one database: private ClusterIP by default; a load balancer or node ports
// only when the stack opted in with an allowlist.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { DatabaseSpec } from "../config/types";

/** Records the network allowlist on NodePort Services (Kubernetes cannot filter them; the policy pack checks it). */
export const NODE_PORT_ALLOWLIST_ANNOTATION = "hadb.io/allowed-source-ranges";

export interface ServiceParts {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  selector: Record<string, string>;
  /** Port name -> port; container ports carry the same names. */
  ports: Record<string, number>;
}

export function databaseService(
  database: DatabaseSpec,
  parts: ServiceParts,
): k8s.types.input.core.v1.Service {
  const exposure = database.exposure;
  const ports = Object.entries(parts.ports).map(([name, port]) => ({
    name,
    port,
    targetPort: name,
    protocol: "TCP",
    ...(exposure.type === "nodePort" && exposure.nodePorts[name] !== undefined
      ? { nodePort: exposure.nodePorts[name] }
      : {}),
  }));
  const metadata = { name: parts.name, namespace: parts.namespace, labels: parts.labels };
  const common = { selector: parts.selector, ports };
  switch (exposure.type) {
    case "loadBalancer":
      return {
        metadata: { ...metadata, annotations: exposure.annotations },
        spec: { ...common, type: "LoadBalancer", loadBalancerSourceRanges: exposure.allowedSourceRanges },
      };
    case "nodePort":
      return {
        metadata: {
          ...metadata,
          annotations: { [NODE_PORT_ALLOWLIST_ANNOTATION]: exposure.allowedSourceRanges.join(",") },
        },
        spec: { ...common, type: "NodePort" },
      };
    case "clusterIP":
      return { metadata, spec: { ...common, type: "ClusterIP" } };
  }
}

/** Where a LoadBalancer Service is reachable (IP, or host name on AWS); null until assigned or when private. */
export function loadBalancerAddress(service: k8s.core.v1.Service): pulumi.Output<string | null> {
  // The SDK types every status field as present; a real Service has no ingress until the cloud assigns one.
  type Status = { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } } | undefined;
  return service.status.apply((status: Status) => {
    const ingress = status?.loadBalancer?.ingress?.[0];
    return ingress?.ip ?? ingress?.hostname ?? null;
  });
}
