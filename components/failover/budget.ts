// The failover budget: for each failure hadb is built to survive, the worst-case timeline from failure to
// "database Ready again", step by step, each step with where its number comes from. Pure: computed from
// the database's own manifest (probes, grace period, tolerations), the platform's controller timings
// and the storage backend's detach/attach behaviour.

import type { Cloud, FailoverMeasured, StorageBackend } from "../config/types";
import { STORAGE_CATALOG, type StorageTimings } from "../storage/catalog";
import type { AgentFencingTimings } from "./fencing";
import {
  MANAGED_CONTROLLER_TIMINGS,
  SELF_MANAGED_CONTROLLER_TIMINGS,
  type ControllerTimings,
} from "./timings";

export const FAILURES = ["processDies", "podDeleted", "nodeDrained", "nodeLost"] as const;
export type Failure = (typeof FAILURES)[number];

export interface BudgetStep {
  step: string;
  seconds: number;
  /** Where the number comes from: a Kubernetes default, a chart setting, the manifest or stack config. */
  source: string;
}

export interface FailureBudget {
  failure: Failure;
  steps: BudgetStep[];
  totalSeconds: number;
  /**
   * Set when the timeline needs someone: nothing releases the volume by itself, so without that step the
   * recovery is not bounded at all (totalSeconds counts the step as taken at once).
   */
  waitsFor?: string;
}

/** The timing-relevant parts of a database pod, read from its manifest. */
export interface DatabaseTimings {
  liveness: { periodSeconds: number; failureThreshold: number };
  readiness: { periodSeconds: number; failureThreshold: number };
  /** Startup probe's period, when the container has one: readiness is only probed after it passes. */
  startupPeriodSeconds?: number;
  terminationGracePeriodSeconds: number;
  /** NoExecute toleration for not-ready/unreachable nodes (300 when the pod sets none). */
  tolerationSeconds: number;
  /** Worst-case engine start on an existing data directory, including crash recovery (estimate). */
  startSeconds: number;
}

export type { StorageTimings };

/** FailureBudget.waitsFor of a lost node whose volume only an operator releases. */
export const WAITS_FOR_OPERATOR =
  "your out-of-service taint (storageRunbook.nodeLost): without it the database is not back until the node returns";

/** How fast the backend moves a volume (its storage catalog entry). */
export function storageTimings(backend: StorageBackend): StorageTimings {
  return STORAGE_CATALOG[backend].failover;
}

/** Controller timings of a platform: fixed on managed clusters, from failover config on self-managed ones. */
export function controllerTimingsFor(
  cloud: Cloud,
  selfManaged: ControllerTimings = SELF_MANAGED_CONTROLLER_TIMINGS,
): {
  timings: ControllerTimings;
  source: string;
} {
  if (cloud === "vagrant") {
    return { timings: selfManaged, source: "failover config (self-managed control plane)" };
  }
  return {
    timings: MANAGED_CONTROLLER_TIMINGS,
    source:
      cloud === "existing"
        ? "Kubernetes default node-monitor-grace-period (assumed for an existing cluster)"
        : `Kubernetes default node-monitor-grace-period (fixed on ${cloud})`,
  };
}

const SCHEDULE_SECONDS = 2;

export interface BudgetInputs {
  database: DatabaseTimings;
  storage: StorageTimings;
  controller: { timings: ControllerTimings; source: string };
  /** hadb's fence agent releases a lost node's volume (docs/fencing.md); undefined: the storage or you. */
  fencing?: AgentFencingTimings;
  /** Node-side durations measured on the stack's nodes: they replace the storage and engine estimates. */
  measured?: FailoverMeasured;
}

/** Source prefix of steps whose seconds were measured (failoverMeasured), not estimated. */
export const MEASURED_SOURCE = "measured:";

interface NodeSideSteps {
  /** New pod scheduled and volume attached after a pod was deleted or drained. */
  reattach: BudgetStep[];
  /** The same after a lost node's volume was released (iSCSI: login plus journal replay, longer). */
  lostNodeAttach: BudgetStep[];
  /** Database start and probes. */
  start: BudgetStep[];
}

