import { Cron } from 'croner';
import { MINUTE_MS } from './zoned-time.js';

/**
 * How a cron expression repeats, which decides the planning period and how a shifted schedule is written:
 * `daily` (day fields all `*`), `weekly` (only the weekday restricted) or `calendar` (day of month or month
 * restricted: planned conservatively as if it ran every day, and never moved past midnight).
 */
export type ScheduleKind = 'daily' | 'weekly' | 'calendar';

/** A cron expression split into fields, nicknames expanded; `seconds` is undefined for 5-field expressions. */
export interface CronFields {
  seconds?: string;
  minute: string;
  hour: string;
  dayOfMonth: string;
  month: string;
  dayOfWeek: string;
}

const NICKNAMES: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/**
 * Splits a (valid) cron expression into its fields.
 * @example cronFields('0 9 * * 1-5').dayOfWeek // '1-5'
 */
export function cronFields(expression: string): CronFields {
  const text = NICKNAMES[expression.trim().toLowerCase()] ?? expression.trim();
  const f = text.split(/\s+/);
  const [seconds, rest] = f.length === 6 ? [f[0], f.slice(1)] : [undefined, f];
  const [minute = '*', hour = '*', dayOfMonth = '*', month = '*', dayOfWeek = '*'] = rest;
  return seconds === undefined
    ? { minute, hour, dayOfMonth, month, dayOfWeek }
    : { seconds, minute, hour, dayOfMonth, month, dayOfWeek };
}

const wild = (field: string): boolean => field === '*' || field === '?';

/** How an expression repeats (see ScheduleKind). */
export function scheduleKind(fields: CronFields): ScheduleKind {
  if (!wild(fields.dayOfMonth) || !wild(fields.month)) return 'calendar';
  return wild(fields.dayOfWeek) ? 'daily' : 'weekly';
}

/** Joins fields back into an expression (6 fields when there are seconds). */
export function joinFields(fields: CronFields): string {
  const five = [fields.minute, fields.hour, fields.dayOfMonth, fields.month, fields.dayOfWeek].join(' ');
  return fields.seconds === undefined ? five : `${fields.seconds} ${five}`;
}

/** More runs than minutes in the period: the planner works a minute at a time, so it refuses such a schedule. */
export class TooFrequentError extends Error {
  override readonly name = 'TooFrequentError';
}

/**
 * The instants (ms) at which an expression fires in [start, start + minutes), read in `tz`. A calendar
 * expression is read with its day fields as `*` (every day: the conservative assumption).
 * @example scheduleInstants('0 9 * * *', 'UTC', Date.UTC(2026, 0, 5), 1440) // [Date.UTC(2026, 0, 5, 9)]
 */
export function scheduleInstants(expression: string, tz: string, start: number, minutes: number): number[] {
  const fields = cronFields(expression);
  const pattern =
    scheduleKind(fields) === 'calendar'
      ? joinFields({ ...fields, dayOfMonth: '*', month: '*', dayOfWeek: '*' })
      : joinFields(fields);
  // croner reads a fixed offset several times faster than a named zone: UTC takes the fast path.
  const zone = tz === 'UTC' || tz === 'Etc/UTC' ? { utcOffset: 0 } : { timezone: tz };
  const cron = new Cron(pattern, { paused: true, mode: '5-or-6-parts', ...zone });
  const end = start + minutes * MINUTE_MS;
  const out: number[] = [];
  let next = cron.nextRun(new Date(start - 1));
  while (next !== null && next.getTime() < end) {
    out.push(next.getTime());
    if (out.length > minutes)
      throw new TooFrequentError(
        `"${expression}" runs more than once a minute on average: the planner works a minute at a time`,
      );
    next = cron.nextRun(next);
  }
  cron.stop();
  return out;
}
