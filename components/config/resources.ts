// Validation of a database entry's `resources`: requests and limits that keep Guaranteed QoS.
import { isRecord, Problems } from "./problems";
import { MEBIBYTE, parseQuantity } from "./quantity";
import type { ContainerResources, ResourceQuantities } from "./types";

/** YAML `cpu: 2` arrives as a number: accept it as "2". Anything else stays visible so its check fails. */
function quantityText(value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value === "string") return value;
  return typeof value === "number" ? String(value) : JSON.stringify(value);
}

export function readResources(
  problems: Problems,
  key: string,
  value: unknown,
  defaults: ContainerResources,
): ContainerResources {
  if (value === undefined) return defaults;
  if (!isRecord(value)) {
    problems.add(key, value, 'must be an object like {requests: {cpu: "1", memory: "4Gi"}, limits: {...}}');
    return defaults;
  }
  problems.unknownKeys(key, value, ["requests", "limits"]);
  const read = (part: "requests" | "limits"): ResourceQuantities => {
    const given = value[part];
    if (given === undefined) return defaults[part];
    if (!isRecord(given)) {
      problems.add(`${key}.${part}`, given, "must be an object with cpu and/or memory");
      return defaults[part];
    }
    problems.unknownKeys(`${key}.${part}`, given, ["cpu", "memory"]);
    return {
      cpu: quantityText(given.cpu, defaults[part].cpu),
      memory: quantityText(given.memory, defaults[part].memory),
    };
  };
  // A partial override applies to both sides unless both are given: requests = limits keeps Guaranteed QoS.
  const requests = read("requests");
  const limits = value.limits === undefined ? requests : read("limits");
  const finalRequests = value.requests === undefined ? limits : requests;
  for (const resource of ["cpu", "memory"] as const) {
    const request = problems.quantity(`${key}.requests.${resource}`, finalRequests[resource], resource);
    const limit = problems.quantity(`${key}.limits.${resource}`, limits[resource], resource);
    if (request > 0 && limit > 0 && request > limit) {
      problems.add(
        `${key}.requests.${resource}`,
        finalRequests[resource],
        `exceeds limits.${resource} (${limits[resource]})`,
      );
    }
  }
  const memoryLimit = parseQuantity(limits.memory) ?? 0;
  if (memoryLimit > 0 && memoryLimit < 1024 * MEBIBYTE) {
    problems.add(`${key}.limits.memory`, limits.memory, "must be at least 1Gi for a database server");
  }
  return { requests: finalRequests, limits };
}
