import { describe, expect, it } from 'vitest';
import type { ResolvedAvoidWindow } from '../engine/config/jobs-config.js';
import { mulberry32 } from '../model/random.js';
import { planJobs } from './plan-jobs.js';
import type { BudgetDimension, Plan, PlanInput, PlanJob } from './plan-types.js';
import { MONDAY, testJob } from './plan-test-helpers.test-helper.js';

const DIMENSIONS: BudgetDimension[] = ['rpm', 'itpm', 'otpm', 'tpm'];

function randomInput(seed: number, withAvoid: boolean): PlanInput {
  const random = mulberry32(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
  const limits: PlanInput['limits'] = {
    alpha: {
      rpm: int(300, 2000),
      ...(random() < 0.5 ? { itpm: int(50_000, 400_000), otpm: int(10_000, 80_000) } : {}),
    },
    beta: { rpm: int(300, 2000), ...(random() < 0.5 ? { tpm: int(100_000, 500_000) } : {}) },
  };
  const jobs: PlanJob[] = [];
  const count = int(3, 40);
  const hour = int(0, 23);
  for (let i = 0; i < count; i++) {
    const minute = int(0, 59);
    const h = random() < 0.7 ? hour : int(0, 23);
    const schedule =
      random() < 0.25
        ? `${minute} ${h} * * ${int(0, 6)}`
        : random() < 0.2
          ? `${minute} ${h},${(h + 6) % 24} * * *`
          : `${minute} ${h} * * *`;
    jobs.push(
      testJob(
        `job${String(i).padStart(2, '0')}`,
        schedule,
        {
          provider: random() < 0.6 ? 'alpha' : 'beta',
          requests: int(10, 900),
          inputTokens: int(0, 200_000),
          outputTokens: int(0, 40_000),
          minutes: int(1, 15),
        },
        { priority: int(1, 3), flexMinutes: int(0, 120) },
      ),
    );
  }
  const avoid: ResolvedAvoidWindow[] = withAvoid
    ? [{ days: [1, 2, 3, 4, 5], fromMinute: hour * 60, toMinute: hour * 60 + int(10, 90) }]
    : [];
  return { jobs, limits, reserve: int(0, 5) / 10, avoid, periodStart: MONDAY, defaultTz: 'UTC' };
}

type Loads = Map<string, Map<BudgetDimension, Float64Array>>;

/** The per-minute load of the given jobs at the given delays, computed from scratch (not with the planner's code). */
function loadOf(input: PlanInput, plan: Plan, delays: Map<string, number>): Loads {
  const loads: Loads = new Map();
  for (const job of input.jobs) {
    const delay = delays.get(job.name);
    if (delay === undefined || job.ai === undefined) continue;
    const planned = plan.jobs.find((j) => j.name === job.name)!;
    const byDim = loads.get(job.ai.provider) ?? new Map<BudgetDimension, Float64Array>();
    loads.set(job.ai.provider, byDim);
    const per: Record<BudgetDimension, number> = {
      rpm: job.ai.requests / job.ai.minutes,
      itpm: job.ai.inputTokens / job.ai.minutes,
      otpm: job.ai.outputTokens / job.ai.minutes,
      tpm: (job.ai.inputTokens + job.ai.outputTokens) / job.ai.minutes,
    };
    for (const start of planned.starts) {
      const first = (start - planned.delayMinutes * 60_000 - plan.periodStart) / 60_000 + delay;
      for (let k = 0; k < job.ai.minutes; k++) {
        for (const d of DIMENSIONS) {
          const array = byDim.get(d) ?? new Float64Array(plan.periodMinutes);
          byDim.set(d, array);
          const at = (first + k) % plan.periodMinutes;
          array[at] = (array[at] as number) + per[d];
        }
      }
    }
  }
  return loads;
}

function overflowingMinutes(
  input: PlanInput,
  loads: Loads,
): { provider: string; dimension: BudgetDimension; minute: number }[] {
  const out: { provider: string; dimension: BudgetDimension; minute: number }[] = [];
  for (const [provider, byDim] of loads) {
    for (const d of DIMENSIONS) {
      const limit = input.limits[provider]?.[d];
      const array = byDim.get(d);
      if (limit === undefined || array === undefined) continue;
      const usable = limit * (1 - input.reserve);
      array.forEach((v, minute) => {
        if (v > usable * (1 + 1e-9) + 1e-9) out.push({ provider, dimension: d, minute });
      });
    }
  }
  return out;
}

describe('planJobs on random job sets (seeded)', () => {
  it('either every minute fits every usable budget, or the overflow is reported and real', () => {
    let feasible = 0;
    let infeasible = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const input = randomInput(seed, seed % 3 === 0);
      const plan = planJobs(input);
      expect(planJobs(input).jobs, `seed ${seed}: deterministic`).toEqual(plan.jobs);
      const delays = new Map(plan.jobs.map((j) => [j.name, j.delayMinutes]));
      const over = overflowingMinutes(input, loadOf(input, plan, delays));
      for (const job of plan.jobs) {
        const flex = Math.floor((input.jobs.find((j) => j.name === job.name)?.flexMs ?? 0) / 60_000);
        expect(job.delayMinutes, `seed ${seed}: ${job.name} within flex`).toBeLessThanOrEqual(flex);
      }
      if (plan.feasible) {
        feasible++;
        expect(over, `seed ${seed}: a feasible plan overflows`).toEqual([]);
        continue;
      }
      infeasible++;
      expect(over.length, `seed ${seed}: reported overflow is real`).toBeGreaterThan(0);
      for (const o of plan.overflows) {
        expect(o.spans.length, `seed ${seed}: ${o.job} names its minutes`).toBeGreaterThan(0);
        for (const s of o.spans)
          expect(
            over.some(
              (m) =>
                m.provider === o.provider &&
                m.dimension === s.dimension &&
                plan.periodStart + m.minute * 60_000 === s.at,
            ),
          ).toBe(true);
      }
      const named = new Set(plan.overflows.map((o) => o.job));
      // Every overflowing minute belongs to a job the plan names.
      for (const m of over) {
        const culprit = plan.jobs.some((j) => named.has(j.name) && j.provider === m.provider);
        expect(culprit, `seed ${seed}: overflow at minute ${m.minute} unnamed`).toBe(true);
      }
    }
    expect(feasible).toBeGreaterThan(5);
    expect(infeasible).toBeGreaterThan(5);
  });

  it('gives each job the smallest delay that fits after the jobs placed before it, and reports only jobs no delay fits', () => {
    for (let seed = 100; seed < 130; seed++) {
      const input = randomInput(seed, false);
      const plan = planJobs(input);
      const order = [...input.jobs].sort(
        (a, b) => a.priority - b.priority || (a.ai?.minutes ?? 0) - (b.ai?.minutes ?? 0) || (a.name < b.name ? -1 : 1),
      );
      const placed = new Map<string, number>();
      for (const job of order) {
        const planned = plan.jobs.find((j) => j.name === job.name)!;
        const flex = Math.floor(job.flexMs / 60_000);
        // The planner's rule, recomputed: every minute the job runs in fits every usable budget with it added.
        const fitsAt = (d: number): boolean => {
          const over = overflowingMinutes(input, loadOf(input, plan, new Map([...placed, [job.name, d]])));
          const mine = new Set<number>();
          for (const start of planned.starts) {
            const first = (start - planned.delayMinutes * 60_000 - plan.periodStart) / 60_000 + d;
            for (let k = 0; k < (job.ai?.minutes ?? 1); k++) mine.add((first + k) % plan.periodMinutes);
          }
          return !over.some((m) => m.provider === job.ai?.provider && mine.has(m.minute));
        };
        if (planned.overflows) {
          for (let d = 0; d <= flex; d++)
            expect(fitsAt(d), `seed ${seed}: ${job.name} reported over budget but fits at delay ${d}`).toBe(false);
        } else {
          expect(fitsAt(planned.delayMinutes), `seed ${seed}: ${job.name} at its delay`).toBe(true);
          for (let d = 0; d < planned.delayMinutes; d++)
            expect(fitsAt(d), `seed ${seed}: ${job.name} fits earlier, at ${d}`).toBe(false);
        }
        placed.set(job.name, planned.delayMinutes);
      }
    }
  });
});
