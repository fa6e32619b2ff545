// hadb's invariants as pure policy checks over resource inputs, so they also protect stacks that other
// projects build on top of hadb. `policy/index.ts` wraps them into a mandatory Pulumi policy pack;
// tests call them directly. Each check returns violation messages (empty = compliant).

import { isCidr, isWholeInternet } from "../components/config/network";
import {
  controllerTimingsFor,
  databaseTimingsOf,
  type PodTimingFields,
  failoverBudget,
  storageTimings,
} from "../components/failover/budget";
import type { Cloud, StorageBackend } from "../components/config/types";
import { DEFAULT_FENCING_DETECTION_SECONDS, fencerFor, type FencingMode } from "../components/config/fencing";
import { agentFencingTimings } from "../components/failover/fencing";
import { fencedStorage } from "./fencing";
import {
  containersOf,
  count,
  DATABASE_PORTS,
  describe,
  isDatabaseWorkload,
  isRecord,
  kindOf,
  labelsOf,
  list,
  metadataOf,
  nameOf,
  namespaceOf,
  podOf,
  record,
  text,
  type Json,
  type PolicyResourceInput,
} from "./objects";

export { isDatabaseWorkload, kindOf, podOf, type PolicyResourceInput };

export interface HadbPolicyConfig {
  /** Namespaces whose pods may use host namespaces, host paths or privileges. */
  privilegedNamespaces: string[];
  /** Worst-case node-loss recovery a database may have (its failover budget must fit). */
  nodeLossRecoveryTargetSeconds: number;
  /** Platform and storage the budget is computed for. */
  platform: Cloud;
  storage: StorageBackend;
  /** Start time assumed for database engines in the budget. */
  databaseStartSeconds: number;
  /** The stack's hadb:fencing.mode and detectionSeconds, for the budget (docs/fencing.md). */
  fencing: FencingMode;
  fencingDetectionSeconds: number;
}

export const DEFAULT_POLICY_CONFIG: HadbPolicyConfig = {
  privilegedNamespaces: ["hadb-node-prep"],
  nodeLossRecoveryTargetSeconds: 150,
  platform: "existing",
  storage: "longhorn",
  databaseStartSeconds: 30,
  fencing: "automatic",
  fencingDetectionSeconds: DEFAULT_FENCING_DETECTION_SECONDS,
};

/** The fence agent's timings the budget uses, for the platform, storage and fencing of the policy config. */
function policyFencing(config: HadbPolicyConfig) {
  const fencer =
    config.fencing === "automatic"
      ? fencerFor(config.storage, config.platform === "vagrant" ? "vagrant" : "external")
      : undefined;
  return agentFencingTimings({
    mode: config.fencing,
    by: fencer ?? "none",
    detectionSeconds: config.fencingDetectionSeconds,
  });
}

export interface HadbPolicy {
  name: string;
  description: string;
  /** Checks one resource. */
  checkResource?: (resource: PolicyResourceInput, config: HadbPolicyConfig) => string[];
  /** Checks the whole stack (for invariants spanning resources). */
  checkStack?: (
    resources: PolicyResourceInput[],
    config: HadbPolicyConfig,
  ) => { resource: PolicyResourceInput; message: string }[];
}

// ---------- policies ----------

