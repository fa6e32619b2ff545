// `npm run dr`: the pure plan (which step, on which site, in which order) for PX-DR failover/failback
// and Longhorn DR activation, and the runner's kubectl calls against a scripted fake cluster.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseDrArgs } from "../tools/dr";
import {
  describeStep,
  parseStandbyOutput,
  planDisasterRecovery,
  PlanError,
  type DrStep,
  type Site,
  type StandbyOutput,
} from "../tools/dr/plan";
import { runPlan, type RunContext } from "../tools/dr/run";
import { synthStack } from "./helpers/synth";

const px = (): StandbyOutput => parseStandbyOutput(synthStack("px-dr-standby").outputs);
const longhorn = (): StandbyOutput => parseStandbyOutput(synthStack("gke-longhorn-iris-standby").outputs);
const summary = (steps: DrStep[]) => steps.map((step) => `${step.site}:${step.kind}`);

describe("DR plans", () => {
  it("PX-DR failover with the primary reachable: stop the source completely before its domain goes", () => {
    assert.deepEqual(summary(planDisasterRecovery(px(), { action: "failover", primaryReachable: true })), [
      "primary:suspend-schedule",
      "primary:scale-to-zero",
      "primary:wait-pods-gone",
      "standby:set-domain",
      "standby:scale-from-annotation",
    ]);
  });

  it("PX-DR failover with the primary gone: deactivate its domain, then scale up from the annotation", () => {
    const steps = planDisasterRecovery(px(), { action: "failover", primaryReachable: false });
    assert.deepEqual(summary(steps), ["standby:set-domain", "standby:scale-from-annotation"]);
    assert.deepEqual(steps[0], {
      site: "standby",
      kind: "set-domain",
      domain: "site-a",
      active: false,
      why: "deactivate the source's cluster domain so its Portworx nodes cannot serve volumes",
    });
    assert.ok(
      steps.every((step) => step.site === "standby"),
      "nothing is sent to a dead primary",
    );
  });

  it("PX-DR failback: silence the returning primary, reactivate, migrate back, swap writers, resume", () => {
    const steps = planDisasterRecovery(px(), { action: "failback", primaryReachable: true });
    assert.deepEqual(summary(steps), [
      "primary:suspend-schedule",
      "primary:scale-to-zero",
      "standby:set-domain",
      "standby:suspend-schedule",
      "standby:wait-migration",
      "standby:suspend-schedule",
      "standby:scale-to-zero",
      "standby:wait-pods-gone",
      "primary:scale-from-annotation",
      "primary:suspend-schedule",
    ]);
    const schedules = steps.flatMap((step) =>
      step.kind === "suspend-schedule" ? [`${step.schedule}=${step.suspend}`] : [],
    );
    assert.deepEqual(schedules, [
      "hadb-px-dr=true",
      "hadb-px-dr-failback=false",
      "hadb-px-dr-failback=true",
      "hadb-px-dr=false",
    ]);
    assert.throws(
      () => planDisasterRecovery(px(), { action: "failback", primaryReachable: false }),
      /failback needs the primary's cluster back/,
    );
  });

  it("Longhorn failover: stop the source if it answers, activate every volume, then start the databases", () => {
    const steps = planDisasterRecovery(longhorn(), { action: "failover", primaryReachable: true });
    assert.deepEqual(summary(steps), [
      "primary:scale-to-zero",
      "standby:activate-volume",
      "standby:scale-up",
    ]);
    assert.deepEqual(
      steps.map((step) => describeStep(step, 0).replace(/^1\. /, "").split(":")[0]),
      [
        "[primary] scale every Deployment and StatefulSet in hadb to 0",
        "[standby] activate Longhorn DR volume hadb-dr-iris",
        "[standby] scale Deployment hadb/iris to 1",
      ],
    );
    assert.throws(
      () => planDisasterRecovery(longhorn(), { action: "failback", primaryReachable: true }),
      /Longhorn DR has no failback in place/,
    );
  });

  it("refuses outputs that are not a standby's", () => {
    assert.throws(() => parseStandbyOutput(synthStack("px-dr-primary").outputs), PlanError);
    assert.throws(() => parseStandbyOutput({}), /pass `pulumi stack output --json` of the STANDBY stack/);
  });
});

