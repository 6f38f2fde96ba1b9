/**
 * The demo's compressed day: real time runs `speed` times slower than the simulated clock the story is told in
 * (`--speed 3600`: one simulated hour per real second). Everything that happens is real (HTTP calls, breakers,
 * cool-downs, the incident record); only the reading of the clock is compressed. Durations the engine must
 * honour (a breaker's open time, a quiet period) are given to it in real milliseconds, converted here. One
 * stretch may play slower (the jobs' few minutes at 09:00): a per-minute budget refills in a simulated minute,
 * and at an hour a second that is 17 real ms, faster than any burst of real calls could drain it.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** A stretch of the simulated day played slower (the jobs' minutes, so their per-minute budget is met as jobs meet it). */
export interface SlowStretch {
  /** Simulated start and end (epoch ms). */
  from: number;
  to: number;
  /** Simulated ms per real ms within it (20: a minute every 3 s). */
  speed: number;
}

/** The mapping between the real clock and the simulated day. */
export class DemoTime {
  private readonly slowRealFrom: number;
  private readonly slowRealTo: number;

  /**
   * @param speed simulated milliseconds per real millisecond (3600: an hour a second)
   * @param realStart the real instant the simulated day starts at `simStart`
   * @param simStart the simulated instant at `realStart` (epoch ms; the demo uses 08:00 UTC of the real day)
   * @param slow one stretch after `simStart` played at its own speed
   */
  constructor(
    readonly speed: number,
    readonly realStart: number,
    readonly simStart: number,
    readonly slow?: SlowStretch,
  ) {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new Error(`demo speed ${speed}: must be a positive number`);
    if (slow && (!(slow.speed > 0) || !(slow.from >= simStart) || !(slow.to > slow.from))) {
      throw new Error(
        `demo slow stretch ${JSON.stringify(slow)}: must start at or after the day's start, end after it starts, and have a positive speed`,
      );
    }
    this.slowRealFrom = slow ? realStart + (slow.from - simStart) / speed : Number.POSITIVE_INFINITY;
    this.slowRealTo = slow ? this.slowRealFrom + (slow.to - slow.from) / slow.speed : Number.POSITIVE_INFINITY;
  }

  /** The simulated instant of a real one. */
  simAt(realMs: number): number {
    const { slow } = this;
    if (!slow || realMs <= this.slowRealFrom) return this.simStart + (realMs - this.realStart) * this.speed;
    if (realMs <= this.slowRealTo) return slow.from + (realMs - this.slowRealFrom) * slow.speed;
    return slow.to + (realMs - this.slowRealTo) * this.speed;
  }

  /** The real instant of a simulated one. */
  realAt(simMs: number): number {
    const { slow } = this;
    if (!slow || simMs <= slow.from) return this.realStart + (simMs - this.simStart) / this.speed;
    if (simMs <= slow.to) return this.slowRealFrom + (simMs - slow.from) / slow.speed;
    return this.slowRealTo + (simMs - slow.to) / this.speed;
  }

  /** A simulated duration at the day's speed in real milliseconds, never below `floorMs` (finer timers are noise). */
  real(simMs: number, floorMs = 1): number {
    return Math.max(floorMs, Math.round(simMs / this.speed));
  }

  /** The simulated instant of `HH:MM` on the simulated day (the day of `simStart`). */
  at(hhmm: string): number {
    return dayOf(this.simStart) + parseClockTime(hhmm);
  }
}

/** Midnight UTC of the day holding `ms`. */
export function dayOf(ms: number): number {
  return ms - (((ms % 86_400_000) + 86_400_000) % 86_400_000);
}

/**
 * `HH:MM` (00:00 to 24:00) as milliseconds after midnight; throws naming the text when it is not one.
 * @example parseClockTime('12:30') // 45_000_000
 */
export function parseClockTime(hhmm: string): number {
  const match = /^(\d{2}):(\d{2})$/.exec(hhmm);
  const hours = Number(match?.[1]);
  const minutes = Number(match?.[2]);
  if (!match || hours > 24 || minutes > 59 || (hours === 24 && minutes > 0))
    throw new Error(`demo time "${hhmm}": expected HH:MM from 00:00 to 24:00`);
  return hours * HOUR_MS + minutes * MINUTE_MS;
}

/** `HH:MM` of a simulated instant (24:00 for the midnight that ends the day). */
export function clockText(simMs: number, dayStart: number): string {
  const offset = simMs - dayStart;
  if (offset >= 24 * HOUR_MS && offset < 24 * HOUR_MS + MINUTE_MS) return '24:00';
  return new Date(simMs).toISOString().slice(11, 16);
}
