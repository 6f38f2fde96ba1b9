import type { LimitsConfig } from '../engine/config/config-schema.js';
import type { ResolvedAvoidWindow, ResolvedJob } from '../engine/config/jobs-config.js';

/** A budget dimension: requests, input, output or combined tokens per minute. */
export type BudgetDimension = 'rpm' | 'itpm' | 'otpm' | 'tpm';
export const BUDGET_DIMENSIONS: readonly BudgetDimension[] = ['rpm', 'itpm', 'otpm', 'tpm'];

/** A job to plan: a resolved job whose schedule is known (from the config or a crontab line). */
export type PlanJob = ResolvedJob & { schedule: string };

/** What the planner needs; pure data, so the same input always gives the same plan. */
export interface PlanInput {
  jobs: readonly PlanJob[];
  /** Each provider's limits (absent = unlimited: its jobs are not moved). */
  limits: Readonly<Record<string, LimitsConfig | undefined>>;
  /** Share of every budget kept free (0.2 = plan against 80 %). */
  reserve: number;
  avoid: readonly ResolvedAvoidWindow[];
  /** Start of the planning period (ms since the epoch): the planner never reads a clock. */
  periodStart: number;
  /** Time zone of schedules and avoid windows without their own `tz`. */
  defaultTz: string;
}

/** Per-minute peaks of one provider, per dimension (rpm always; token dimensions where a limit exists). */
export type ProviderPeak = Partial<Record<BudgetDimension, number>> & { rpm: number };

/** One job's place in the plan. */
export interface PlannedJob {
  name: string;
  schedule: string;
  /** Cron expressions of the planned runs (usually one). */
  plannedSchedule: string[];
  tz: string;
  delayMinutes: number;
  priority: number;
  provider?: string;
  /** Highest share of any of its provider's limits in the minutes it runs, after planning (0..1+). */
  peakShare: number;
  /** Planned run starts in the period (ms since the epoch). */
  starts: number[];
  /** Set when the job could not be kept out of an avoid window within its flex. */
  inAvoidWindow?: boolean;
  /** Set when no delay within its flex fits the budget. */
  overflows?: boolean;
}

/** A stretch of minutes where a budget is exceeded. */
export interface OverflowSpan {
  /** First minute (ms since the epoch). */
  at: number;
  minutes: number;
  dimension: BudgetDimension;
  /** Highest planned load in the span, and the usable budget ((1 − reserve) × limit). */
  load: number;
  usable: number;
}

/** A job no delay within its flex could fit, where it overflows, and what would fit. */
export interface JobOverflow {
  job: string;
  provider: string;
  spans: OverflowSpan[];
  /** The smallest flex (minutes) that would fit, if any within the period. */
  flexThatFits?: number;
  /** Limits that would fit it at its least-loaded delay within flex. */
  limitsThatFit: Partial<Record<BudgetDimension, number>>;
  /** When one run alone exceeds a usable budget: the `ai.minutes` that would spread it thin enough. */
  minutesThatFit?: number;
}

/** The plan: data the CLI prints and the runner fires. */
export interface Plan {
  periodStart: number;
  /** 1440 (a day: every schedule daily) or 10080 (a week). */
  periodMinutes: number;
  feasible: boolean;
  jobs: PlannedJob[];
  peak: { before: Record<string, ProviderPeak>; after: Record<string, ProviderPeak> };
  overflows: JobOverflow[];
  /** Per provider and dimension, the load per minute of the period, before and after. */
  load: {
    before: Record<string, Partial<Record<BudgetDimension, Float64Array>>>;
    after: Record<string, Partial<Record<BudgetDimension, Float64Array>>>;
  };
  reserve: number;
}
