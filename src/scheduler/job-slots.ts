import { Cron } from 'croner';
import type { ResolvedJob } from '../engine/config/jobs-config.js';

/** A job the runner fires: a resolved job with a schedule, and the delay the plan gave it. */
export interface SlottedJob {
  job: ResolvedJob & { schedule: string };
  /** Planned delay after each scheduled time (ms; 0 when unplanned). */
  delayMs: number;
  /** Time zone its schedule is read in. */
  tz: string;
}

/**
 * The planned slots of a job: each time its cron expression fires (croner, in its zone), moved by its planned delay.
 * @example new JobSlots({ job, delayMs: 60_000, tz: 'UTC' }).next(Date.UTC(2026, 0, 5)) // 09:01 when the schedule is 0 9 * * *
 */
export class JobSlots {
  private readonly cron: Cron;

  constructor(readonly slotted: SlottedJob) {
    const zone = slotted.tz === 'UTC' || slotted.tz === 'Etc/UTC' ? { utcOffset: 0 } : { timezone: slotted.tz };
    this.cron = new Cron(slotted.job.schedule, { paused: true, mode: '5-or-6-parts', ...zone });
  }

  /** The first slot strictly after `after` (ms), or undefined when the schedule never fires again. */
  next(after: number): number | undefined {
    const next = this.cron.nextRun(new Date(after - this.slotted.delayMs));
    return next === null ? undefined : next.getTime() + this.slotted.delayMs;
  }

  /** The last slot in (`from`, `to`], or undefined when none (walks at most `maxSteps` slots). */
  lastBetween(from: number, to: number, maxSteps = 100_000): number | undefined {
    let last: number | undefined;
    let at = this.next(from);
    for (let i = 0; at !== undefined && at <= to && i < maxSteps; i++) {
      last = at;
      at = this.next(at);
    }
    return last;
  }
}

/**
 * The id of a planned run: the job and its slot, so every instance running the same config names it alike.
 * @example runId('digest', Date.UTC(2026, 0, 5, 9, 1)) // 'digest@2026-01-05T09:01:00.000Z'
 */
export function runId(job: string, plannedAt: number): string {
  return `${job}@${new Date(plannedAt).toISOString()}`;
}
