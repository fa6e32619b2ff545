// STAND-IN load-balancer controller for the real-engine tier: no cloud controller runs here, and the
// Kubernetes provider waits for a LoadBalancer Service to get an address. This gives each such Service
// the loopback address as its ingress (no traffic is ever sent to it), as a cloud controller would give
// it a load balancer's address.
import type { ControlPlane } from "../controlplane/cluster";

interface Service {
  metadata: { name: string; namespace: string };
  spec: { type?: string };
  status?: { loadBalancer?: { ingress?: unknown[] } };
}

export const STAND_IN_LB_ADDRESS = "127.0.0.1";

/** One round: every LoadBalancer Service without an ingress gets the stand-in address. */
export async function assignLoadBalancers(cp: ControlPlane): Promise<void> {
  const services = JSON.parse(await cp.kubectl(["get", "services", "-A", "-o", "json"])) as {
    items: Service[];
  };
  for (const service of services.items) {
    if (service.spec.type !== "LoadBalancer" || (service.status?.loadBalancer?.ingress?.length ?? 0) > 0)
      continue;
    await cp.kubectlResult([
      "patch",
      "service",
      service.metadata.name,
      "-n",
      service.metadata.namespace,
      "--subresource=status",
      "--type=merge",
      "-p",
      JSON.stringify({ status: { loadBalancer: { ingress: [{ ip: STAND_IN_LB_ADDRESS }] } } }),
    ]);
  }
}
