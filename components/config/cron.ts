// Five-field cron expressions as Kubernetes CronJobs, Longhorn RecurringJobs and pgBackRest schedules
// accept them (no seconds, no @every, no TZ=: each consumer reads the plain 5-field form).

const FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12 },
  { name: "day of week", min: 0, max: 7 },
] as const;

/** Returns why `text` is not a valid 5-field cron expression, or undefined when it is. */
export function cronProblem(text: string): string | undefined {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== FIELDS.length)
    return `must have 5 fields (minute hour day-of-month month day-of-week), found ${parts.length}`;
  for (const [index, part] of parts.entries()) {
    const field = FIELDS[index];
    if (!field) continue;
    for (const item of part.split(",")) {
      const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item);
      if (!match) return `has an invalid ${field.name} "${item}"`;
      const values = [match[2], match[3]].filter((v): v is string => v !== undefined).map(Number);
      if (values.some((v) => v < field.min || v > field.max))
        return `has a ${field.name} outside ${field.min}-${field.max} in "${item}"`;
      if (values.length === 2 && (values[0] ?? 0) > (values[1] ?? 0))
        return `has a reversed ${field.name} range "${item}"`;
      if (match[4] !== undefined && Number(match[4]) === 0) return `has a zero step in "${item}"`;
    }
  }
  return undefined;
}
