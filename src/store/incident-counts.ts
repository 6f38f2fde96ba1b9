/**
 * What an open incident counts, in memory (never a record per request): requests served by each
 * provider and by fallback, ai-only refusals, failed attempts by class, time in each feature mode. Also
 * the failures each route saw lately, so "claude/… opened" can say what it opened on ("overloaded (529 × 5)").
 */
import type { FailsoftEvent, FeatureMode } from '../engine/events.js';
import type { IncidentCounts } from './records.js';

/** Counts with nothing in them. */
export function emptyCounts(): IncidentCounts {
  return { servedBy: {}, fallback: 0, refused: 0, errorsByClass: {}, modeMs: {} };
}

/** A deep copy (records handed to a sink must not change under it). */
export function copyCounts(counts: IncidentCounts): IncidentCounts {
  return {
    servedBy: { ...counts.servedBy },
    fallback: counts.fallback,
    refused: counts.refused,
    errorsByClass: { ...counts.errorsByClass },
    modeMs: Object.fromEntries(Object.entries(counts.modeMs).map(([feature, modes]) => [feature, { ...modes }])),
  };
}

function add(table: Record<string, number>, key: string, n = 1): void {
  table[key] = (table[key] ?? 0) + n;
}

/** Failures of one route since it last answered: class → statuses seen (`undefined` for none). */
type RecentFailures = Map<string, number[]>;

/**
 * The counts of the open incident, and the recent failures of each route (kept whether or not an
 * incident is open: they explain the breaker opening that starts one).
 * @example const c = new IncidentCounter(); c.countRequest(event); c.snapshot(now, modes)
 */
export class IncidentCounter {
  private counts: IncidentCounts = emptyCounts();
  private readonly recent = new Map<string, RecentFailures>();

  /** Starts counting for a new incident (or a resumed one, from its stored counts). */
  reset(from?: IncidentCounts): void {
    this.counts = from ? copyCounts(from) : emptyCounts();
  }

  /** A request answered (`counting`: an incident is open). */
  countRequest(event: FailsoftEvent<'request-completed'>, counting: boolean): void {
    if (event.source === 'provider' && event.provider !== undefined)
      this.recent.delete(`${event.provider}/${event.model ?? ''}`);
    if (!counting) return;
    if (event.source === 'provider')
      add(this.counts.servedBy, `${event.provider ?? 'unknown'}/${event.model ?? 'unknown'}`);
    else if (event.source === 'fallback') this.counts.fallback++;
    else this.counts.refused++;
  }

  /** An attempt failed (`counting`: an incident is open). */
  countFailure(event: FailsoftEvent<'attempt-failed'>, counting: boolean): void {
    const key = `${event.provider}/${event.model}`;
    let failures = this.recent.get(key);
    if (!failures) this.recent.set(key, (failures = new Map()));
    let statuses = failures.get(event.class);
    if (!statuses) failures.set(event.class, (statuses = []));
    if (statuses.length < 1_000) statuses.push(event.status ?? 0);
    if (counting) add(this.counts.errorsByClass, event.class);
  }

  /** Adds time a feature spent in a mode other than normal. */
  addModeTime(feature: string, mode: FeatureMode, ms: number): void {
    if (mode === 'normal' || ms <= 0) return;
    const modes = (this.counts.modeMs[feature] ??= {});
    add(modes, mode, ms);
  }

  /**
   * What a route failed with since it last answered, e.g. `overloaded (529 × 5)`, and forgets it (the
   * breaker has opened on it). Undefined when nothing was seen.
   */
  takeRecentFailures(key: string): { text: string; topClass: string } | undefined {
    const failures = this.recent.get(key);
    this.recent.delete(key);
    if (!failures || failures.size === 0) return undefined;
    const sorted = [...failures.entries()].sort((a, b) => b[1].length - a[1].length);
    const text = sorted
      .map(([errorClass, statuses]) => {
        const byStatus = new Map<number, number>();
        for (const status of statuses) byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
        const parts = [...byStatus.entries()].map(([status, n]) => (status === 0 ? `× ${n}` : `${status} × ${n}`));
        return `${errorClass} (${parts.join(', ')})`;
      })
      .join(', ');
    return { text, topClass: sorted[0]?.[0] ?? 'failing' };
  }

  /** The counts now, with the time features have spent so far in their current modes (since `from`). */
  snapshot(
    now: number,
    modes: ReadonlyMap<string, { mode: FeatureMode; since: number }>,
    from: number,
  ): IncidentCounts {
    const counts = copyCounts(this.counts);
    for (const [feature, { mode, since }] of modes) {
      if (mode === 'normal') continue;
      const ms = now - Math.max(since, from);
      if (ms > 0) add((counts.modeMs[feature] ??= {}), mode, ms);
    }
    return counts;
  }
}
