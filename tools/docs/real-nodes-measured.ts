// The node-side spans of a failover, read from a recorded real-node run (docs/real-nodes.json): what a
// database entry's `failoverMeasured` holds for the stack the run measured. Each span comes from an
// experiment that is not node loss, so the budget computed with them predicts node loss rather than
// repeating it: pod deleted moves the volume and starts the container on another healthy node; DB
// process dies restarts the server in place.
import type { FailoverMeasured } from "../../components/config/types";
import type { RecordedExperiment, RecordedRun } from "./real-nodes";

/** Seconds after the fault of the first timeline entry matching, or an error naming what was missing. */
function firstAt(r: RecordedExperiment, what: string, matches: (entry: string) => boolean): number {
  const found = r.timeline.find((e) => e.t > 0 && matches(e.what));
  if (!found) throw new Error(`${r.settings} ${r.experiment}: the timeline has no "${what}"`);
  return found.t;
}

const tenths = (seconds: number): number => Math.round(seconds * 10) / 10;

function experiment(run: RecordedRun, name: string): RecordedExperiment {
  const r = run.results.find((x) => x.settings === "hadb" && x.experiment === name);
  if (!r) throw new Error(`${run.stack}: the recorded run has no hadb ${name} experiment`);
  return r;
}

/** The spans `failoverMeasured` takes, as measured by the run (tenths of a second). */
export function measuredNodeSide(run: RecordedRun): Omit<FailoverMeasured, "source"> {
  const moved = experiment(run, "podDeleted");
  const to = moved.to;
  if (!moved.from.pod || !to?.pod) throw new Error("pod deleted: the run names no old or new pod");
  const oldPodGone = firstAt(moved, "old pod deleted", (w) => w === `pod ${moved.from.pod} deleted`);
  const attached = firstAt(moved, "volume attached to the new node", (w) =>
    new RegExp(`^${to.node} volumesAttached \\[\\S`).test(w),
  );
  const running = firstAt(moved, "new container running", (w) =>
    new RegExp(`^pod ${to.pod} node=${to.node} phase=Running .*running-since=\\d`).test(w),
  );
  const restartedIn = experiment(run, "processDies");
  const restarted = firstAt(restartedIn, "container restarted", (w) =>
    /^pod \S+ node=\S+ phase=Running .*restarts=1 running-since=\d/.test(w),
  );
  const ready = firstAt(restartedIn, "pod Ready again", (w) => / Ready on /.test(w));
  return {
    // The new pod may have its volume before the old pod's deletion is observed: never negative.
    attachSeconds: tenths(Math.max(0, attached - oldPodGone)),
    containerStartSeconds: tenths(running - attached),
    readySeconds: tenths(ready - restarted),
  };
}
