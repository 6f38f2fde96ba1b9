import { cronFields, joinFields, scheduleKind } from './schedule-shape.js';
import { MINUTE_MS, zonedMinute } from './zoned-time.js';

/** Writes numbers as a cron list, runs of three or more as ranges: `1-5`, `0,6`. */
function cronList(values: readonly number[]): string {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && (sorted[j + 1] as number) === (sorted[j] as number) + 1) j++;
    parts.push(j - i >= 2 ? `${sorted[i]}-${sorted[j]}` : sorted.slice(i, j + 1).join(','));
    i = j + 1;
  }
  return parts.join(',');
}

/** Groups keys by the value computed for each, keeping first-seen order. */
function groupBy<K, V>(entries: Iterable<[K, V]>, keyOf: (value: V) => string): Map<string, K[]> {
  const out = new Map<string, K[]>();
  for (const [key, value] of entries) {
    const k = keyOf(value);
    const list = out.get(k);
    if (list === undefined) out.set(k, [key]);
    else list.push(key);
  }
  return out;
}

/**
 * The cron expressions (usually one) that fire at the job's runs in the period moved `delayMinutes` later, read in the
 * job's time zone. The original seconds field is kept; a calendar schedule keeps its day fields (the planner never
 * moves it past midnight); a daily one stays `* * *` on the day fields.
 * @example shiftedSchedule('0 9 * * *', 'UTC', [Date.UTC(2026, 0, 5, 9)], 2) // ['2 9 * * *']
 */
export function shiftedSchedule(
  expression: string,
  tz: string,
  instants: readonly number[],
  delayMinutes: number,
): string[] {
  const fields = cronFields(expression);
  if (delayMinutes === 0) return [expression];
  const kind = scheduleKind(fields);
  // weekday → hour → minutes
  const byDay = new Map<number, Map<number, Set<number>>>();
  for (const instant of instants) {
    const { dow, minuteOfDay } = zonedMinute(instant + delayMinutes * MINUTE_MS, tz);
    const day = kind === 'weekly' ? dow : -1;
    const hours = byDay.get(day) ?? new Map<number, Set<number>>();
    byDay.set(day, hours);
    const hour = Math.floor(minuteOfDay / 60);
    const minutes = hours.get(hour) ?? new Set<number>();
    hours.set(hour, minutes);
    minutes.add(minuteOfDay % 60);
  }
  // (day, minute list) → hours, then (minute list, hour list) → days.
  const dayMinuteHours = new Map<string, { day: number; minutes: string; hours: number[] }>();
  for (const day of [...byDay.keys()].sort((a, b) => a - b)) {
    const hours = byDay.get(day) as Map<number, Set<number>>;
    for (const hour of [...hours.keys()].sort((a, b) => a - b)) {
      const minutes = cronList([...(hours.get(hour) as Set<number>)]);
      const key = `${day}|${minutes}`;
      const entry = dayMinuteHours.get(key) ?? { day, minutes, hours: [] };
      entry.hours.push(hour);
      dayMinuteHours.set(key, entry);
    }
  }
  const lines = groupBy(
    [...dayMinuteHours.values()].map((e): [number, string] => [e.day, `${e.minutes} ${cronList(e.hours)}`]),
    (v) => v,
  );
  return [...lines.entries()].map(([minuteHour, days]) => {
    const [minute = '0', hour = '0'] = minuteHour.split(' ');
    const dayOfWeek = kind === 'weekly' ? (days.length === 7 ? '*' : cronList(days)) : fields.dayOfWeek;
    return joinFields({ ...fields, minute, hour, dayOfWeek });
  });
}
