// Validation of the managed-cloud settings: `hadb:aks` / `hadb:eks` / `hadb:gke` plus the cloud
// provider's own region (and project) keys, zones and node counts. Pure: tests call it directly.
import { isCidr, isWholeInternet, overlaps } from "./network";
import { isRecord, oneOf, Problems } from "./problems";
import type { DatabasePool, ManagedCloud, ManagedClusterSettings, NodeOsFamily } from "./types";
import { CLOUD_RULES, GKE_SECONDARY_RANGES, MANAGED_ZONE_COUNT, type CloudRules } from "./cloud-rules";

const GCP_PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const KUBERNETES_MINOR = /^1\.\d{2}$/;
const IAM_PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/;
const COMMON_KEYS = [
  "kubernetesVersion",
  "nodeSize",
  "nodeImage",
  "nodeDiskGB",
  "storageDiskGB",
  "databasePool",
  "networkCidr",
  "apiAllowedCidrs",
];

export const managedCloudKeys = (cloud: ManagedCloud): string[] => [
  ...COMMON_KEYS,
  ...CLOUD_RULES[cloud].extraKeys,
];

export interface ManagedClusterInput {
  cloud: ManagedCloud;
  /** `hadb:<cloud>` as given. */
  value: unknown;
  /** Pulumi config of other namespaces (`aws:region`, `gcp:project`, ...). */
  providerConfig: Record<string, string>;
  zones: string[];
  nodeCount: number;
}

export interface ManagedClusterResult {
  settings: ManagedClusterSettings;
  /** hadb:zones with the cloud's default applied. */
  zones: string[];
  /** The node OS family the chosen image implies. */
  nodeOs: NodeOsFamily;
}

export function readManagedCluster(
  problems: Problems,
  key: string,
  input: ManagedClusterInput,
): ManagedClusterResult {
  const { cloud } = input;
  const rules = CLOUD_RULES[cloud];
  const settings: ManagedClusterSettings = { cloud, region: "", ...structuredClone(rules.defaults) };
  const value = input.value ?? {};

  const region = input.providerConfig[rules.regionKey];
  if (region === undefined || region === "") {
    problems.add(
      rules.regionKey,
      region,
      `is required for hadb:cloud "${cloud}": set it with \`pulumi config set ${rules.regionKey} <region>\`, e.g. ${rules.regionExample}`,
    );
  } else if (!rules.regionPattern.test(region)) {
    problems.add(rules.regionKey, region, `is not a region name; expected e.g. ${rules.regionExample}`);
  } else settings.region = region;

  if (cloud === "gke") {
    const project = input.providerConfig["gcp:project"];
    if (project === undefined || !GCP_PROJECT.test(project)) {
      problems.add(
        "gcp:project",
        project,
        "is required for hadb:cloud \"gke\": a project ID (6-30 lowercase letters, digits, '-')",
      );
    } else settings.project = project;
  }

  const zones = readCloudZones(problems, "hadb:zones", input.zones, rules, settings.region);
  if (input.nodeCount % MANAGED_ZONE_COUNT !== 0) {
    problems.add(
      "hadb:nodeCount",
      input.nodeCount,
      `must be a multiple of ${MANAGED_ZONE_COUNT} on ${cloud}: each zone gets the same number of nodes`,
    );
  }

  if (!isRecord(value)) {
    problems.add(key, value, `must be an object with ${oneOf(managedCloudKeys(cloud))}`);
    return { settings, zones, nodeOs: rules.nodeOsOf[settings.nodeImage] ?? "detect" };
  }
  problems.unknownKeys(key, value, managedCloudKeys(cloud));

  if (value.kubernetesVersion !== undefined) {
    settings.kubernetesVersion =
      problems.string(
        `${key}.kubernetesVersion`,
        value.kubernetesVersion,
        KUBERNETES_MINOR,
        'must be a Kubernetes minor version like "1.35" (the cloud picks the newest patch)',
      ) ?? settings.kubernetesVersion;
  }
  if (value.nodeSize !== undefined) {
    settings.nodeSize =
      problems.string(
        `${key}.nodeSize`,
        value.nodeSize,
        rules.nodeSizePattern,
        `is not a ${cloud} node size; expected e.g. ${rules.nodeSizeExample}`,
      ) ?? settings.nodeSize;
  }
  if (value.nodeImage !== undefined) {
    settings.nodeImage = problems.choice(
      `${key}.nodeImage`,
      value.nodeImage,
      rules.nodeImages,
      {},
      settings.nodeImage,
    );
  }
  const sizes = { nodeDiskGB: [30, 2048], storageDiskGB: [10, 16384] } as const;
  for (const [field, [min, max]] of Object.entries(sizes) as [
    keyof typeof sizes,
    readonly [number, number],
  ][]) {
    if (value[field] !== undefined)
      settings[field] = problems.integer(`${key}.${field}`, value[field], min, max, settings[field]);
  }
  if (value.databasePool !== undefined) {
    const pool = readDatabasePool(problems, `${key}.databasePool`, value.databasePool, rules);
    if (pool) settings.databasePool = pool;
  }
  if (value.networkCidr !== undefined) {
    const cidr = value.networkCidr;
    if (typeof cidr !== "string" || !isCidr(cidr) || cidr.includes(":") || !/\/(1[6-9]|2[0-4])$/.test(cidr))
      problems.add(`${key}.networkCidr`, cidr, "must be an IPv4 CIDR from /16 to /24, e.g. 10.40.0.0/16");
    else settings.networkCidr = cidr;
  }
  if (cloud === "gke") {
    for (const [name, range] of Object.entries(GKE_SECONDARY_RANGES)) {
      if (overlaps(settings.networkCidr, range))
        problems.add(`${key}.networkCidr`, settings.networkCidr, `overlaps the ${name} range ${range}`);
    }
  }
  if (value.apiAllowedCidrs !== undefined)
    settings.apiAllowedCidrs = readCidrList(problems, `${key}.apiAllowedCidrs`, value.apiAllowedCidrs);
  if (value.deletionProtection !== undefined) {
    if (typeof value.deletionProtection !== "boolean")
      problems.add(`${key}.deletionProtection`, value.deletionProtection, "must be true or false");
    else settings.deletionProtection = value.deletionProtection;
  }
  if (value.adminPrincipalArns !== undefined) {
    const arns = value.adminPrincipalArns;
    if (!Array.isArray(arns)) problems.add(`${key}.adminPrincipalArns`, arns, "must be a list of IAM ARNs");
    else {
      arns.forEach((arn: unknown, index) => {
        if (typeof arn !== "string" || !IAM_PRINCIPAL_ARN.test(arn))
          problems.add(
            `${key}.adminPrincipalArns[${index}]`,
            arn,
            "must be an IAM role or user ARN, e.g. arn:aws:iam::123456789012:role/platform-admins",
          );
      });
      settings.adminPrincipalArns = arns.map(String);
    }
  }
  return { settings, zones, nodeOs: rules.nodeOsOf[settings.nodeImage] ?? "detect" };
}

