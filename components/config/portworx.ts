// `hadb:portworx` and its secret keys: cluster name, AKS service principal, licence, and the external
// KVDB + cluster domain a PX-DR (Metro) pair needs.
import type { ConfigKey } from "./keys";
import { isEmptyObject, isRecord, Problems } from "./problems";
import type { Cloud, PortworxSettings, StorageBackend } from "./types";

const CLUSTER_NAME = /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Portworx's KVDB endpoint syntax: the store type, then its client URL. */
const KVDB_ENDPOINT = /^etcd:https?:\/\/[A-Za-z0-9.-]+:[0-9]{1,5}$/;
const CLUSTER_DOMAIN = /^[a-z]([-a-z0-9]{0,30}[a-z0-9])?$/;
const PORTWORX_KEYS = ["clusterName", "azure", "kvdb", "clusterDomain"];

export function readPortworx(
  problems: Problems,
  raw: Partial<Record<ConfigKey, unknown>>,
  context: { cloud: Cloud; storage: StorageBackend },
): PortworxSettings | undefined {
  const key = "hadb:portworx";
  const value = raw.portworx ?? {};
  const secret = (name: "portworxAzureClientSecret" | "portworxLicenseKey"): string | undefined =>
    typeof raw[name] === "string" && raw[name] !== "" ? raw[name] : undefined;
  if (context.storage !== "portworx") {
    if (!isEmptyObject(value))
      problems.add(key, value, `only applies to storage "portworx" (storage is "${context.storage}")`);
    for (const name of ["portworxAzureClientSecret", "portworxLicenseKey"] as const)
      if (secret(name) !== undefined)
        problems.add(
          `hadb:${name}`,
          "(set)",
          `only applies to storage "portworx" (storage is "${context.storage}")`,
        );
    return undefined;
  }
  if (!isRecord(value)) {
    problems.add(key, value, "must be an object with clusterName and, on aks, azure: {tenantId, clientId}");
    return undefined;
  }
  problems.unknownKeys(key, value, PORTWORX_KEYS);
  const clusterName =
    value.clusterName === undefined
      ? "hadb-px"
      : (problems.string(
          `${key}.clusterName`,
          value.clusterName,
          CLUSTER_NAME,
          "must be a DNS label of at most 40 characters",
        ) ?? "hadb-px");
  const settings: PortworxSettings = { clusterName };
  const licenseKey = secret("portworxLicenseKey");
  if (licenseKey !== undefined) settings.licenseKey = licenseKey;
  const kvdbEndpoints = readKvdb(problems, `${key}.kvdb`, value.kvdb);
  if (kvdbEndpoints) settings.kvdbEndpoints = kvdbEndpoints;
  if (value.clusterDomain !== undefined) {
    const domain = problems.string(
      `${key}.clusterDomain`,
      value.clusterDomain,
      CLUSTER_DOMAIN,
      "must be a DNS label of at most 32 characters, e.g. site-a",
    );
    if (domain !== undefined) settings.clusterDomain = domain;
  }
  const azure = value.azure;
  if (context.cloud === "aks") {
    const clientSecret = secret("portworxAzureClientSecret");
    if (!isRecord(azure) || typeof azure.tenantId !== "string" || typeof azure.clientId !== "string") {
      problems.add(
        `${key}.azure`,
        azure,
        "is required on aks: {tenantId, clientId} of a service principal allowed to manage disks in the node resource group (docs/storage/portworx.md)",
      );
    } else if (!UUID.test(azure.tenantId) || !UUID.test(azure.clientId)) {
      problems.add(`${key}.azure`, azure, "must hold the tenant and client IDs as GUIDs");
    } else if (clientSecret === undefined) {
      problems.add(
        "hadb:portworxAzureClientSecret",
        undefined,
        "is required on aks: `pulumi config set --secret hadb:portworxAzureClientSecret <secret>`",
      );
    } else settings.azure = { tenantId: azure.tenantId, clientId: azure.clientId, clientSecret };
  } else if (azure !== undefined) {
    problems.add(`${key}.azure`, azure, `only applies to cloud "aks" (cloud is "${context.cloud}")`);
  }
  return settings;
}

/** `{endpoints: [...]}` of an external etcd; undefined = the internal KVDB. */
function readKvdb(problems: Problems, key: string, value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value) || !Array.isArray(value.endpoints)) {
    problems.add(key, value, 'must be {endpoints: ["etcd:https://host:2379", ...]} (an external etcd)');
    return undefined;
  }
  problems.unknownKeys(key, value, ["endpoints"]);
  const endpoints = value.endpoints as unknown[];
  if (endpoints.length === 0) {
    problems.add(`${key}.endpoints`, endpoints, "must list at least one etcd endpoint");
    return undefined;
  }
  const valid = endpoints.filter((endpoint, index): endpoint is string => {
    if (typeof endpoint === "string" && KVDB_ENDPOINT.test(endpoint)) return true;
    problems.add(
      `${key}.endpoints[${index}]`,
      endpoint,
      'must be "etcd:<http|https>://<host>:<port>", e.g. "etcd:https://10.0.0.5:2379"',
    );
    return false;
  });
  if (new Set(valid).size !== valid.length)
    problems.add(`${key}.endpoints`, endpoints, "must not repeat an endpoint");
  return valid.length === endpoints.length ? valid : undefined;
}
