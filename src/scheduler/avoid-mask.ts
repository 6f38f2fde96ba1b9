import type { ResolvedAvoidWindow } from '../engine/config/jobs-config.js';
import { DAY_MINUTES, MINUTE_MS, zonedMinute } from './zoned-time.js';

/** True when a wall-clock minute falls in the window (a window whose `to` is before its `from` wraps past midnight). */
function inWindow(window: ResolvedAvoidWindow, dow: number, minuteOfDay: number): boolean {
  if (window.fromMinute < window.toMinute)
    return window.days.includes(dow) && minuteOfDay >= window.fromMinute && minuteOfDay < window.toMinute;
  return (
    (window.days.includes(dow) && minuteOfDay >= window.fromMinute) ||
    (window.days.includes((dow + 6) % 7) && minuteOfDay < window.toMinute)
  );
}

/**
 * Marks the minutes of the period that fall in any avoid window, each read in its own time zone. The wall clock is
 * read on every quarter hour (time-zone offsets change on quarter hours) and counted on in between.
 * @example avoidMask([{ days: [1], fromMinute: 540, toMinute: 1020 }], Date.UTC(2026, 0, 5), 1440, 'UTC')[540] // 1
 */
export function avoidMask(
  windows: readonly ResolvedAvoidWindow[],
  periodStart: number,
  periodMinutes: number,
  defaultTz: string,
): Uint8Array {
  const mask = new Uint8Array(periodMinutes);
  const byZone = new Map<string, ResolvedAvoidWindow[]>();
  for (const w of windows) byZone.set(w.tz ?? defaultTz, [...(byZone.get(w.tz ?? defaultTz) ?? []), w]);
  for (const [tz, zoneWindows] of byZone) {
    const firstMinute = Math.floor(periodStart / MINUTE_MS);
    let base = zonedMinute(periodStart, tz);
    let since = 0;
    for (let t = 0; t < periodMinutes; t++, since++) {
      if ((firstMinute + t) % 15 === 0) {
        base = zonedMinute(periodStart + t * MINUTE_MS, tz);
        since = 0;
      }
      const raw = base.minuteOfDay + since;
      const dow = raw >= DAY_MINUTES ? (base.dow + 1) % 7 : base.dow;
      const minuteOfDay = raw % DAY_MINUTES;
      if (zoneWindows.some((w) => inWindow(w, dow, minuteOfDay))) mask[t] = 1;
    }
  }
  return mask;
}