const singleWriter: HadbPolicy = {
  name: "hadb-single-writer",
  description:
    "A Deployment holding a ReadWriteOnce or iSCSI volume runs one replica with the Recreate strategy: two writers would corrupt it (iSCSI has no fencing).",
  checkStack: (resources) => {
    const claims = new Map<string, Json>();
    const volumes = new Map<string, Json>();
    for (const resource of resources) {
      const kind = kindOf(resource.type);
      if (kind === "PersistentVolumeClaim")
        claims.set(`${namespaceOf(resource)}/${nameOf(resource)}`, record(resource.props.spec));
      if (kind === "PersistentVolume") volumes.set(nameOf(resource), record(resource.props.spec));
    }
    const singleWriterClaim = (namespace: string, claimName: string): boolean => {
      const claim = claims.get(`${namespace}/${claimName}`);
      // A claim created elsewhere: assume the safe case, single writer.
      if (!claim) return true;
      const modes = (claim.accessModes as string[] | undefined) ?? [];
      const volume = volumes.get(text(claim.volumeName) ?? "");
      return (
        modes.includes("ReadWriteOnce") || modes.includes("ReadWriteOncePod") || volume?.iscsi !== undefined
      );
    };
    const violations: { resource: PolicyResourceInput; message: string }[] = [];
    for (const resource of resources) {
      if (kindOf(resource.type) !== "Deployment") continue;
      const pod = podOf(resource);
      const holdsSingleWriterVolume = list(pod?.spec.volumes).some(
        (volume) =>
          volume.iscsi !== undefined ||
          (isRecord(volume.persistentVolumeClaim) &&
            singleWriterClaim(namespaceOf(resource), text(volume.persistentVolumeClaim.claimName) ?? "")),
      );
      if (!holdsSingleWriterVolume) continue;
      const spec = record(resource.props.spec);
      const replicas = spec.replicas ?? 1;
      const strategy = text(record(spec.strategy).type) ?? "RollingUpdate";
      if (typeof replicas !== "number" || replicas > 1 || strategy !== "Recreate") {
        violations.push({
          resource,
          message: `${describe(resource)} holds a single-writer volume but has replicas ${JSON.stringify(replicas)} and strategy ${strategy}; use replicas 1 and strategy Recreate`,
        });
      }
    }
    return violations;
  },
};

const LONGHORN = "driver.longhorn.io";
const PORTWORX = ["pxd.portworx.com", "kubernetes.io/portworx-volume"];
const MIN_REPLICAS = 3;

function replicaViolation(what: string, value: unknown): string[] {
  const count = typeof value === "number" ? value : Number(text(value));
  return Number.isInteger(count) && count >= MIN_REPLICAS
    ? []
    : [
        `${what} keeps ${JSON.stringify(value ?? "(unset)")} copies; replicated database storage needs at least ${MIN_REPLICAS}`,
      ];
}

const replicatedStorage: HadbPolicy = {
  name: "hadb-replicated-storage",
  description:
    "Replicated storage keeps at least 3 copies: Longhorn numberOfReplicas, Ceph pool size, Portworx repl.",
  checkResource: (resource) => {
    const kind = kindOf(resource.type);
    const props = resource.props;
    if (kind === "StorageClass") {
      const parameters = record(props.parameters);
      const provisioner = text(props.provisioner) ?? "";
      if (provisioner === LONGHORN)
        return replicaViolation(`StorageClass ${nameOf(resource)}`, parameters.numberOfReplicas);
      if (PORTWORX.includes(provisioner))
        return replicaViolation(`StorageClass ${nameOf(resource)}`, parameters.repl);
    }
    if (kind === "CephBlockPool") {
      return replicaViolation(
        `CephBlockPool ${nameOf(resource)}`,
        record(record(props.spec).replicated).size,
      );
    }
    if (resource.type === "kubernetes:helm.sh/v3:Release" && props.chart === "longhorn") {
      const values = record(props.values);
      const persistence = record(values.persistence);
      const violations = replicaViolation(
        "Longhorn default StorageClass",
        persistence.defaultClassReplicaCount ?? 3,
      );
      const defaultReplicaCount = record(values.defaultSettings).defaultReplicaCount;
      if (typeof defaultReplicaCount === "string" && defaultReplicaCount.startsWith("{")) {
        for (const [engine, count] of Object.entries(JSON.parse(defaultReplicaCount) as Json)) {
          violations.push(...replicaViolation(`Longhorn default replica count (${engine})`, count));
        }
      } else if (defaultReplicaCount !== undefined) {
        violations.push(...replicaViolation("Longhorn default replica count", defaultReplicaCount));
      }
      return violations;
    }
    return [];
  },
};

