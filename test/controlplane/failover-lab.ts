// The failover lab shared by tests/e2e/failover.test.ts and tools/bench-failover.ts: one control plane
// per controller-timings variant; every (manifests × experiment) slot gets its own namespace and its
// own pool of 2 simulated nodes, so all experiments run at once without disturbing each other
// (a drain or a lost node only ever hits its own slot). Lost nodes of different slots sit in different
// zones: the node lifecycle controller rate-limits evictions per zone.
import type { ControllerTimings } from "../../components/failover/timings";
import type { KubeObject } from "../../tools/synth/write";
import { startControlPlane, type ControlPlane, type SimulatedNode } from "./cluster";
import {
  EXPERIMENTS,
  runExperiment,
  type ExperimentName,
  type ExperimentResult,
  type KubeApi,
} from "./experiments";
import {
  deployDatabase,
  hadbDatabase,
  POOL_LABEL,
  seedDatabase,
  simulatedFaults,
  startApi,
  type ManifestSet,
} from "./lab";

export interface Slot {
  manifests: ManifestSet;
  experiment: ExperimentName;
  namespace: string;
  deployment: string;
  pool: string;
}

export interface FailoverLab {
  cp: ControlPlane;
  api: KubeApi;
  slots: Slot[];
  stop(): Promise<void>;
}

export interface FailoverLabOptions {
  name: string;
  timings: ControllerTimings;
  /** hadb's synth manifests (e.g. `synthStack("dev").manifests`) and the Deployment to measure. */
  hadbManifests: KubeObject[];
  hadbDeployment: string;
  manifestSets?: ManifestSet[];
  experiments?: readonly ExperimentName[];
  /** kube-controller-manager --node-monitor-period (default: Kubernetes' 5 s). */
  nodeMonitorPeriodSeconds?: number;
  onProgress?: (message: string) => void;
}

export async function startFailoverLab(options: FailoverLabOptions): Promise<FailoverLab> {
  const sets = options.manifestSets ?? ["hadb", "seed"];
  const experiments = options.experiments ?? EXPERIMENTS;
  const slots: Slot[] = sets.flatMap((manifests) =>
    experiments.map((experiment) => {
      const pool = `${manifests}-${experiment.toLowerCase()}`;
      return { manifests, experiment, namespace: pool, pool, deployment: "" };
    }),
  );
  let lostSlots = 0;
  const nodes: SimulatedNode[] = slots.flatMap((slot, i) => {
    const zoneIndex = slot.experiment === "nodeLost" ? lostSlots++ : i;
    const zone = `zone-${(zoneIndex % 3) + 1}`;
    return ["a", "b"].map((suffix) => ({
      name: `${slot.pool}-${suffix}`,
      zone,
      labels: { [POOL_LABEL]: slot.pool },
    }));
  });
  const cp = await startControlPlane({
    timings: options.timings,
    nodes,
    name: options.name,
    nodeMonitorPeriodSeconds: options.nodeMonitorPeriodSeconds,
  });
  try {
    const api = await startApi(cp);
    await Promise.all(
      slots.map(async (slot) => {
        const db =
          slot.manifests === "hadb"
            ? hadbDatabase(options.hadbManifests, options.hadbDeployment, slot.namespace, slot.pool)
            : seedDatabase(slot.namespace, slot.pool);
        slot.deployment = db.deployment;
        await deployDatabase(cp, db);
        options.onProgress?.(`${options.name}: ${slot.namespace} Available`);
      }),
    );
    return {
      cp,
      api,
      slots,
      stop: async () => {
        await api.close();
        await cp.stop();
      },
    };
  } catch (error) {
    await cp.stop();
    throw error;
  }
}

/** Runs every slot's experiment at once. */
export function runSlots(
  lab: FailoverLab,
  options: { timeoutSeconds?: number; onProgress?: (message: string) => void } = {},
): Promise<(ExperimentResult & { manifests: ManifestSet })[]> {
  const faults = simulatedFaults(lab.cp);
  return Promise.all(
    lab.slots.map(async (slot) => ({
      manifests: slot.manifests,
      ...(await runExperiment(
        lab.api,
        { kubeconfig: lab.cp.kubeconfigPath, namespace: slot.namespace, deployment: slot.deployment },
        slot.experiment,
        faults,
        options,
      )),
    })),
  );
}
