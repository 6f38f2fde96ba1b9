import type { LimitsConfig } from '../engine/config/config-schema.js';
import type { ResolvedAiEstimate } from '../engine/config/jobs-config.js';
import { BUDGET_DIMENSIONS, type BudgetDimension } from './plan-types.js';

/**
 * Predicted load per provider, per budget dimension, per minute of the period: one Float64Array each, updated
 * incrementally as jobs are placed, so checking a candidate start costs only the minutes the job runs.
 */
export class BudgetLoad {
  readonly load = new Map<string, Partial<Record<BudgetDimension, Float64Array>>>();
  /** Per provider: the dimensions that have a limit, and their usable share ((1 − reserve) × limit). */
  readonly checked = new Map<string, { dimension: BudgetDimension; usable: number; limit: number }[]>();

  constructor(
    readonly periodMinutes: number,
    limits: Readonly<Record<string, LimitsConfig | undefined>>,
    readonly reserve: number,
  ) {
    for (const [provider, l] of Object.entries(limits)) this.addProvider(provider, l);
  }

  private addProvider(provider: string, limits: LimitsConfig | undefined): void {
    const arrays: Partial<Record<BudgetDimension, Float64Array>> = { rpm: new Float64Array(this.periodMinutes) };
    const checked: { dimension: BudgetDimension; usable: number; limit: number }[] = [];
    for (const dimension of BUDGET_DIMENSIONS) {
      const limit = limits?.[dimension];
      if (limit === undefined) continue;
      arrays[dimension] ??= new Float64Array(this.periodMinutes);
      checked.push({ dimension, limit, usable: limit * (1 - this.reserve) });
    }
    this.load.set(provider, arrays);
    this.checked.set(provider, checked);
  }

  /** The load arrays of a provider (created unlimited when it has no limits). */
  arraysOf(provider: string): Partial<Record<BudgetDimension, Float64Array>> {
    if (!this.load.has(provider)) this.addProvider(provider, undefined);
    return this.load.get(provider) as Partial<Record<BudgetDimension, Float64Array>>;
  }

  /** Adds `count` runs' per-minute amounts at minute `p`. */
  add(provider: string, amounts: Partial<Record<BudgetDimension, number>>, p: number, count: number): void {
    const arrays = this.arraysOf(provider);
    for (const dimension of BUDGET_DIMENSIONS) {
      const array = arrays[dimension];
      const amount = amounts[dimension];
      if (array !== undefined && amount !== undefined) array[p] = (array[p] as number) + amount * count;
    }
  }

  /** Highest load per dimension over the period. */
  peaks(provider: string): Partial<Record<BudgetDimension, number>> {
    const out: Partial<Record<BudgetDimension, number>> = {};
    for (const [dimension, array] of Object.entries(this.arraysOf(provider)) as [BudgetDimension, Float64Array][]) {
      let max = 0;
      for (let i = 0; i < array.length; i++) if ((array[i] as number) > max) max = array[i] as number;
      out[dimension] = max;
    }
    return out;
  }
}

/** Per-minute amounts of one run of a job, per dimension. */
export function perMinuteAmounts(ai: ResolvedAiEstimate): Record<BudgetDimension, number> {
  return {
    rpm: ai.requests / ai.minutes,
    itpm: ai.inputTokens / ai.minutes,
    otpm: ai.outputTokens / ai.minutes,
    tpm: (ai.inputTokens + ai.outputTokens) / ai.minutes,
  };
}

/** Rounding slack when comparing summed fractional loads with a budget. */
export function slack(usable: number): number {
  return usable * 1e-9 + 1e-9;
}