/** Annotation a NodePort database Service carries to document the network allowlist enforcing it. */
export const NODE_PORT_ALLOWLIST_ANNOTATION = "hadb.io/allowed-source-ranges";

function badRanges(ranges: unknown): string | undefined {
  if (!Array.isArray(ranges) || ranges.length === 0) return "no source ranges";
  const bad = ranges.filter((range) => typeof range !== "string" || !isCidr(range) || isWholeInternet(range));
  return bad.length > 0
    ? `source ranges ${JSON.stringify(bad)} are invalid or admit every address`
    : undefined;
}

const privateDatabaseServices: HadbPolicy = {
  name: "hadb-private-database-services",
  description:
    "A database Service of type LoadBalancer or NodePort must restrict its source ranges (never 0.0.0.0/0).",
  checkResource: (resource) => {
    if (kindOf(resource.type) !== "Service") return [];
    const spec = record(resource.props.spec);
    const type = text(spec.type) ?? "ClusterIP";
    if (type !== "LoadBalancer" && type !== "NodePort") return [];
    const isDatabase =
      labelsOf(resource)["app.kubernetes.io/component"] === "database" ||
      list(spec.ports).some((port) => DATABASE_PORTS.includes(Number(port.port)));
    if (!isDatabase) return [];
    const problem =
      type === "LoadBalancer"
        ? badRanges(spec.loadBalancerSourceRanges)
        : badRanges(
            text(record(metadataOf(resource).annotations)[NODE_PORT_ALLOWLIST_ANNOTATION])?.split(","),
          );
    return problem
      ? [`database Service ${namespaceOf(resource)}/${nameOf(resource)} is a ${type} with ${problem}`]
      : [];
  },
};

const DEFAULT_PASSWORDS = [
  "SYS",
  "sys",
  "password",
  "Password",
  "changeme",
  "admin",
  "root",
  "postgres",
  "mysql",
  "secret",
  "123456",
  "",
];
const PASSWORD_NAME = /pass(word|wd)?$|secret|token/i;
const PASSWORD_FLAG = /^--?(password|passwd|pass)(=.*)?$/i;
const PASSWORD_IN_CONFIG = /(PasswordHash\s*=|^\s*(password|passwd)\s*[=:])/im;

const noLiteralPasswords: HadbPolicy = {
  name: "hadb-no-literal-passwords",
  description:
    "No default or literal passwords: not in container env, arguments or config files (e.g. the IRIS CPF merge), and no Secret holding a well-known default.",
  checkResource: (resource) => {
    const violations: string[] = [];
    const kind = kindOf(resource.type);
    const pod = podOf(resource);
    for (const container of pod ? containersOf(pod.spec) : []) {
      for (const env of list(container.env)) {
        if (PASSWORD_NAME.test(text(env.name) ?? "") && env.value !== undefined) {
          violations.push(
            `${describe(resource)} container ${text(container.name)} sets ${text(env.name)} literally; use valueFrom.secretKeyRef`,
          );
        }
      }
      for (const arg of [
        ...((container.command as unknown[] | undefined) ?? []),
        ...((container.args as unknown[] | undefined) ?? []),
      ]) {
        if (typeof arg === "string" && PASSWORD_FLAG.test(arg)) {
          violations.push(
            `${describe(resource)} container ${text(container.name)} passes a password on the command line (${arg.split("=")[0] ?? arg}); use a password file from a Secret`,
          );
        }
      }
    }
    if (kind === "ConfigMap") {
      for (const [key, value] of Object.entries(record(resource.props.data))) {
        if (typeof value === "string" && PASSWORD_IN_CONFIG.test(value)) {
          violations.push(
            `ConfigMap ${namespaceOf(resource)}/${nameOf(resource)} key ${key} holds a password or password hash; keep credentials in Secrets`,
          );
        }
      }
    }
    if (kind === "Secret") {
      const values = [
        ...Object.entries(record(resource.props.stringData)).map(([key, value]) => [key, value] as const),
        ...Object.entries(record(resource.props.data)).map(
          ([key, value]) =>
            [key, typeof value === "string" ? Buffer.from(value, "base64").toString("utf8") : value] as const,
        ),
      ];
      for (const [key, value] of values) {
        if (PASSWORD_NAME.test(key) && typeof value === "string" && DEFAULT_PASSWORDS.includes(value)) {
          violations.push(
            `Secret ${namespaceOf(resource)}/${nameOf(resource)} key ${key} holds a default password`,
          );
        }
      }
    }
    return violations;
  },
};