describe("npm run dr arguments", () => {
  it("needs the outputs, the standby's kubeconfig and a word on the primary", () => {
    assert.throws(() => parseDrArgs(["promote"]), /usage: npm run dr/);
    assert.throws(() => parseDrArgs(["failover"]), /--outputs is required/);
    assert.throws(() => parseDrArgs(["failover", "--outputs", "o.json"]), /--standby-kubeconfig is required/);
    assert.throws(
      () => parseDrArgs(["failover", "--outputs", "o.json", "--standby-kubeconfig", "s"]),
      /--primary-kubeconfig FILE \(it answers\) or --primary-unreachable/,
    );
    assert.throws(
      () => parseDrArgs(["failover", "--outputs", "o", "--primary-unreachable", "--primary-kubeconfig", "p"]),
      /contradict/,
    );
    assert.deepEqual(parseDrArgs(["failback", "--outputs", "o.json", "--dry-run"]), {
      action: "failback",
      outputs: "o.json",
      primaryUnreachable: false,
      dryRun: true,
    });
  });
});

/** A scripted cluster pair: answers kubectl calls per site and records them. */
function fakeClusters(answers: (site: Site, args: string[]) => string | undefined) {
  const calls: string[] = [];
  const context: RunContext = {
    kubectl: (site, args, input) => {
      calls.push(`${site}: ${args.join(" ")}${input !== undefined ? ` <<< ${input}` : ""}`);
      const answer = answers(site, args);
      if (answer === undefined) throw new Error(`unexpected kubectl ${args.join(" ")}`);
      return answer;
    },
    log: () => undefined,
    sleep: () => undefined,
    now: (() => {
      let clock = Date.parse("2026-11-24T10:00:00Z");
      return () => (clock += 1000);
    })(),
    timeoutMs: 10_000,
    pollMs: 1000,
  };
  return { calls, context };
}

const workloads = JSON.stringify({
  items: [
    {
      kind: "Deployment",
      metadata: { name: "shop", annotations: { "stork.libopenstorage.org/migrationReplicas": "1" } },
    },
    {
      kind: "StatefulSet",
      metadata: { name: "cache", annotations: { "stork.libopenstorage.org/migrationReplicas": "3" } },
    },
    { kind: "Deployment", metadata: { name: "local-only" } },
  ],
});

