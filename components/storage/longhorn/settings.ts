// Longhorn's own limits on what hadb writes, as longhorn-manager defines them (types/setting.go,
// webhook/resources/recurringjob/validator.go at v1.12.x). tests/longhorn-upstream.test.ts compares
// these constants with the definitions compiled from longhorn-manager (test/crds/longhorn).

/**
 * `recurring-job-max-retention`: Longhorn's RecurringJob webhook refuses a job whose `retain` is above
 * this setting. hadb leaves it at Longhorn's default: the manager starts its admission webhook before
 * it applies the chart's `defaultSettings` (app/daemon.go), so a RecurringJob created right after a
 * fresh install is judged against the default anyway, and a value Longhorn finds invalid in the chart
 * is skipped with only a log line. So every `retain` hadb writes stays within the default.
 */
export const RECURRING_JOB_MAX_RETENTION = {
  setting: "recurring-job-max-retention",
  default: 100,
  minimum: 1,
  maximum: 250,
} as const;

/** RecurringJob names (metadata and spec): longhorn-manager datastore NameMaximumLength. */
export const RECURRING_JOB_NAME_MAX_LENGTH = 40;
