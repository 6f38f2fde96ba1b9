import type { BudgetDimension, Plan } from './plan-types.js';
import { MINUTE_MS, minuteLabel } from './zoned-time.js';

const BARS = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
const MAX_COLUMNS = 72;

/** The dimension of a provider's budget the jobs press hardest on (highest share of its limit before planning). */
function hardestDimension(
  plan: Plan,
  provider: string,
  limits: Partial<Record<BudgetDimension, number>>,
): BudgetDimension {
  let best: BudgetDimension = 'rpm';
  let bestShare = -1;
  for (const [dimension, limit] of Object.entries(limits) as [BudgetDimension, number][]) {
    const share = (plan.peak.before[provider]?.[dimension] ?? 0) / limit;
    if (share > bestShare) {
      bestShare = share;
      best = dimension;
    }
  }
  return best;
}

/** The busy stretch: first to last minute with any load before or after, padded by two minutes. */
function busyWindow(before: Float64Array, after: Float64Array): [number, number] | undefined {
  let first = -1;
  let last = -1;
  for (let i = 0; i < before.length; i++) {
    if ((before[i] as number) > 0 || (after[i] as number) > 0) {
      if (first < 0) first = i;
      last = i;
    }
  }
  if (first < 0) return undefined;
  return [Math.max(0, first - 2), Math.min(before.length - 1, last + 2)];
}

function sparkline(load: Float64Array, from: number, to: number, bucket: number, scale: number): string {
  let out = '';
  for (let start = from; start <= to; start += bucket) {
    let max = 0;
    for (let i = start; i < Math.min(start + bucket, to + 1); i++) max = Math.max(max, load[i] as number);
    out += max <= 0 ? BARS[0] : BARS[Math.max(1, Math.min(8, Math.ceil((max / scale) * 8)))];
  }
  return out;
}

const whole = (n: number): string => Math.round(n).toLocaleString('en-US');

/**
 * A terminal chart of each provider's per-minute load over the busy stretch, before and after planning, on the
 * dimension its jobs press hardest (a full bar is the whole limit; the usable share is named beside it).
 * @example loadChart(plan, { claude: { rpm: 1000 } }, 'UTC').join('\n')
 */
export function loadChart(
  plan: Plan,
  limits: Readonly<Record<string, Partial<Record<BudgetDimension, number>> | undefined>>,
  tz: string,
): string[] {
  const lines: string[] = [];
  for (const provider of Object.keys(plan.load.after)) {
    const providerLimits = limits[provider] ?? {};
    const dimension = Object.keys(providerLimits).length > 0 ? hardestDimension(plan, provider, providerLimits) : 'rpm';
    const before = plan.load.before[provider]?.[dimension];
    const after = plan.load.after[provider]?.[dimension];
    if (before === undefined || after === undefined) continue;
    const window = busyWindow(before, after);
    if (window === undefined) continue;
    const [from, to] = window;
    const bucket = Math.max(1, Math.ceil((to - from + 1) / MAX_COLUMNS));
    const limit = providerLimits[dimension];
    const peakBefore = plan.peak.before[provider]?.[dimension] ?? 0;
    const peakAfter = plan.peak.after[provider]?.[dimension] ?? 0;
    const scale = limit ?? Math.max(peakBefore, peakAfter, 1);
    const withDay = plan.periodMinutes > 1440;
    const at = (minute: number): string => minuteLabel(plan.periodStart + minute * MINUTE_MS, tz, withDay);
    const budget =
      limit === undefined ? 'no limit' : `limit ${whole(limit)}, usable ${whole(limit * (1 - plan.reserve))}`;
    const share = (peak: number): string =>
      limit === undefined ? '' : ` (${Math.round((peak / limit) * 100)} % of limit)`;
    lines.push(
      `${provider} ${dimension} per minute, ${at(from)}–${at(to)}${bucket > 1 ? `, ${bucket} min per column` : ''} (${budget}):`,
    );
    lines.push(
      `  before │${sparkline(before, from, to, bucket, scale)}│ peak ${whole(peakBefore)}${share(peakBefore)}`,
    );
    lines.push(`  after  │${sparkline(after, from, to, bucket, scale)}│ peak ${whole(peakAfter)}${share(peakAfter)}`);
  }
  return lines;
}