describe("running a plan", () => {
  it("PX-DR failover with the primary gone: one ClusterDomainUpdate, then each workload to its recorded replicas", () => {
    const { calls, context } = fakeClusters((_site, args) => {
      if (args[0] === "apply") return "created";
      if (args.includes("clusterdomainupdates.stork.libopenstorage.org")) return "Successful";
      if (args.includes("deployment,statefulset")) return workloads;
      if (args.includes("scale")) return "scaled";
      return undefined;
    });
    runPlan(planDisasterRecovery(px(), { action: "failover", primaryReachable: false }), context);
    const apply = calls[0] ?? "";
    assert.match(apply, /^standby: apply -f - <<< /);
    const update = JSON.parse(apply.split(" <<< ")[1] ?? "{}");
    assert.equal(update.kind, "ClusterDomainUpdate");
    assert.deepEqual(update.spec, { clusterdomain: "site-a", active: false });
    assert.deepEqual(calls.slice(-2), [
      "standby: -n databases scale deployment/shop --replicas=1",
      "standby: -n databases scale statefulset/cache --replicas=3",
    ]);
  });

  it("stops at the first failed step: a failed domain update never scales anything up", () => {
    const { calls, context } = fakeClusters((_site, args) => {
      if (args[0] === "apply") return "created";
      if (args.includes("clusterdomainupdates.stork.libopenstorage.org")) return "Failed";
      return "";
    });
    assert.throws(() => {
      runPlan(planDisasterRecovery(px(), { action: "failover", primaryReachable: false }), context);
    }, /Stork could not deactivate domain site-a/);
    assert.ok(!calls.some((call) => call.includes("scale")));
  });

  it("waits with a deadline, and refuses a site where no migration has arrived", () => {
    const pending = fakeClusters((_site, args) => (args[0] === "apply" ? "created" : "Pending"));
    assert.throws(() => {
      runPlan(planDisasterRecovery(px(), { action: "failover", primaryReachable: false }), pending.context);
    }, /timed out after 10 s waiting for ClusterDomainUpdate/);
    const empty = fakeClusters((_site, args) => {
      if (args[0] === "apply") return "created";
      if (args.includes("clusterdomainupdates.stork.libopenstorage.org")) return "Successful";
      if (args.includes("deployment,statefulset")) return JSON.stringify({ items: [] });
      return undefined;
    });
    assert.throws(() => {
      runPlan(planDisasterRecovery(px(), { action: "failover", primaryReachable: false }), empty.context);
    }, /carries stork\.libopenstorage\.org\/migrationReplicas: has a migration reached this site\?/);
  });

  it("PX-DR failback stops on a migration Stork reports PartialSuccess (final, never polled to the deadline)", () => {
    const migrationStatus = (status: string) =>
      JSON.stringify({
        status: {
          items: {
            Interval: [
              { name: "old", status: "Successful", finishTimestamp: "2026-11-24T09:00:00Z" },
              { name: "hadb-px-dr-failback-1", status, finishTimestamp: "2026-11-24T10:00:05Z" },
            ],
          },
        },
      });
    const failback = (status: string) =>
      fakeClusters((_site, args) => {
        if (args.includes("migrationschedules.stork.libopenstorage.org") && args.includes("json"))
          return migrationStatus(status);
        if (args.includes("clusterdomainupdates.stork.libopenstorage.org")) return "Successful";
        if (args.includes("deployment,statefulset") && args.includes("json")) return workloads;
        if (args.includes("get") && args.includes("pods")) return "";
        return "ok";
      });
    const partial = failback("PartialSuccess");
    assert.throws(() => {
      runPlan(planDisasterRecovery(px(), { action: "failback", primaryReachable: true }), partial.context);
    }, /migration hadb-px-dr-failback-1 of hadb-px-dr-failback ended PartialSuccess: Stork did not migrate every volume or resource/);
    const polls = partial.calls.filter(
      (call) => call.includes("migrationschedules") && call.includes("json"),
    );
    assert.equal(polls.length, 1, "a PartialSuccess is final: no second poll");
    assert.ok(!partial.calls.some((call) => call.startsWith("primary:") && call.includes("--replicas=1")));
    const done = failback("Successful");
    runPlan(planDisasterRecovery(px(), { action: "failback", primaryReachable: true }), done.context);
    assert.ok(
      done.calls.some((call) => call.startsWith("primary:") && call.includes("scale deployment/shop")),
    );
  });

  it("Longhorn activation: patch Standby off with a block-device frontend, wait, then start the writer", () => {
    const { calls, context } = fakeClusters((site, args) => {
      if (site === "primary" && args.includes("scale")) return "scaled";
      if (args.includes("patch")) return "patched";
      if (args.includes("jsonpath={.status.isStandby}")) return "false";
      if (args.includes("deployment/iris")) return "scaled";
      return undefined;
    });
    runPlan(planDisasterRecovery(longhorn(), { action: "failover", primaryReachable: true }), context);
    assert.deepEqual(calls, [
      "primary: -n hadb scale deployment,statefulset --all --replicas=0",
      'standby: -n longhorn-system patch volumes.longhorn.io hadb-dr-iris --type json -p [{"op":"replace","path":"/spec/Standby","value":false},{"op":"replace","path":"/spec/frontend","value":"blockdev"}]',
      "standby: -n longhorn-system get volumes.longhorn.io hadb-dr-iris -o jsonpath={.status.isStandby}",
      "standby: -n hadb scale deployment/iris --replicas=1",
    ]);
  });
});
