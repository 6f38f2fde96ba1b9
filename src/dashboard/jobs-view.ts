/**
 * The jobs as the dashboard shows them: each job's planned schedule (the same deterministic plan the runner fires,
 * from `slottedJobs` and `planJobs`), its next run, its last stored run, and today's planned load per provider
 * against its budget. The plan is computed once per planning period (a week) and cached: it depends only on the
 * config and the period.
 */
import type { ResolvedConfig } from '../engine/config/resolve-config.js';
import type { JobRunRecord } from '../store/records.js';
import { JobSlots } from '../scheduler/job-slots.js';
import { planJobs } from '../scheduler/plan-jobs.js';
import type { BudgetDimension, Plan, PlanJob } from '../scheduler/plan-types.js';
import { slottedJobs, type RunnerPlan } from '../scheduler/runner-plan.js';
import { DAY_MINUTES, MINUTE_MS, weekStartUtc } from '../scheduler/zoned-time.js';

/** Where the last run of each job is read: the record store (`Store` has it). */
export interface JobRunReader {
  listJobRuns(query: { job?: string; limit?: number }): Promise<JobRunRecord[]>;
}

/** One job's row. */
export interface JobView {
  name: string;
  schedule: string;
  /** The cron expressions it runs at after planning (its own schedule when not planned). */
  plannedSchedule: string[];
  tz: string;
  delayMinutes: number;
  provider: string | null;
  /** ISO time of the next planned run; null when the schedule never fires again. */
  nextRun: string | null;
  /** The last stored run; null when none (or no store). */
  lastRun: {
    status: JobRunRecord['status'];
    plannedAt: string;
    finishedAt: string | null;
    attempt: number;
    detail: string | null;
  } | null;
}

/** Today's planned load of one provider (per minute from 00:00 UTC), on the budget dimension its jobs press hardest. */
export interface ProviderLoadView {
  provider: string;
  dimension: BudgetDimension;
  /** The provider's limit on that dimension; null: no limit configured. */
  limit: number | null;
  /** What the plan may use of it: (1 − planning.reserve) × limit. */
  usable: number | null;
  /** 1,440 values: planned load in each minute of today (UTC). */
  perMinute: number[];
  peak: number;
}

/** The jobs part of the state. */
export interface JobsView {
  jobs: JobView[];
  /** What a person should know about the plan (jobs not run, a plan that does not fit). */
  notes: string[];
  feasible: boolean;
}

/** The chart's data. */
export interface PlanView {
  /** ISO time of 00:00 UTC today: minute 0 of every `perMinute`. */
  day: string;
  providers: ProviderLoadView[];
}

const DAY_MS = DAY_MINUTES * MINUTE_MS;

interface CachedPlan {
  periodStart: number;
  runner: RunnerPlan;
  plan: Plan | undefined;
  slots: Map<string, JobSlots>;
}

/** Reads and caches the plan of `config`'s jobs (see the module comment). */
export class JobsPlanView {
  private cached: CachedPlan | undefined;

  constructor(
    private readonly config: ResolvedConfig,
    private readonly runs: JobRunReader | undefined,
    private readonly defaultTz: string,
  ) {}

  /** Whether the config has jobs. */
  get hasJobs(): boolean {
    return Object.keys(this.config.jobs ?? {}).length > 0;
  }

  private planFor(now: number): CachedPlan {
    const periodStart = weekStartUtc(now);
    if (this.cached?.periodStart === periodStart) return this.cached;
    const runner = slottedJobs(this.config, now, this.defaultTz);
    const planned = runner.jobs
      .filter((s) => runner.plannedSchedules[s.job.name] !== undefined)
      .map((s) => s.job as PlanJob);
    const plan =
      planned.length === 0
        ? undefined
        : planJobs({
            jobs: planned,
            limits: Object.fromEntries(Object.values(this.config.providers).map((p) => [p.name, p.limits])),
            reserve: this.config.planning?.reserve ?? 0.2,
            avoid: this.config.planning?.avoid ?? [],
            periodStart,
            defaultTz: this.defaultTz,
          });
    this.cached = { periodStart, runner, plan, slots: new Map(runner.jobs.map((s) => [s.job.name, new JobSlots(s)])) };
    return this.cached;
  }

  /** Every job with its next and last run. */
  async jobs(now: number): Promise<JobsView> {
    if (!this.hasJobs) return { jobs: [], notes: [], feasible: true };
    const cached = this.planFor(now);
    const jobs = await Promise.all(
      cached.runner.jobs.map(async (s): Promise<JobView> => {
        const name = s.job.name;
        const next = cached.slots.get(name)?.next(now);
        return {
          name,
          schedule: s.job.schedule,
          plannedSchedule: cached.runner.plannedSchedules[name] ?? [s.job.schedule],
          tz: s.tz,
          delayMinutes: s.delayMs / MINUTE_MS,
          provider: s.job.ai?.provider ?? null,
          nextRun: next === undefined ? null : new Date(next).toISOString(),
          lastRun: await this.lastRun(name),
        };
      }),
    );
    return { jobs, notes: cached.runner.notes, feasible: cached.plan?.feasible ?? true };
  }

  private async lastRun(job: string): Promise<JobView['lastRun']> {
    if (this.runs === undefined) return null;
    const [run] = await this.runs.listJobRuns({ job, limit: 1 });
    if (run === undefined) return null;
    return {
      status: run.status,
      plannedAt: new Date(run.plannedAt).toISOString(),
      finishedAt: run.finishedAt === undefined ? null : new Date(run.finishedAt).toISOString(),
      attempt: run.attempt,
      detail: run.detail ?? null,
    };
  }

  /** Today's planned load per provider (UTC day), or no providers when no job is planned. */
  plan(now: number): PlanView {
    const dayStart = Math.floor(now / DAY_MS) * DAY_MS;
    const out: PlanView = { day: new Date(dayStart).toISOString(), providers: [] };
    if (!this.hasJobs) return out;
    const cached = this.planFor(now);
    const plan = cached.plan;
    if (plan === undefined) return out;
    // A one-day period repeats every day; a week's holds today at its day index.
    const offset = plan.periodMinutes === DAY_MINUTES ? 0 : Math.floor((dayStart - plan.periodStart) / MINUTE_MS);
    for (const [provider, loads] of Object.entries(plan.load.after)) {
      const limits = this.config.providers[provider]?.limits ?? {};
      const dimension = hardest(plan, provider, limits);
      const load = loads[dimension];
      if (load === undefined) continue;
      const perMinute = Array.from(load.subarray(offset, offset + DAY_MINUTES), (v) => Math.round(v * 100) / 100);
      if (perMinute.every((v) => v === 0)) continue;
      const limit = limits[dimension] ?? null;
      out.providers.push({
        provider,
        dimension,
        limit,
        usable: limit === null ? null : limit * (1 - plan.reserve),
        perMinute,
        peak: Math.max(...perMinute),
      });
    }
    return out;
  }
}

/** The dimension the jobs press hardest on (highest planned share of its limit); rpm without limits. */
function hardest(plan: Plan, provider: string, limits: Partial<Record<BudgetDimension, number>>): BudgetDimension {
  let best: BudgetDimension = 'rpm';
  let bestShare = -1;
  for (const [dimension, limit] of Object.entries(limits) as [BudgetDimension, number][]) {
    const share = (plan.peak.after[provider]?.[dimension] ?? 0) / limit;
    if (share > bestShare) {
      bestShare = share;
      best = dimension;
    }
  }
  return best;
}
