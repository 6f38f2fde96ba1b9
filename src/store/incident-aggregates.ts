/**
 * Per-minute request counts (feature × provider × outcome), added up in memory from `request-completed`
 * and handed to the record sink once their minute is over: one record per key per minute, never one per request.
 */
import type { FailsoftEvent } from '../engine/events.js';
import type { RecordSink } from './store.js';
import type { RequestAggregate } from './records.js';

export const MINUTE_MS = 60_000;

/** How a request ended, as `/metrics` names it: `provider`, `failover` (served after a failure), `fallback`, `error`. */
export function outcomeOf(event: FailsoftEvent<'request-completed'>): string {
  return event.source === 'provider' ? (event.degraded ? 'failover' : 'provider') : event.source;
}

/**
 * Adds requests up per minute and flushes finished minutes.
 * @example const agg = new RequestAggregator('gw-1'); agg.add(event); agg.flush(sink, clock.now());
 */
export class RequestAggregator {
  private readonly open = new Map<string, RequestAggregate>();

  constructor(private readonly instance: string) {}

  add(event: FailsoftEvent<'request-completed'>): void {
    const minute = Math.floor(event.at / MINUTE_MS) * MINUTE_MS;
    const provider =
      event.source === 'provider' && event.provider !== undefined ? `${event.provider}/${event.model ?? ''}` : 'none';
    const outcome = outcomeOf(event);
    const key = `${minute}\u0000${event.feature}\u0000${provider}\u0000${outcome}`;
    let aggregate = this.open.get(key);
    if (!aggregate)
      this.open.set(
        key,
        (aggregate = {
          minute,
          feature: event.feature,
          provider,
          outcome,
          count: 0,
          totalMs: 0,
          instance: this.instance,
        }),
      );
    aggregate.count++;
    aggregate.totalMs += event.ms;
  }

  /** Hands every aggregate of a minute that ended by `now` to the sink (all of them with `all`); returns how many. */
  flush(sink: RecordSink, now: number, all = false): number {
    const current = Math.floor(now / MINUTE_MS) * MINUTE_MS;
    let flushed = 0;
    for (const [key, aggregate] of this.open) {
      if (!all && aggregate.minute >= current) continue;
      this.open.delete(key);
      sink.addAggregate(aggregate);
      flushed++;
    }
    return flushed;
  }
}
