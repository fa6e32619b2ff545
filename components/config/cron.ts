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

/** The values a valid field item list stands for: every 15th, a range, a list. */
function fieldValues(part: string, min: number, max: number): Set<number> {
  const values = new Set<number>();
  for (const item of part.split(",")) {
    const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item);
    if (!match) throw new Error(`invalid cron item "${item}"`);
    const from = match[2] === undefined ? min : Number(match[2]);
    // "5/15" means 5, 20, 35, ... up to the field's maximum.
    const to =
      match[3] !== undefined
        ? Number(match[3])
        : match[2] !== undefined && match[4] === undefined
          ? from
          : max;
    const step = match[4] === undefined ? 1 : Number(match[4]);
    for (let value = from; value <= to; value += step) values.add(value);
  }
  return values;
}

const DAY_SECONDS = 86_400;
/** Eight years from 1 January 2024: every weekday/month-day combination, two leap days included. */
const SPAN_START = Date.UTC(2024, 0, 1) / 1000;
const SPAN_DAYS = 8 * 366;

/**
 * The longest time between two consecutive runs of a valid 5-field cron schedule (UTC), in seconds:
 * what "older than twice its schedule" means for a backup. Cron's rule holds: when both day of month and
 * day of week are restricted, a day matching either runs.
 */
export function cronLongestGapSeconds(text: string): number {
  if (cronProblem(text) !== undefined) throw new Error(`invalid cron schedule "${text}"`);
  const [minute = "", hour = "", dayOfMonth = "", month = "", dayOfWeek = ""] = text.trim().split(/\s+/);
  const minutes = [...fieldValues(minute, 0, 59)].sort((a, b) => a - b);
  const hours = [...fieldValues(hour, 0, 23)].sort((a, b) => a - b);
  const days = fieldValues(dayOfMonth, 1, 31);
  const months = fieldValues(month, 1, 12);
  const weekdays = new Set([...fieldValues(dayOfWeek, 0, 7)].map((day) => day % 7));
  const restricted = { days: dayOfMonth !== "*", weekdays: dayOfWeek !== "*" };
  let previous: number | undefined;
  let longest = 0;
  for (let day = 0; day < SPAN_DAYS; day++) {
    const start = SPAN_START + day * DAY_SECONDS;
    const date = new Date(start * 1000);
    if (!months.has(date.getUTCMonth() + 1)) continue;
    const byDay = days.has(date.getUTCDate());
    const byWeekday = weekdays.has(date.getUTCDay());
    const runsToday =
      restricted.days && restricted.weekdays ? byDay || byWeekday : restricted.days ? byDay : byWeekday;
    if (!runsToday) continue;
    for (const h of hours)
      for (const m of minutes) {
        const run = start + h * 3600 + m * 60;
        if (previous !== undefined) longest = Math.max(longest, run - previous);
        previous = run;
      }
  }
  if (longest === 0) throw new Error(`cron schedule "${text}" runs less than twice in eight years`);
  return longest;
}
