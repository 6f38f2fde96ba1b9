import type { ResolvedConfig } from '../engine/config/resolve-config.js';
import { planJobs } from './plan-jobs.js';
import type { PlanJob } from './plan-types.js';
import type { SlottedJob } from './job-slots.js';
import { scheduleInstants, TooFrequentError } from './schedule-shape.js';
import { MINUTE_MS, weekStartUtc } from './zoned-time.js';

/** The jobs a runner fires, and what a person should know about how they were placed. */
export interface RunnerPlan {
  jobs: SlottedJob[];
  /** One line each: jobs not run (no schedule), jobs run unplanned (too frequent), a plan that does not fit. */
  notes: string[];
  /** The planned cron expressions of each planned job (`failsoft plan`'s plannedSchedule); others run as scheduled. */
  plannedSchedules: Record<string, string[]>;
}

/** Whether the planner can place this schedule (it works a minute at a time: more runs than minutes it refuses). */
function plannable(job: PlanJob, tz: string, start: number): boolean {
  try {
    scheduleInstants(job.schedule, tz, start, 1440);
    return true;
  } catch (error) {
    if (error instanceof TooFrequentError) return false;
    throw error;
  }
}

/**
 * The slots a runner fires: each job's schedule moved by the delay `failsoft plan` gives it (the same deterministic
 * plan on every instance). Jobs with an `ai:` estimate are planned; the others, and schedules that run more than
 * once a minute, keep their own times. A plan that does not fit is still run as planned (least overload), with a note.
 * @example slottedJobs(config, Date.now(), 'UTC').jobs[0]?.delayMs
 */
export function slottedJobs(config: ResolvedConfig, now: number, defaultTz: string): RunnerPlan {
  const notes: string[] = [];
  const periodStart = weekStartUtc(now);
  const scheduled: PlanJob[] = [];
  for (const job of Object.values(config.jobs ?? {})) {
    if (job.schedule === undefined) notes.push(`jobs.${job.name}: no schedule, so the runner does not run it`);
    else scheduled.push(job as PlanJob);
  }
  const toPlan = scheduled.filter((job) => {
    if (job.ai === undefined) return false;
    if (plannable(job, job.tz ?? defaultTz, periodStart)) return true;
    notes.push(`jobs.${job.name}: runs more than once a minute: not planned, run at its own schedule`);
    return false;
  });
  const delays = new Map<string, number>();
  const plannedSchedules: Record<string, string[]> = {};
  if (toPlan.length > 0) {
    const plan = planJobs({
      jobs: toPlan,
      limits: Object.fromEntries(Object.values(config.providers).map((p) => [p.name, p.limits])),
      reserve: config.planning?.reserve ?? 0.2,
      avoid: config.planning?.avoid ?? [],
      periodStart,
      defaultTz,
    });
    for (const planned of plan.jobs) {
      delays.set(planned.name, planned.delayMinutes * MINUTE_MS);
      plannedSchedules[planned.name] = planned.plannedSchedule;
    }
    if (!plan.feasible)
      notes.push(
        `the plan does not fit every budget (${plan.overflows.map((o) => o.job).join(', ')} overflow): run at their least-loaded delays; see failsoft plan`,
      );
  }
  return {
    jobs: scheduled.map((job) => ({ job, delayMs: delays.get(job.name) ?? 0, tz: job.tz ?? defaultTz })),
    notes,
    plannedSchedules,
  };
}
