import type * as pulumi from "@pulumi/pulumi";
import type { Engine } from "../config/types";

/** How clients reach one database; the plain part becomes the `databases` stack output. */
export interface DatabaseEndpoint {
  engine: Engine;
  namespace: string;
  /** In-cluster DNS name of the Service. */
  host: string;
  ports: Record<string, number>;
  username: string;
  /** Application database (engines that create one, e.g. MySQL). */
  database?: string;
  /** Secret (in `namespace`) holding `username` and `password`. */
  credentialsSecret: string;
  /** The password, as a Pulumi secret. */
  password: pulumi.Output<string>;
  /** Every credential hadb set for the engine, by role (secrets; a DR standby reuses them). */
  credentials: Record<string, pulumi.Output<string>>;
  /** The load balancer's IP or host name once the cloud assigned one; null for any other Service. */
  externalAddress: pulumi.Output<string | null>;
}

/** In-cluster DNS name of a database Service. */
export function serviceHost(service: string, namespace: string): string {
  return `${service}.${namespace}.svc.cluster.local`;
}
