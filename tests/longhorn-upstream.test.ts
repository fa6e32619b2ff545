// Longhorn's own rules, compiled from longhorn-manager (test/crds/longhorn, built by test/crds/build.sh),
// judge what hadb writes: the chart's default settings as the manager parses and validates them, and
// every RecurringJob as the admission webhook does on create. Also checks that hadb's copy of
// Longhorn's limits (components/storage/longhorn/settings.ts) is upstream's.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { configFromMap } from "../components/config/load";
import { ConfigError } from "../components/config/problems";
import { RECURRING_JOB_MAX_RETENTION } from "../components/storage/longhorn/settings";
import { longhornValues } from "../components/storage/longhorn/chart";
import { longhornRecurringJobs } from "../components/protection/longhorn";
import { BACKUP_DEFAULTS } from "../components/config/backups";
import { TOOLS_BIN } from "../test/tools-bin";
import { siteConfig, STACKS, synthStack } from "./helpers/synth";

const RULES = join(TOOLS_BIN, "longhorn-rules");
// DEVELOPERS.md: in CI a missing tool is a failure, locally a skip.
const skip =
  !existsSync(RULES) && !process.env.CI ? "longhorn-rules not built: run test/crds/build.sh" : false;

interface Definition {
  name: string;
  type: string;
  default: string;
  intRange?: { minimum?: number; maximum?: number };
}
interface Verdict {
  applied: Record<string, string>;
  skipped: { subject: string; error: string }[];
  refused: { subject: string; error: string }[];
  maxRetention: number;
}

function rules(args: string[], input?: unknown): string {
  const result = spawnSync(RULES, args, {
    input: input === undefined ? undefined : JSON.stringify(input),
    encoding: "utf8",
    timeout: 30_000,
  });
  assert.equal(result.status, 0, `longhorn-rules ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

/** The chart's default-setting.yaml: each `defaultSettings.fooBar` becomes `foo-bar: "<value>"`. */
function defaultSettingYaml(defaultSettings: Record<string, unknown>): string {
  return Object.entries(defaultSettings)
    .map(
      ([key, value]) =>
        `${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${JSON.stringify(String(value))}`,
    )
    .join("\n");
}

const check = (defaultSettings: Record<string, unknown>, recurringJobs: unknown[]): Verdict =>
  JSON.parse(
    rules(["check"], { defaultSettingYaml: defaultSettingYaml(defaultSettings), recurringJobs }),
  ) as Verdict;

const LONGHORN_STACKS = STACKS.filter((stack) => siteConfig(stack).storage === "longhorn");

describe("Longhorn's own rules (longhorn-manager compiled from its Go module)", { skip }, () => {
  it("hadb's retention limit is Longhorn's recurring-job-max-retention definition", () => {
    const definitions = JSON.parse(rules(["settings"])) as Definition[];
    const setting = definitions.find((d) => d.name === RECURRING_JOB_MAX_RETENTION.setting);
    assert.ok(setting, `${RECURRING_JOB_MAX_RETENTION.setting} is a Longhorn setting`);
    assert.deepEqual(
      { default: Number(setting.default), ...setting.intRange },
      {
        default: RECURRING_JOB_MAX_RETENTION.default,
        minimum: RECURRING_JOB_MAX_RETENTION.minimum,
        maximum: RECURRING_JOB_MAX_RETENTION.maximum,
      },
    );
  });

  it("the webhook and hadb's validation draw the line at the same retain", () => {
    const backups = { ...BACKUP_DEFAULTS, enabled: true };
    for (const retain of [RECURRING_JOB_MAX_RETENTION.default, RECURRING_JOB_MAX_RETENTION.default + 1]) {
      const verdict = check(
        {},
        longhornRecurringJobs({ ...backups, retain }).map((job) => job.spec),
      );
      let hadbProblems: string[] = [];
      try {
        configFromMap({
          "hadb:storage": "longhorn",
          "hadb:backups": JSON.stringify({ enabled: true, retain, target: { nfs: "nas:/backups" } }),
        });
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        hadbProblems = error.problems;
      }
      const refusedByLonghorn = verdict.refused.length > 0;
      const refusedByHadb = hadbProblems.some((p) => p.startsWith("hadb:backups.retain"));
      assert.equal(refusedByHadb, refusedByLonghorn, `retain ${retain}: ${JSON.stringify(verdict.refused)}`);
    }
  });

  it("every replica count hadb accepts is one Longhorn accepts (default-replica-count's range)", () => {
    const highest = configFromMap({
      "hadb:storage": "longhorn",
      "hadb:nodeCount": "20",
      "hadb:storageReplicas": "20",
    }).storageReplicas;
    assert.throws(
      () =>
        configFromMap({ "hadb:storage": "longhorn", "hadb:nodeCount": "21", "hadb:storageReplicas": "21" }),
      /hadb:storageReplicas: 21 must be an integer from 3 to 20/,
    );
    for (const replicas of [3, highest]) {
      const values = longhornValues({ replicas, zones: ["a", "b", "c"] });
      const verdict = check((values as { defaultSettings: Record<string, unknown> }).defaultSettings, []);
      assert.deepEqual(verdict.skipped, [], `${replicas} replicas`);
    }
  });

  for (const stack of LONGHORN_STACKS) {
    it(`${stack}: Longhorn applies every default setting and admits every RecurringJob`, () => {
      const synth = synthStack(stack);
      const release = synth.releases.find((r) => r.chart === "longhorn");
      assert.ok(release, "a Longhorn release");
      const defaultSettings =
        (release.values as { defaultSettings?: Record<string, unknown> }).defaultSettings ?? {};
      const jobs = synth.manifests.filter((o) => o.kind === "RecurringJob").map((o) => o.spec);
      const verdict = check(defaultSettings, jobs);
      assert.deepEqual(verdict.skipped, [], "settings Longhorn would skip (they keep their defaults)");
      assert.equal(Object.keys(verdict.applied).length, Object.keys(defaultSettings).length);
      assert.deepEqual(verdict.refused, [], "RecurringJobs Longhorn's admission webhook refuses");
    });
  }
});
