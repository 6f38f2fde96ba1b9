/** Wall-clock readings of an instant in a time zone, for schedules and avoid windows (no clock reads here). */

export const MINUTE_MS = 60_000;
export const DAY_MINUTES = 1_440;
export const WEEK_MINUTES = 10_080;

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** Weekday (0 = Sunday) and minute of the day of an instant, read in `tz`. */
export interface ZonedMinute {
  dow: number;
  minuteOfDay: number;
}

/**
 * Reads an instant's weekday and minute of the day in a time zone.
 * @example zonedMinute(Date.UTC(2026, 0, 5, 9, 30), 'UTC') // { dow: 1, minuteOfDay: 570 }
 */
export function zonedMinute(ms: number, tz: string): ZonedMinute {
  let dow = 0;
  let hour = 0;
  let minute = 0;
  for (const part of formatter(tz).formatToParts(ms)) {
    if (part.type === 'weekday') dow = WEEKDAYS[part.value] ?? 0;
    else if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return { dow, minuteOfDay: hour * 60 + minute };
}

const DAY_LABELS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/**
 * A short label for an instant in a time zone: `Mon 09:02` (or `09:02` when `withDay` is false).
 * @example minuteLabel(Date.UTC(2026, 0, 5, 9, 2), 'UTC') // 'Mon 09:02'
 */
export function minuteLabel(ms: number, tz: string, withDay = true): string {
  const { dow, minuteOfDay } = zonedMinute(ms, tz);
  const hhmm = `${String(Math.floor(minuteOfDay / 60)).padStart(2, '0')}:${String(minuteOfDay % 60).padStart(2, '0')}`;
  return withDay ? `${DAY_LABELS[dow]} ${hhmm}` : hhmm;
}

/**
 * Monday 00:00 UTC of the week holding `ms`: the CLI's default period start.
 * @example new Date(weekStartUtc(Date.UTC(2026, 11, 6))).toISOString() // '2026-11-30T00:00:00.000Z'
 */
export function weekStartUtc(ms: number): number {
  const day = Math.floor(ms / 86_400_000);
  const dow = (day + 4) % 7; // 1970-01-01 was a Thursday
  return (day - ((dow + 6) % 7)) * 86_400_000;
}