const databaseProbes: HadbPolicy = {
  name: "hadb-database-probes",
  description:
    "Database containers have liveness and readiness probes (failure detection is part of failover).",
  checkResource: (resource) => {
    const pod = podOf(resource);
    if (!pod || !isDatabaseWorkload(resource)) return [];
    return list(pod.spec.containers).flatMap((container) =>
      ["livenessProbe", "readinessProbe"]
        .filter((probe) => container[probe] === undefined)
        .map((probe) => `${describe(resource)} container ${text(container.name)} has no ${probe}`),
    );
  },
};

/** The fields of an (untyped) pod spec the failover budget reads; anything else counts as unset. */
function timingFieldsOf(pod: Json): PodTimingFields {
  const probe = (value: unknown) =>
    isRecord(value)
      ? { periodSeconds: count(value.periodSeconds), failureThreshold: count(value.failureThreshold) }
      : undefined;
  return {
    containers: list(pod.containers).map((container) => ({
      name: text(container.name) ?? "",
      livenessProbe: probe(container.livenessProbe),
      readinessProbe: probe(container.readinessProbe),
    })),
    tolerations: list(pod.tolerations).map((toleration) => ({
      key: text(toleration.key),
      tolerationSeconds: count(toleration.tolerationSeconds),
    })),
    terminationGracePeriodSeconds: count(pod.terminationGracePeriodSeconds),
  };
}

const failoverTolerations: HadbPolicy = {
  name: "hadb-failover-tolerations",
  description:
    "Database pods carry not-ready/unreachable tolerations short enough that their node-loss failover budget fits the target.",
  checkResource: (resource, config) => {
    const pod = podOf(resource);
    if (!pod || !isDatabaseWorkload(resource) || kindOf(resource.type) === "DaemonSet") return [];
    const [container] = list(pod.spec.containers);
    if (!container?.livenessProbe || !container.readinessProbe) return []; // reported by hadb-database-probes
    const timings = databaseTimingsOf(
      { spec: { template: { spec: timingFieldsOf(pod.spec) } } },
      text(container.name) ?? "",
      config.databaseStartSeconds,
    );
    const nodeLost = failoverBudget({
      database: timings,
      storage: storageTimings(config.storage),
      controller: controllerTimingsFor(config.platform),
      fencing: policyFencing(config),
    }).find((budget) => budget.failure === "nodeLost");
    if (!nodeLost || nodeLost.totalSeconds <= config.nodeLossRecoveryTargetSeconds) return [];
    return [
      `${describe(resource)} would take up to ${nodeLost.totalSeconds} s to recover from a lost node (target ${config.nodeLossRecoveryTargetSeconds} s): its not-ready/unreachable tolerationSeconds is ${timings.tolerationSeconds}${timings.tolerationSeconds === 300 ? " (Kubernetes default)" : ""}`,
    ];
  },
};

const SEMVER = /^v?\d+\.\d+\.\d+([-+][\w.]+)?$/;

