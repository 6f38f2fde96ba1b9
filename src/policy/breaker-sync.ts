import type { Clock } from '../model/clock.js';
import type { BreakerRecord, PolicyState, VersionedBreakerRecord } from './policy-state.js';

/** What BreakerSync needs from its breaker (kept narrow so the two files stay independent). */
export interface SyncedBreaker {
  readonly key: string;
  localOpen(): { openUntil: number; openCount: number; reason: string; long: boolean } | undefined;
  adoptOpen(openUntil: number, openCount: number, reason: string, long: boolean): void;
  adoptClose(reason: string): void;
}

const MAX_CAS_ATTEMPTS = 4;

/**
 * Shares a circuit breaker's OPEN state between instances through `PolicyState`; counters stay local.
 *
 * Trade-off: `tryAcquire` stays synchronous and free of I/O (it is on every request's path), so the
 * shared record is refreshed in the background at most every `syncIntervalMs`, and local opens/closes
 * are published asynchronously. An instance may therefore act on a record up to one interval old, and
 * each instance trips on its own counters (N instances need N× the failures to all open — unless one
 * opens and the others adopt its record). Half-open probing is per instance: at most
 * N × `halfOpenMaxProbes` probes go out after an open ends. In exchange, a store outage never blocks or
 * fails a request; the breaker simply works locally and counts `errors`.
 *
 * Merge rules (each is one compare-and-set, retried on conflict with the winning record in hand):
 * - an open is written only if it lasts longer than the stored open; otherwise the stored one is adopted,
 *   so a long open is never replaced by a shorter one (LiteLLM #40130);
 * - a probe's close is written only if no open is in effect in the store (a fresh open elsewhere wins);
 *   `forceClose` overwrites anything;
 * - on refresh, a newer record is adopted if it is an open lasting longer than ours, or a close.
 * All store operations of one breaker run one after another, so a refresh never races a publish.
 */
export class BreakerSync {
  errors = 0;
  private knownVersion = 0;
  private lastRefreshAt = Number.NEGATIVE_INFINITY;
  private localEpoch = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly breaker: SyncedBreaker,
    private readonly state: PolicyState,
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly retentionMs: number,
  ) {}

  /** Starts a background refresh if the last one is older than the interval (cheap: one comparison). */
  maybeRefresh(nowMs: number): void {
    if (nowMs - this.lastRefreshAt < this.intervalMs) return;
    this.lastRefreshAt = nowMs;
    void this.refresh();
  }

  /** Reads the shared record and adopts it where the merge rules say so. */
  refresh(): Promise<void> {
    this.lastRefreshAt = this.clock.now();
    return this.enqueue(async () => {
      const epoch = this.localEpoch;
      const now = this.clock.now();
      const record = await this.state.readBreaker(this.breaker.key, now);
      if (epoch !== this.localEpoch) return; // a local change happened meanwhile; its publish reconciles
      this.merge(record, now);
    });
  }

  /** Publishes the breaker's current local open (extend-only). */
  publishOpen(): void {
    this.localEpoch++;
    void this.enqueue(async () => {
      let now = this.clock.now();
      let current = await this.state.readBreaker(this.breaker.key, now);
      for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
        const local = this.breaker.localOpen();
        if (local === undefined || local.openUntil <= now) return; // closed or elapsed since: nothing to publish
        if (current !== undefined && current.openUntil >= local.openUntil) {
          this.merge(current, now); // the stored open lasts at least as long: adopt it
          this.knownVersion = Math.max(this.knownVersion, current.version);
          return;
        }
        const record: BreakerRecord = { ...local, updatedAt: now, expiresAt: this.expiry(local.openUntil) };
        const written = await this.state.writeBreaker(this.breaker.key, record, current?.version ?? 0, now);
        if (written.ok) {
          this.knownVersion = written.version;
          return;
        }
        current = written.current;
        now = this.clock.now();
      }
    });
  }

  /** Publishes a close: after a successful probe (yields to an open in effect) or forced (overwrites). */
  publishClose(force: boolean): void {
    this.localEpoch++;
    void this.enqueue(async () => {
      let now = this.clock.now();
      let current = await this.state.readBreaker(this.breaker.key, now);
      for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
        if (this.breaker.localOpen() !== undefined && !force) return; // re-opened locally since
        if (current === undefined && !force) return; // nobody holds an open: nothing to tell
        if (current !== undefined && current.openUntil === 0 && !force) {
          this.knownVersion = Math.max(this.knownVersion, current.version);
          return;
        }
        if (!force && current !== undefined && current.openUntil > now) {
          this.merge(current, now); // an open in effect elsewhere wins over our probe
          return;
        }
        const reason = force ? 'forced' : 'probe-succeeded';
        const record: BreakerRecord = {
          openUntil: 0,
          openCount: 0,
          reason,
          long: false,
          updatedAt: now,
          expiresAt: this.expiry(now),
        };
        const written = await this.state.writeBreaker(this.breaker.key, record, current?.version ?? 0, now);
        if (written.ok) {
          this.knownVersion = written.version;
          return;
        }
        current = written.current;
        now = this.clock.now();
      }
    });
  }

  /** Resolves when every queued store operation has finished. */
  flush(): Promise<void> {
    return this.queue;
  }

  private merge(record: VersionedBreakerRecord | undefined, now: number): void {
    if (record === undefined || record.version <= this.knownVersion) return;
    this.knownVersion = record.version;
    if (record.openUntil > now) {
      const local = this.breaker.localOpen();
      if (local === undefined || local.openUntil <= now || record.openUntil > local.openUntil) {
        this.breaker.adoptOpen(record.openUntil, record.openCount, record.reason, record.long);
      }
    } else if (record.openUntil === 0 && this.breaker.localOpen() !== undefined) {
      this.breaker.adoptClose(record.reason);
    }
  }

  /** Records outlive their open by `retentionMs`, so the open count (backoff) is remembered for a while. */
  private expiry(fromMs: number): number {
    return Math.min(Number.MAX_SAFE_INTEGER, fromMs + this.retentionMs);
  }

  private enqueue(operation: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(operation).catch(() => {
      this.errors++;
    });
    return this.queue;
  }
}
