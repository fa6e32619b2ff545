// hadb's policy pack: `pulumi preview --policy-pack policy` (mandatory: violations block the update).
// The checks live in ./policies.ts so tests can call them without the policy runtime.
import {
  PolicyPack,
  type PolicyConfigSchema,
  type ResourceValidationPolicy,
  type StackValidationPolicy,
} from "@pulumi/policy";
import { DEFAULT_POLICY_CONFIG, HADB_POLICIES, type HadbPolicy, type HadbPolicyConfig } from "./policies";

/** Every policy accepts the same settings, so a stack can tell the pack its platform and target. */
const configSchema: PolicyConfigSchema = {
  properties: {
    privilegedNamespaces: {
      type: "array",
      items: { type: "string" },
      default: DEFAULT_POLICY_CONFIG.privilegedNamespaces,
    },
    nodeLossRecoveryTargetSeconds: {
      type: "integer",
      default: DEFAULT_POLICY_CONFIG.nodeLossRecoveryTargetSeconds,
    },
    platform: {
      type: "string",
      enum: ["aks", "eks", "gke", "vagrant", "existing"],
      default: DEFAULT_POLICY_CONFIG.platform,
    },
    storage: {
      type: "string",
      enum: ["longhorn", "rook-ceph", "portworx", "iscsi"],
      default: DEFAULT_POLICY_CONFIG.storage,
    },
    databaseStartSeconds: { type: "integer", default: DEFAULT_POLICY_CONFIG.databaseStartSeconds },
    fencing: { type: "string", enum: ["automatic", "off"], default: DEFAULT_POLICY_CONFIG.fencing },
    fencingDetectionSeconds: {
      type: "integer",
      default: DEFAULT_POLICY_CONFIG.fencingDetectionSeconds,
    },
  },
};

function toPulumiPolicy(policy: HadbPolicy): ResourceValidationPolicy | StackValidationPolicy {
  const common = {
    name: policy.name,
    description: policy.description,
    enforcementLevel: "mandatory" as const,
    configSchema,
  };
  const { checkStack, checkResource } = policy;
  if (checkStack) {
    return {
      ...common,
      validateStack: (args, reportViolation) => {
        const config = { ...DEFAULT_POLICY_CONFIG, ...args.getConfig<Partial<HadbPolicyConfig>>() };
        const byName = new Map(args.resources.map((r) => [`${r.type}::${r.name}`, r.urn]));
        for (const violation of checkStack(args.resources, config)) {
          reportViolation(
            violation.message,
            byName.get(`${violation.resource.type}::${violation.resource.name}`),
          );
        }
      },
    };
  }
  return {
    ...common,
    validateResource: (args, reportViolation) => {
      const config = { ...DEFAULT_POLICY_CONFIG, ...args.getConfig<Partial<HadbPolicyConfig>>() };
      for (const message of checkResource?.(args, config) ?? []) reportViolation(message);
    },
  };
}

new PolicyPack("hadb", {
  enforcementLevel: "mandatory",
  policies: HADB_POLICIES.map(toPulumiPolicy),
});