/**
 * The steps on the new (or same) node once the volume is free: the storage and engine estimates, or what
 * was measured on the stack's own nodes. The measured attach also carries the scheduling of the new pod
 * (the replacement pod is scheduled while the volume moves).
 */
function nodeSideSteps(
  database: DatabaseTimings,
  storage: StorageTimings,
  measured: FailoverMeasured | undefined,
): NodeSideSteps {
  if (measured) {
    const source = `${MEASURED_SOURCE} ${measured.source}`;
    const attach: BudgetStep[] = [
      { step: "new pod scheduled and volume attached on its node", seconds: measured.attachSeconds, source },
      {
        step: "volume mounted and database container started",
        seconds: measured.containerStartSeconds,
        source,
      },
    ];
    return {
      reattach: attach,
      lostNodeAttach: attach,
      start: [
        { step: "database start (crash recovery), probes pass", seconds: measured.readySeconds, source },
      ],
    };
  }
  // With a startup probe the kubelet probes readiness only once it passed: up to one period of each
  // (measured on real nodes: the server answered, then the pod was Ready up to 10 s later).
  const ready: BudgetStep =
    database.startupPeriodSeconds === undefined
      ? {
          step: "readiness probe passes",
          seconds: database.readiness.periodSeconds,
          source: "readinessProbe.periodSeconds (manifest)",
        }
      : {
          step: "startup, then readiness probe passes",
          seconds: database.startupPeriodSeconds + database.readiness.periodSeconds,
          source: "startupProbe.periodSeconds + readinessProbe.periodSeconds (manifest)",
        };
  const scheduled: BudgetStep = {
    step: "new pod scheduled",
    seconds: SCHEDULE_SECONDS,
    source: "scheduler (typical)",
  };
  return {
    reattach: [
      scheduled,
      {
        step: "volume detached and attached on the new node",
        seconds: storage.reattachSeconds,
        source: "storage backend",
      },
    ],
    lostNodeAttach: [
      scheduled,
      {
        step: "volume attached on the new node",
        seconds: storage.lostNodeAttachSeconds ?? storage.reattachSeconds,
        source: storage.lostNodeAttachSource ?? "storage backend",
      },
    ],
    start: [
      {
        step: "database start (crash recovery)",
        seconds: database.startSeconds,
        source: "engine estimate (engine catalog)",
      },
      ready,
    ],
  };
}

/** A lost node's volume released by hadb's fence agent: fence at the target first, then the taint. */
function fencedRelease(fencing: AgentFencingTimings): BudgetStep[] {
  return [
    {
      step: "fence agent: node not Ready for the detection time",
      seconds: fencing.detectionSeconds + fencing.pollSeconds,
      source: "stack config hadb:fencing.detectionSeconds, plus the agent's poll",
    },
    {
      step: "storage fence: the target refuses the node (ACL, sessions closed, in-flight I/O drained)",
      seconds: fencing.fenceSeconds,
      source: "iscsi-fence.sh on tgt (0.4 s measured on a real tgtd, budgeted for a busy session)",
    },
    {
      step: "out-of-service taint; the agent deletes the node's database pods; volume force-detached",
      seconds: fencing.releaseSeconds,
      source: "fence agent (the taint evicts at once: the not-ready/unreachable tolerations do not cover it)",
    },
  ];
}

