// What `npm run dr` does, in which order, decided from the standby stack's `disasterRecovery` output
// and the operator's flags. Pure: tests read the plan; tools/dr/run.ts turns each step into kubectl.

import type { LonghornStandbySummary } from "../../components/protection/dr/longhorn-component";
import type { PortworxDisasterRecoverySummary } from "../../components/protection/dr/portworx-component";

export type Site = "primary" | "standby";
export type DrAction = "failover" | "failback";

/** The standby stack's `disasterRecovery` output (PX-DR or Longhorn DR volumes). */
export type StandbyOutput = { role: "standby"; primaryStack: string } & (
  PortworxDisasterRecoverySummary | LonghornStandbySummary
);

export type DrStep = { site: Site; why: string } & (
  | { kind: "suspend-schedule"; namespace: string; schedule: string; suspend: boolean }
  | { kind: "scale-to-zero"; namespace: string }
  | { kind: "wait-pods-gone"; namespace: string }
  | { kind: "set-domain"; domain: string; active: boolean }
  | { kind: "scale-from-annotation"; namespace: string }
  | { kind: "wait-migration"; namespace: string; schedule: string }
  | { kind: "activate-volume"; volume: string }
  | { kind: "scale-up"; namespace: string; deployment: string }
);

export interface PlanOptions {
  action: DrAction;
  /** The primary's API answers (planned switch-over, or failback). False: it is gone. */
  primaryReachable: boolean;
}

export class PlanError extends Error {
  override name = "PlanError";
}

export function parseStandbyOutput(outputs: unknown): StandbyOutput {
  const record = outputs as { disasterRecovery?: { role?: unknown; mode?: unknown } } | null;
  const dr = record?.disasterRecovery;
  if (dr?.role !== "standby")
    throw new PlanError(
      "the outputs hold no standby disasterRecovery: pass `pulumi stack output --json` of the STANDBY stack",
    );
  if (dr.mode !== "px-dr-metro" && dr.mode !== "longhorn-dr-volumes")
    throw new PlanError(`unknown disaster-recovery mode ${JSON.stringify(dr.mode)}`);
  return dr as StandbyOutput;
}

export function planDisasterRecovery(dr: StandbyOutput, options: PlanOptions): DrStep[] {
  if (dr.mode === "px-dr-metro")
    return options.action === "failover" ? pxFailover(dr, options.primaryReachable) : pxFailback(dr, options);
  if (options.action === "failback")
    throw new PlanError(
      "Longhorn DR has no failback in place: the activated standby is the new primary. Swap the roles in both stacks' hadb:disasterRecovery and `pulumi up` them (docs/disaster-recovery.md)",
    );
  return longhornFailover(dr, options.primaryReachable);
}

type PxOutput = Extract<StandbyOutput, { mode: "px-dr-metro" }>;

const setSuspended = (
  site: Site,
  namespace: string,
  schedule: string,
  suspend: boolean,
  why: string,
): DrStep => ({
  site,
  kind: "suspend-schedule",
  namespace,
  schedule,
  suspend,
  why,
});
type LonghornOutput = Extract<StandbyOutput, { mode: "longhorn-dr-volumes" }>;

/**
 * One Portworx cluster spans both sites, so the same volume could be attached in both: the source's
 * writers stop (when reachable) before its domain is deactivated, and only then does the standby
 * scale up.
 */
function pxFailover(dr: PxOutput, primaryReachable: boolean): DrStep[] {
  const { namespace } = dr;
  const stopSource: DrStep[] = primaryReachable
    ? [
        setSuspended(
          "primary",
          namespace,
          dr.migrationSchedule,
          true,
          "no more migrations from the site being given up",
        ),
        { site: "primary", kind: "scale-to-zero", namespace, why: "stop the writers on the source" },
        { site: "primary", kind: "wait-pods-gone", namespace, why: "no pod may still hold a volume" },
      ]
    : [];
  return [
    ...stopSource,
    {
      site: "standby",
      kind: "set-domain",
      domain: dr.domains.primary,
      active: false,
      why: "deactivate the source's cluster domain so its Portworx nodes cannot serve volumes",
    },
    {
      site: "standby",
      kind: "scale-from-annotation",
      namespace,
      why: "start the migrated applications with the replica counts Stork recorded",
    },
  ];
}

