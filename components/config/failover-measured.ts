// Validation of a database entry's `failoverMeasured`: the node-side durations of a failover as measured
// on the stack's own nodes (e.g. by `npm run bench:nodes` or the chaos tool), in place of the failover
// budget's engine and storage estimates. The control-plane steps (detection, eviction, fencing) stay
// computed from config: those are what a stack's settings change.
import { isRecord, oneOf, type Problems } from "./problems";
import type { Engine, FailoverMeasured } from "./types";

export const FAILOVER_MEASURED_FIELDS = [
  "attachSeconds",
  "containerStartSeconds",
  "readySeconds",
  "source",
] as const;

/** What each measured field covers, for messages and docs. */
export const FAILOVER_MEASURED_SPANS: Record<Exclude<keyof FailoverMeasured, "source">, string> = {
  attachSeconds: "the old pod gone -> the volume attached to the new pod's node",
  containerStartSeconds: "volume attached -> database container running (login, mount, container start)",
  readySeconds: "database container (re)started -> pod Ready (engine start, startup and readiness probes)",
};

// Patroni's restart loop and promotion have their own timeline (components/databases/postgres/budget.ts).
const ENGINES_WITH_MEASURED_BUDGET: readonly Engine[] = ["iris", "mysql"];
/** Longer than any plausible node-side step: a typo (ms for s) would otherwise pass. */
const MAX_SECONDS = 3600;

export function readFailoverMeasured(
  problems: Problems,
  key: string,
  value: unknown,
  engine: Engine,
): FailoverMeasured | undefined {
  if (value === undefined) return undefined;
  if (!ENGINES_WITH_MEASURED_BUDGET.includes(engine)) {
    problems.add(
      key,
      value,
      `only applies to engines ${oneOf(ENGINES_WITH_MEASURED_BUDGET)} (engine is "${engine}": its failover budget follows Patroni)`,
    );
    return undefined;
  }
  const example =
    "{attachSeconds: 3.1, containerStartSeconds: 19.4, readySeconds: 10.7, source: <where measured>}";
  if (!isRecord(value)) {
    problems.add(key, value, `must be an object, e.g. ${example}`);
    return undefined;
  }
  problems.unknownKeys(key, value, FAILOVER_MEASURED_FIELDS);
  const seconds = (field: keyof typeof FAILOVER_MEASURED_SPANS): number | undefined => {
    const v = value[field];
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || v > MAX_SECONDS) {
      problems.add(
        `${key}.${field}`,
        v,
        `must be a number of seconds from 0 to ${MAX_SECONDS} (${FAILOVER_MEASURED_SPANS[field]})`,
      );
      return undefined;
    }
    return v;
  };
  const attachSeconds = seconds("attachSeconds");
  const containerStartSeconds = seconds("containerStartSeconds");
  const readySeconds = seconds("readySeconds");
  const source = problems.string(
    `${key}.source`,
    value.source,
    /\S/,
    "must say where the figures were measured (the budget prints it beside each step)",
  );
  if (
    attachSeconds === undefined ||
    containerStartSeconds === undefined ||
    readySeconds === undefined ||
    source === undefined
  )
    return undefined;
  return { attachSeconds, containerStartSeconds, readySeconds, source };
}
