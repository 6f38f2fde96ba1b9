import type { BudgetLoad } from './budget-load.js';
import { slack } from './budget-load.js';
import type { JobProfile } from './job-profile.js';
import type { BudgetDimension } from './plan-types.js';

/** A job's demand on one provider: its profile and per-minute amounts per dimension. */
export interface JobDemand {
  provider: string;
  profile: JobProfile;
  amounts: Record<BudgetDimension, number>;
}

interface CheckedArray {
  load: Float64Array;
  amount: number;
  usable: number;
}

function checkedArrays(budget: BudgetLoad, demand: JobDemand): CheckedArray[] {
  const arrays = budget.arraysOf(demand.provider);
  return (budget.checked.get(demand.provider) ?? []).map((c) => ({
    load: arrays[c.dimension] as Float64Array,
    amount: demand.amounts[c.dimension],
    usable: c.usable,
  }));
}

/**
 * 0 when the job fits every budget at delay `d`, else how far the next candidate may jump: a minute that cannot take
 * even one run stays blocked for every delay that lands any minute of the same stretch on it.
 */
function budgetJump(checks: readonly CheckedArray[], profile: JobProfile, d: number, period: number): number {
  const { minutes, counts, stretchStart } = profile;
  for (let i = minutes.length - 1; i >= 0; i--) {
    const m = minutes[i] as number;
    const p = (m + d) % period;
    for (const c of checks) {
      const load = c.load[p] as number;
      if (load + (counts[i] as number) * c.amount > c.usable + slack(c.usable)) {
        return load + c.amount > c.usable + slack(c.usable) ? m - (stretchStart[i] as number) + 1 : 1;
      }
    }
  }
  return 0;
}

function avoidJump(mask: Uint8Array, profile: JobProfile, d: number, period: number): number {
  const { minutes, stretchStart } = profile;
  for (let i = minutes.length - 1; i >= 0; i--) {
    const m = minutes[i] as number;
    if (mask[(m + d) % period] === 1) return m - (stretchStart[i] as number) + 1;
  }
  return 0;
}

/** The chosen delay, and whether it also keeps out of every avoid window. */
export interface DelayChoice {
  delay: number;
  clearOfAvoid: boolean;
}

/**
 * The smallest delay in [from, to] at which the job fits every budget, preferring one clear of avoid windows;
 * undefined when none fits.
 * @example findDelay(budget, demand, mask, 0, 60) // { delay: 2, clearOfAvoid: true }
 */
export function findDelay(
  budget: BudgetLoad,
  demand: JobDemand,
  mask: Uint8Array | undefined,
  from: number,
  to: number,
): DelayChoice | undefined {
  const period = budget.periodMinutes;
  const checks = checkedArrays(budget, demand);
  let firstFit: number | undefined;
  for (let d = from; d <= to; ) {
    const jump = budgetJump(checks, demand.profile, d, period);
    if (jump > 0) {
      d += jump;
      continue;
    }
    const away = mask === undefined ? 0 : avoidJump(mask, demand.profile, d, period);
    if (away === 0) return { delay: d, clearOfAvoid: true };
    firstFit ??= d;
    d += away;
  }
  return firstFit === undefined ? undefined : { delay: firstFit, clearOfAvoid: false };
}

/**
 * For a job that fits nowhere: the delay in [0, to] with the lowest worst-case share of a usable budget, and the
 * limits per dimension that would let it fit there.
 */
export function leastOverload(
  budget: BudgetLoad,
  demand: JobDemand,
  to: number,
): { delay: number; limitsThatFit: Partial<Record<BudgetDimension, number>> } {
  const period = budget.periodMinutes;
  const checked = budget.checked.get(demand.provider) ?? [];
  const arrays = budget.arraysOf(demand.provider);
  const { minutes, counts } = demand.profile;
  let best = 0;
  let bestRatio = Infinity;
  for (let d = 0; d <= to; d++) {
    let worst = 0;
    for (let i = 0; i < minutes.length; i++) {
      const p = ((minutes[i] as number) + d) % period;
      for (const c of checked) {
        const ratio =
          (((arrays[c.dimension] as Float64Array)[p] as number) + (counts[i] as number) * demand.amounts[c.dimension]) /
          c.usable;
        if (ratio > worst) worst = ratio;
      }
    }
    if (worst < bestRatio) {
      bestRatio = worst;
      best = d;
    }
  }
  const limitsThatFit: Partial<Record<BudgetDimension, number>> = {};
  for (const c of checked) {
    let peak = 0;
    for (let i = 0; i < minutes.length; i++) {
      const p = ((minutes[i] as number) + best) % period;
      peak = Math.max(
        peak,
        ((arrays[c.dimension] as Float64Array)[p] as number) + (counts[i] as number) * demand.amounts[c.dimension],
      );
    }
    const needed = Math.ceil(peak / (1 - budget.reserve) - 1e-9);
    if (needed > c.limit) limitsThatFit[c.dimension] = needed;
  }
  return { delay: best, limitsThatFit };
}
