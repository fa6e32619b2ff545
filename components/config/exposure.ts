// Validation of a database entry's `exposure`: private by default, allowlisted when opened.
import { isCidr, isWholeInternet } from "./network";
import { isRecord, oneOf, Problems } from "./problems";
import { EXPOSURE_TYPES, type DatabaseSpec, type Exposure } from "./types";

const EXPOSURE_KEYS: Record<string, string[]> = {
  clusterIP: ["type"],
  loadBalancer: ["type", "allowedSourceRanges", "annotations"],
  nodePort: ["type", "allowedSourceRanges", "nodePorts"],
};
const NODE_PORT_RANGE = { min: 30000, max: 32767 };

export function readExposure(problems: Problems, key: string, value: unknown, portNames: string[]): Exposure {
  if (value === undefined) return { type: "clusterIP" };
  if (!isRecord(value)) {
    problems.add(key, value, `must be an object with type ${oneOf(EXPOSURE_TYPES)}`);
    return { type: "clusterIP" };
  }
  const type = problems.choice(`${key}.type`, value.type, EXPOSURE_TYPES, {}, "clusterIP");
  problems.unknownKeys(key, value, EXPOSURE_KEYS[type] ?? []);
  if (type === "clusterIP") return { type: "clusterIP" };

  const ranges = value.allowedSourceRanges;
  if (!Array.isArray(ranges) || ranges.length === 0) {
    problems.add(
      `${key}.allowedSourceRanges`,
      ranges,
      `is required for a ${type}: list the CIDRs allowed to connect, e.g. ["10.0.0.0/8"]; databases are private by default`,
    );
    return { type: "clusterIP" };
  }
  ranges.forEach((range: unknown, index) => {
    const rangeKey = `${key}.allowedSourceRanges[${index}]`;
    if (typeof range !== "string" || !isCidr(range))
      problems.add(rangeKey, range, "must be a CIDR such as 203.0.113.0/24");
    else if (isWholeInternet(range)) {
      problems.add(
        rangeKey,
        range,
        "opens the database to every address: list only the networks that need access",
      );
    }
  });
  const allowedSourceRanges = ranges.map(String);
  if (type === "nodePort") {
    const nodePorts: Record<string, number> = {};
    const given = value.nodePorts ?? {};
    if (!isRecord(given))
      problems.add(`${key}.nodePorts`, given, `must map port names (${oneOf(portNames)}) to node ports`);
    else {
      for (const [portName, nodePort] of Object.entries(given)) {
        const portKey = `${key}.nodePorts.${portName}`;
        if (!portNames.includes(portName))
          problems.add(portKey, nodePort, `names no port of this engine; ports: ${oneOf(portNames)}`);
        else {
          nodePorts[portName] = problems.integer(
            portKey,
            nodePort,
            NODE_PORT_RANGE.min,
            NODE_PORT_RANGE.max,
            NODE_PORT_RANGE.min,
          );
        }
      }
    }
    return { type: "nodePort", allowedSourceRanges, nodePorts };
  }
  const annotations = value.annotations ?? {};
  if (!isRecord(annotations) || Object.values(annotations).some((v) => typeof v !== "string")) {
    problems.add(`${key}.annotations`, annotations, "must be a map of string annotation values");
  }
  return {
    type: "loadBalancer",
    allowedSourceRanges,
    annotations: isRecord(annotations) ? (annotations as Record<string, string>) : {},
  };
}

/** Fixed node ports are cluster-wide: two databases cannot claim the same one. */
export function checkNodePorts(problems: Problems, key: string, databases: DatabaseSpec[]): void {
  const owners = new Map<number, string>();
  databases.forEach((database, index) => {
    if (database.exposure.type !== "nodePort") return;
    for (const [portName, nodePort] of Object.entries(database.exposure.nodePorts)) {
      const owner = owners.get(nodePort);
      if (owner !== undefined) {
        problems.add(
          `${key}[${index}].exposure.nodePorts.${portName}`,
          nodePort,
          `is already used by ${owner}`,
        );
      }
      owners.set(nodePort, `${database.name}.${portName}`);
    }
  });
}
