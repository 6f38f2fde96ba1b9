import { avoidMask } from './avoid-mask.js';
import { BudgetLoad, perMinuteAmounts, slack } from './budget-load.js';
import { findDelay, leastOverload, type JobDemand } from './find-delay.js';
import { jobProfile } from './job-profile.js';
import { shiftedSchedule } from './planned-schedule.js';
import type {
  BudgetDimension,
  JobOverflow,
  OverflowSpan,
  Plan,
  PlanInput,
  PlanJob,
  PlannedJob,
  ProviderPeak,
} from './plan-types.js';
import { cronFields, scheduleInstants, scheduleKind, TooFrequentError } from './schedule-shape.js';
import { DAY_MINUTES, MINUTE_MS, WEEK_MINUTES, zonedMinute } from './zoned-time.js';

/*
 * Why this is our own code: placing jobs against a request/token quota is failsoft's own domain. Cron
 * libraries (croner, which we use to read and enumerate schedules) fire jobs; schedulers (Jenkins `H`, systemd
 * RandomizedDelaySec, Kubernetes CronJob, Temporal, BullMQ, pg-boss) spread or queue them, but none knows a
 * provider's RPM/ITPM/OTPM/TPM budget or a job's expected load, so none can plan against it.
 *
 * Method: greedy, in priority order (lower number first; then shorter runs, then name: deterministic). Each job takes the smallest
 * delay within its flex at which every minute it runs fits (1 − reserve) of every budget of its provider,
 * preferring a delay clear of avoid windows. One delay per job moves all its runs in the period alike, so the
 * result is again a cron expression. Load lives in one Float64Array per provider and dimension (a minute each),
 * updated as jobs are placed; a conflict skips every delay that would land the same stretch on that minute.
 * Greedy minimises each job's delay given the jobs placed before it — not the global optimum, but the order
 * encodes the priority rule, and it keeps 1,000 jobs over a week well under a second.
 */

interface Prepared {
  job: PlanJob;
  tz: string;
  instants: number[];
  demand?: JobDemand;
  maxDelay: number;
}

/**
 * The period the load is predicted over, as the smallest one that repeats: a day when every schedule is daily and
 * every avoid window holds every day (each day then looks the same, so one day shows every collision); a week when
 * a schedule names weekdays or a window is for some days only (Monday's jobs only collide on Mondays). Loads wrap at
 * the period's end, since the next period repeats it. Calendar schedules (day of month, month) are counted on every
 * day: the conservative reading, as the week holding the 1st is not known in advance.
 */
function choosePeriod(input: PlanInput): number {
  const weekly =
    input.jobs.some((j) => scheduleKind(cronFields(j.schedule)) === 'weekly') ||
    input.avoid.some((w) => w.days.length < 7);
  return weekly ? WEEK_MINUTES : DAY_MINUTES;
}

function prepare(input: PlanInput, period: number, cache: Map<string, number[]>): Prepared[] {
  return input.jobs.map((job) => {
    const tz = job.tz ?? input.defaultTz;
    const key = `${job.schedule}|${tz}`;
    let instants = cache.get(key);
    if (instants === undefined) {
      try {
        instants = scheduleInstants(job.schedule, tz, input.periodStart, period);
      } catch (error) {
        if (error instanceof TooFrequentError)
          throw new TooFrequentError(`jobs.${job.name}.schedule: ${error.message}`);
        throw error;
      }
      cache.set(key, instants);
    }
    let maxDelay = Math.min(Math.floor(job.flexMs / MINUTE_MS), period - 1);
    if (scheduleKind(cronFields(job.schedule)) === 'calendar') {
      // A calendar schedule keeps its day fields: its runs may not cross midnight.
      const latest = Math.max(0, ...instants.map((t) => zonedMinute(t, tz).minuteOfDay));
      maxDelay = Math.min(maxDelay, DAY_MINUTES - 1 - latest);
    }
    const prepared: Prepared = { job, tz, instants, maxDelay };
    if (job.ai !== undefined && job.ai.requests + job.ai.inputTokens + job.ai.outputTokens > 0) {
      const offsets = instants.map((t) => Math.floor((t - input.periodStart) / MINUTE_MS));
      prepared.demand = {
        provider: job.ai.provider,
        profile: jobProfile(offsets, job.ai.minutes, period),
        amounts: perMinuteAmounts(job.ai),
      };
    }
    return prepared;
  });
}

function addDemand(budget: BudgetLoad, demand: JobDemand, delay: number): void {
  const { minutes, counts } = demand.profile;
  for (let i = 0; i < minutes.length; i++)
    budget.add(
      demand.provider,
      demand.amounts,
      ((minutes[i] as number) + delay) % budget.periodMinutes,
      counts[i] as number,
    );
}

/** Stretches of the job's minutes (at its delay) where a usable budget is exceeded. */
function overflowSpans(budget: BudgetLoad, demand: JobDemand, delay: number, periodStart: number): OverflowSpan[] {
  const spans: OverflowSpan[] = [];
  const arrays = budget.arraysOf(demand.provider);
  for (const c of budget.checked.get(demand.provider) ?? []) {
    const load = arrays[c.dimension] as Float64Array;
    let open: OverflowSpan | undefined;
    let last = -2;
    for (const m of demand.profile.minutes) {
      const p = (m + delay) % budget.periodMinutes;
      const value = load[p] as number;
      if (value <= c.usable + slack(c.usable)) continue;
      if (open !== undefined && p === last + 1) {
        open.minutes++;
        open.load = Math.max(open.load, value);
      } else {
        open = { at: periodStart + p * MINUTE_MS, minutes: 1, dimension: c.dimension, load: value, usable: c.usable };
        spans.push(open);
      }
      last = p;
    }
  }
  return spans;
}