export function failoverBudget(inputs: BudgetInputs): FailureBudget[] {
  const { database, storage, controller, fencing, measured } = inputs;
  const { reattach, lostNodeAttach, start } = nodeSideSteps(database, storage, measured);
  const reschedule: BudgetStep[] = [
    {
      step: "old pod shuts down cleanly",
      seconds: database.terminationGracePeriodSeconds,
      source: "terminationGracePeriodSeconds (manifest; Recreate waits for it)",
    },
    ...reattach,
  ];
  const timelines: Record<Failure, BudgetStep[]> = {
    processDies: [
      {
        step: "liveness probe detects the stopped instance",
        seconds: database.liveness.periodSeconds * database.liveness.failureThreshold,
        source: "livenessProbe.periodSeconds × failureThreshold (manifest)",
      },
      {
        step: "kubelet restarts the container (volume stays attached)",
        seconds: 0,
        source: "kubelet (first restart is immediate)",
      },
      ...start,
    ],
    podDeleted: [...reschedule, ...start],
    nodeDrained: [...reschedule, ...start],
    nodeLost: [
      {
        step: "node marked unreachable",
        // The controller notices the expired grace period at its next check.
        seconds:
          controller.timings.nodeMonitorGracePeriodSeconds + controller.timings.nodeMonitorPeriodSeconds,
        source: `${controller.source}, plus one node-monitor period`,
      },
      ...(fencing
        ? fencedRelease(fencing)
        : [
            {
              step: "pod evicted from the unreachable node",
              seconds: database.tolerationSeconds,
              source: "not-ready/unreachable tolerationSeconds (stack config hadb:evictionTolerationSeconds)",
            },
            {
              step: storage.lostNodeReleaseStep,
              seconds: storage.lostNodeReleaseSeconds,
              source: storage.lostNodeReleaseSource,
            },
          ]),
      ...lostNodeAttach,
      ...start,
    ],
  };
  return FAILURES.map((failure) => {
    const steps = timelines[failure];
    // Measured steps carry tenths of a second: the total is rounded to them, not to float noise.
    const totalSeconds = Math.round(steps.reduce((sum, step) => sum + step.seconds, 0) * 10) / 10;
    return failure === "nodeLost" && !fencing && storage.lostNodeReleaseByOperator
      ? { failure, steps, totalSeconds, waitsFor: WAITS_FOR_OPERATOR }
      : { failure, steps, totalSeconds };
  });
}

const NOT_READY_TAINTS = ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"];

interface PlainProbe {
  periodSeconds?: number;
  failureThreshold?: number;
}

/** The timing-relevant fields of a pod spec (unset = Kubernetes' default). */
export interface PodTimingFields {
  containers: {
    name: string;
    livenessProbe?: PlainProbe;
    readinessProbe?: PlainProbe;
    startupProbe?: PlainProbe;
  }[];
  tolerations?: { key?: string; tolerationSeconds?: number }[];
  terminationGracePeriodSeconds?: number;
}

/** A Deployment as builders return it (SingleWriterDeployment), or any object of that shape. */
export interface DeploymentTimingSource {
  spec?: { template?: { spec?: PodTimingFields } };
}

/**
 * Reads the timing-relevant fields of a database Deployment as the cluster will apply them (Kubernetes
 * defaults where a field is unset).
 */
export function databaseTimingsOf(
  deployment: DeploymentTimingSource,
  containerName: string,
  startSeconds: number,
): DatabaseTimings {
  const pod = deployment.spec?.template?.spec;
  if (!pod) throw new Error("deployment has no pod template");
  const container = pod.containers.find((c) => c.name === containerName);
  if (!container?.livenessProbe || !container.readinessProbe) {
    throw new Error(`container ${containerName} needs liveness and readiness probes for a failover budget`);
  }
  const tolerations = (pod.tolerations ?? []).filter((t) => NOT_READY_TAINTS.includes(t.key ?? ""));
  const tolerationSeconds =
    tolerations.length === NOT_READY_TAINTS.length
      ? Math.max(...tolerations.map((t) => t.tolerationSeconds ?? 300))
      : 300;
  return {
    // Kubernetes probe defaults: periodSeconds 10, failureThreshold 3.
    liveness: {
      periodSeconds: container.livenessProbe.periodSeconds ?? 10,
      failureThreshold: container.livenessProbe.failureThreshold ?? 3,
    },
    readiness: {
      periodSeconds: container.readinessProbe.periodSeconds ?? 10,
      failureThreshold: container.readinessProbe.failureThreshold ?? 3,
    },
    ...(container.startupProbe ? { startupPeriodSeconds: container.startupProbe.periodSeconds ?? 10 } : {}),
    // Kubernetes default grace period: 30 s.
    terminationGracePeriodSeconds: pod.terminationGracePeriodSeconds ?? 30,
    tolerationSeconds,
    startSeconds,
  };
}