/**
 * Back to the primary: silence it first (its schedule and any writer that restarted), reactivate its domain, bring the standby's current resources over with the
 * (suspended) failback schedule, stop the standby's writers, start the primary's, resume the forward
 * schedule.
 */
function pxFailback(dr: PxOutput, options: PlanOptions): DrStep[] {
  if (!options.primaryReachable)
    throw new PlanError("failback needs the primary's cluster back: its API must answer");
  const { namespace } = dr;
  return [
    setSuspended(
      "primary",
      namespace,
      dr.migrationSchedule,
      true,
      "the returning primary must not migrate its stale resources over the active standby's",
    ),
    {
      site: "primary",
      kind: "scale-to-zero",
      namespace,
      why: "writers that restarted with the primary must be stopped before its volumes come back",
    },
    {
      site: "standby",
      kind: "set-domain",
      domain: dr.domains.primary,
      active: true,
      why: "reactivate the primary's cluster domain (its nodes rejoin the Portworx cluster)",
    },
    setSuspended(
      "standby",
      namespace,
      dr.failbackSchedule,
      false,
      "copy the standby's current resources back to the primary",
    ),
    {
      site: "standby",
      kind: "wait-migration",
      namespace,
      schedule: dr.failbackSchedule,
      why: "one complete migration to the primary",
    },
    setSuspended("standby", namespace, dr.failbackSchedule, true, "stop migrating towards the primary"),
    { site: "standby", kind: "scale-to-zero", namespace, why: "stop the writers on the standby" },
    { site: "standby", kind: "wait-pods-gone", namespace, why: "no pod may still hold a volume" },
    {
      site: "primary",
      kind: "scale-from-annotation",
      namespace,
      why: "start the applications on the primary with the recorded replica counts",
    },
    setSuspended(
      "primary",
      namespace,
      dr.migrationSchedule,
      false,
      "resume keeping the standby's resources current",
    ),
  ];
}

/**
 * Longhorn DR volumes hold the last restored backup: stop the source's writers first when possible
 * (nothing written after the last backup is on the standby anyway), activate every standby volume,
 * then start each database.
 */
function longhornFailover(dr: LonghornOutput, primaryReachable: boolean): DrStep[] {
  const databases = Object.keys(dr.volumes).sort();
  const stopSource: DrStep[] = primaryReachable
    ? [
        {
          site: "primary",
          kind: "scale-to-zero",
          namespace: dr.namespace,
          why: "stop the writers on the source (clients must not write to both sites)",
        },
      ]
    : [];
  return [
    ...stopSource,
    ...databases.map((database): DrStep => ({
      site: "standby",
      kind: "activate-volume",
      volume: dr.volumes[database] ?? "",
      why: `turn ${database}'s standby volume into a live one (Longhorn first restores the newest backup)`,
    })),
    ...databases.map((database): DrStep => ({
      site: "standby",
      kind: "scale-up",
      namespace: dr.namespace,
      deployment: database,
      why: `start ${database} on the activated volume`,
    })),
  ];
}

/** One line per step, for `npm run dr -- plan` and the log of a run. */
export function describeStep(step: DrStep, index: number): string {
  const what = (() => {
    switch (step.kind) {
      case "suspend-schedule":
        return `${step.suspend ? "suspend" : "resume"} MigrationSchedule ${step.namespace}/${step.schedule}`;
      case "scale-to-zero":
        return `scale every Deployment and StatefulSet in ${step.namespace} to 0`;
      case "wait-pods-gone":
        return `wait until no pod is left in ${step.namespace}`;
      case "set-domain":
        return `${step.active ? "activate" : "deactivate"} cluster domain ${step.domain}`;
      case "scale-from-annotation":
        return `scale Deployments and StatefulSets in ${step.namespace} to their recorded replicas`;
      case "wait-migration":
        return `wait for a successful migration of ${step.namespace}/${step.schedule}`;
      case "activate-volume":
        return `activate Longhorn DR volume ${step.volume}`;
      case "scale-up":
        return `scale Deployment ${step.namespace}/${step.deployment} to 1`;
    }
  })();
  return `${index + 1}. [${step.site}] ${what}: ${step.why}`;
}