function readCloudZones(
  problems: Problems,
  key: string,
  given: string[],
  rules: CloudRules,
  region: string,
): string[] {
  const zones = given.length === 0 ? (rules.defaultZones ?? []) : given;
  const example = rules.zoneExample(region || "<region>");
  if (zones.length !== MANAGED_ZONE_COUNT || new Set(zones).size !== zones.length) {
    problems.add(
      key,
      given,
      `must list ${MANAGED_ZONE_COUNT} distinct zones of the region (a node in each), e.g. [${example}]`,
    );
    return zones;
  }
  if (region !== "") {
    const pattern = rules.zonePattern(region);
    for (const zone of zones) {
      if (!pattern.test(zone))
        problems.add(key, zone, `is not a zone of region ${region}; expected e.g. ${example}`);
    }
  }
  return zones;
}

function readDatabasePool(
  problems: Problems,
  key: string,
  value: unknown,
  rules: CloudRules,
): DatabasePool | undefined {
  if (!isRecord(value)) {
    problems.add(key, value, "must be an object with nodeCount and nodeSize");
    return undefined;
  }
  problems.unknownKeys(key, value, ["nodeCount", "nodeSize"]);
  const nodeCount = problems.integer(`${key}.nodeCount`, value.nodeCount ?? MANAGED_ZONE_COUNT, 3, 99, 3);
  if (nodeCount % MANAGED_ZONE_COUNT !== 0)
    problems.add(`${key}.nodeCount`, nodeCount, `must be a multiple of ${MANAGED_ZONE_COUNT} (one per zone)`);
  const nodeSize =
    value.nodeSize === undefined
      ? rules.defaults.nodeSize
      : (problems.string(
          `${key}.nodeSize`,
          value.nodeSize,
          rules.nodeSizePattern,
          `is not a node size; expected e.g. ${rules.nodeSizeExample}`,
        ) ?? rules.defaults.nodeSize);
  return { nodeCount, nodeSize };
}

export function readCidrList(problems: Problems, key: string, value: unknown): string[] {
  if (!Array.isArray(value)) {
    problems.add(key, value, 'must be a list of CIDRs, e.g. ["203.0.113.0/24"]');
    return [];
  }
  value.forEach((cidr: unknown, index) => {
    if (typeof cidr !== "string" || !isCidr(cidr))
      problems.add(`${key}[${index}]`, cidr, "must be a CIDR such as 203.0.113.0/24");
    else if (isWholeInternet(cidr))
      problems.add(
        `${key}[${index}]`,
        cidr,
        "admits every address: leave the list empty for the cloud default",
      );
  });
  return value.map(String);
}