function overflowFor(
  budget: BudgetLoad,
  p: Prepared & { demand: JobDemand },
): { delay: number; overflow: JobOverflow } {
  const { delay, limitsThatFit } = leastOverload(budget, p.demand, p.maxDelay);
  const overflow: JobOverflow = { job: p.job.name, provider: p.demand.provider, spans: [], limitsThatFit };
  const later = findDelay(budget, p.demand, undefined, p.maxDelay + 1, budget.periodMinutes - 1);
  if (later !== undefined) overflow.flexThatFits = later.delay;
  const ai = p.job.ai;
  if (ai !== undefined) {
    let minutes = 0;
    for (const c of budget.checked.get(p.demand.provider) ?? []) {
      const total = p.demand.amounts[c.dimension] * ai.minutes;
      if (p.demand.amounts[c.dimension] > c.usable + slack(c.usable))
        minutes = Math.max(minutes, Math.ceil(total / c.usable - 1e-9));
    }
    if (minutes > 0) overflow.minutesThatFit = minutes;
  }
  return { delay, overflow };
}

function peaksOf(budget: BudgetLoad): Record<string, ProviderPeak> {
  const out: Record<string, ProviderPeak> = {};
  for (const provider of budget.load.keys()) out[provider] = { rpm: 0, ...budget.peaks(provider) };
  return out;
}

function peakShare(budget: BudgetLoad, demand: JobDemand | undefined, delay: number): number {
  if (demand === undefined) return 0;
  const arrays = budget.arraysOf(demand.provider);
  let share = 0;
  for (const c of budget.checked.get(demand.provider) ?? []) {
    const load = arrays[c.dimension] as Float64Array;
    for (const m of demand.profile.minutes)
      share = Math.max(share, (load[(m + delay) % budget.periodMinutes] as number) / c.limit);
  }
  return share;
}

/**
 * Plans every job's start within its flex so the predicted per-minute load fits (1 − reserve) of every budget.
 * Pure and deterministic: the period start comes in, no clock is read. A plan that does not fit says so
 * (`feasible: false`, with each overflowing job, its minutes, and the flex or limits that would fit).
 * @example planJobs({ jobs, limits: { claude: { rpm: 1000 } }, reserve: 0.2, avoid: [], periodStart: Date.UTC(2026, 0, 5), defaultTz: 'UTC' })
 */
export function planJobs(input: PlanInput): Plan {
  const period = choosePeriod(input);
  const prepared = prepare(input, period, new Map());
  const before = new BudgetLoad(period, input.limits, input.reserve);
  const after = new BudgetLoad(period, input.limits, input.reserve);
  for (const p of prepared) if (p.demand) addDemand(before, p.demand, 0);
  const mask = input.avoid.length > 0 ? avoidMask(input.avoid, input.periodStart, period, input.defaultTz) : undefined;
  const order = prepared
    .map((_, i) => i)
    .sort((a, b) => {
      const ja = (prepared[a] as Prepared).job;
      const jb = (prepared[b] as Prepared).job;
      // Within a priority, shorter runs first (the shortest-processing-time rule, which minimises total delay when
      // runs queue for one budget), then by name.
      return (
        ja.priority - jb.priority ||
        (ja.ai?.minutes ?? 0) - (jb.ai?.minutes ?? 0) ||
        (ja.name < jb.name ? -1 : ja.name > jb.name ? 1 : 0)
      );
    });
  const delays = new Array<number>(prepared.length).fill(0);
  const inAvoid = new Array<boolean>(prepared.length).fill(false);
  const overflowing: { index: number; overflow: JobOverflow }[] = [];
  for (const i of order) {
    const p = prepared[i] as Prepared;
    if (p.demand === undefined) continue;
    const choice = findDelay(after, p.demand, mask, 0, p.maxDelay);
    if (choice !== undefined) {
      delays[i] = choice.delay;
      inAvoid[i] = !choice.clearOfAvoid;
    } else {
      const { delay, overflow } = overflowFor(after, { ...p, demand: p.demand });
      delays[i] = delay;
      overflowing.push({ index: i, overflow });
    }
    addDemand(after, p.demand, delays[i] as number);
  }
  for (const { index, overflow } of overflowing) {
    const p = prepared[index] as Prepared;
    if (p.demand) overflow.spans = overflowSpans(after, p.demand, delays[index] as number, input.periodStart);
  }
  const jobs = prepared.map((p, i): PlannedJob => {
    const delay = delays[i] as number;
    const planned: PlannedJob = {
      name: p.job.name,
      schedule: p.job.schedule,
      plannedSchedule: shiftedSchedule(p.job.schedule, p.tz, p.instants, delay),
      tz: p.tz,
      delayMinutes: delay,
      priority: p.job.priority,
      peakShare: peakShare(after, p.demand, delay),
      starts: p.instants.map((t) => t + delay * MINUTE_MS),
    };
    if (p.job.ai !== undefined) planned.provider = p.job.ai.provider;
    if (inAvoid[i]) planned.inAvoidWindow = true;
    if (overflowing.some((o) => o.index === i)) planned.overflows = true;
    return planned;
  });
  const loadOf = (b: BudgetLoad): Record<string, Partial<Record<BudgetDimension, Float64Array>>> =>
    Object.fromEntries(b.load);
  return {
    periodStart: input.periodStart,
    periodMinutes: period,
    feasible: overflowing.length === 0,
    jobs,
    peak: { before: peaksOf(before), after: peaksOf(after) },
    overflows: overflowing.map((o) => o.overflow),
    load: { before: loadOf(before), after: loadOf(after) },
    reserve: input.reserve,
  };
}