const pinnedVersions: HadbPolicy = {
  name: "hadb-pinned-versions",
  description: "Images carry a fixed tag or digest (never latest), and Helm charts an exact version.",
  checkResource: (resource) => {
    if (
      resource.type === "kubernetes:helm.sh/v3:Release" ||
      resource.type === "kubernetes:helm.sh/v4:Chart"
    ) {
      const version = text(resource.props.version);
      return version && SEMVER.test(version)
        ? []
        : [
            `Helm chart ${text(resource.props.chart) ?? resource.name} has version ${JSON.stringify(version ?? "(unset)")}; pin an exact version`,
          ];
    }
    const pod = podOf(resource);
    return (pod ? containersOf(pod.spec) : []).flatMap((container) => {
      const image = text(container.image) ?? "";
      const pinned =
        /@sha256:[a-f0-9]{64}$/.test(image) ||
        (/:[\w][\w.-]*$/.test(image.split("/").pop() ?? "") && !image.endsWith(":latest"));
      return pinned
        ? []
        : [
            `${describe(resource)} container ${text(container.name)} uses image ${JSON.stringify(image)}; pin a tag or digest`,
          ];
    });
  },
};

const HOST_CAPABILITIES = [
  "ALL",
  "SYS_ADMIN",
  "SYS_MODULE",
  "SYS_PTRACE",
  "NET_ADMIN",
  "SYS_RAWIO",
  "DAC_READ_SEARCH",
];

const privilegedPodsConfined: HadbPolicy = {
  name: "hadb-privileged-pods-confined",
  description:
    "Pods with host namespaces, host paths, privileged mode or host-level capabilities run only in the node-prep namespace.",
  checkResource: (resource, config) => {
    const pod = podOf(resource);
    if (!pod || config.privilegedNamespaces.includes(namespaceOf(resource))) return [];
    const reasons: string[] = [];
    for (const field of ["hostPID", "hostNetwork", "hostIPC"])
      if (pod.spec[field] === true) reasons.push(field);
    if (list(pod.spec.volumes).some((volume) => volume.hostPath !== undefined))
      reasons.push("hostPath volume");
    for (const container of containersOf(pod.spec)) {
      const securityContext = record(container.securityContext);
      if (securityContext.privileged === true) reasons.push(`privileged container ${text(container.name)}`);
      const added = ((record(securityContext.capabilities).add as string[] | undefined) ?? []).filter((c) =>
        HOST_CAPABILITIES.includes(c),
      );
      if (added.length > 0) reasons.push(`capabilities ${added.join(", ")} on ${text(container.name)}`);
    }
    return reasons.length === 0
      ? []
      : [
          `${describe(resource)} needs host access (${reasons.join("; ")}) outside the allowed namespaces ${config.privilegedNamespaces.join(", ")}`,
        ];
  },
};

export const HADB_POLICIES: HadbPolicy[] = [
  singleWriter,
  replicatedStorage,
  privateDatabaseServices,
  noLiteralPasswords,
  databaseProbes,
  failoverTolerations,
  fencedStorage,
  pinnedVersions,
  privilegedPodsConfined,
];

export interface Violation {
  policy: string;
  resource: string;
  message: string;
}

/** Runs the whole pack over a stack's resources (what `pulumi preview --policy-pack policy` enforces). */
export function evaluatePolicies(
  resources: PolicyResourceInput[],
  config: HadbPolicyConfig = DEFAULT_POLICY_CONFIG,
  policies: HadbPolicy[] = HADB_POLICIES,
): Violation[] {
  const violations: Violation[] = [];
  for (const policy of policies) {
    for (const resource of resources) {
      for (const message of policy.checkResource?.(resource, config) ?? []) {
        violations.push({ policy: policy.name, resource: `${resource.type}::${resource.name}`, message });
      }
    }
    for (const { resource, message } of policy.checkStack?.(resources, config) ?? []) {
      violations.push({ policy: policy.name, resource: `${resource.type}::${resource.name}`, message });
    }
  }
  return violations;
}
