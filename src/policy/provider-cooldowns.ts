import type { Clock } from '../model/clock.js';
import type { PolicyState } from './policy-state.js';

/** A cool-down starting or lengthening (`active: true`), or ending (`active: false`, at `untilMs`). */
export interface CooldownChange {
  provider: string;
  untilMs: number;
  /** `local`: this instance recorded it; `shared`: learned from the shared state (another instance, or a refresh). */
  source: 'local' | 'shared';
  active: boolean;
}

/** Options of {@link ProviderCooldowns}. */
export interface ProviderCooldownsOptions {
  clock: Clock;
  state: PolicyState;
  /**
   * How often (at most) the known providers are read back from the shared state, in the background.
   * Default 1 000 ms; 10 000 ms when the state can watch cool-downs (then this only catches messages missed
   * while the subscription reconnected).
   */
  refreshMs?: number;
}

/**
 * A provider's Retry-After, for every request on every instance: a 429 that says "retry in 30 s" cools the
 * provider down until then, and `remainingMs` tells each request to skip it (never to wait) meanwhile.
 *
 * The request path never waits on I/O: `remainingMs` reads a local map. That map is fed by this instance's
 * own `coolDown` calls (at once), by the shared state's watch (Redis pub/sub: other instances' cool-downs
 * arrive within milliseconds), and by a background refresh of the providers it has been asked about, at
 * most every `refreshMs`, started from `remainingMs` (no timer runs while nobody asks). Writes to the
 * shared state are fire-and-forget; failures are counted in `errors`. Cool-downs only lengthen.
 * @example
 * const cooldowns = new ProviderCooldowns({ clock, state });
 * if (cooldowns.remainingMs('claude') > 0) skip(); // else call it; on a 429: cooldowns.coolDown('claude', retryAfterMs)
 */
export class ProviderCooldowns {
  /** Shared-state calls that failed (the local view goes on working). */
  errors = 0;
  private readonly clock: Clock;
  private readonly state: PolicyState;
  private readonly refreshMs: number;
  private readonly until = new Map<string, number>();
  private readonly endTimers = new Map<string, () => void>();
  private readonly known = new Set<string>();
  private readonly listeners = new Set<(change: CooldownChange) => void>();
  private readonly unwatch: (() => void) | undefined;
  private lastRefreshAt = Number.NEGATIVE_INFINITY;
  private refreshing = false;
  private closed = false;

  constructor(options: ProviderCooldownsOptions) {
    this.clock = options.clock;
    this.state = options.state;
    const watch = options.state.watchCooldowns?.bind(options.state);
    this.refreshMs = options.refreshMs ?? (watch ? 10_000 : 1_000);
    if (!(this.refreshMs >= 0))
      throw new RangeError(`ProviderCooldowns: refreshMs must be ≥ 0 ms, got ${String(options.refreshMs)}`);
    this.unwatch = watch?.((provider, untilMs) => this.adopt(provider, untilMs, 'shared'));
  }

  /** Sync, no I/O: ms until `provider` may be called again (0 = now), from the local view. */
  remainingMs(provider: string): number {
    const now = this.clock.now();
    if (!this.known.has(provider)) this.known.add(provider);
    if (now - this.lastRefreshAt >= this.refreshMs) this.refresh(now);
    const until = this.until.get(provider);
    return until === undefined || until <= now ? 0 : until - now;
  }

  /**
   * Records a cool-down of `forMs` from now (keeps the later), locally at once and in the shared state
   * (fire-and-forget, errors counted). A `forMs` of 0 does nothing.
   */
  coolDown(provider: string, forMs: number): void {
    if (typeof provider !== 'string' || provider === '')
      throw new RangeError('ProviderCooldowns.coolDown: provider must be a non-empty string');
    if (!Number.isFinite(forMs) || forMs < 0)
      throw new RangeError(
        `ProviderCooldowns.coolDown(${JSON.stringify(provider)}): forMs must be a finite number ≥ 0, got ${String(forMs)}`,
      );
    if (forMs === 0 || this.closed) return;
    const now = this.clock.now();
    const untilMs = now + forMs;
    this.known.add(provider);
    this.adopt(provider, untilMs, 'local');
    this.state.setCooldown(provider, untilMs, now).then(
      (stored) => this.adopt(provider, stored, 'shared'),
      () => {
        this.errors++;
      },
    );
  }

  /** Listens to cool-downs starting, lengthening and ending; returns the function that stops listening. */
  onChange(listener: (change: CooldownChange) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Stops watching the shared state and cancels the end timers (no more changes are reported). */
  close(): void {
    this.closed = true;
    this.unwatch?.();
    for (const cancel of this.endTimers.values()) cancel();
    this.endTimers.clear();
    this.listeners.clear();
  }

  /** Keeps `untilMs` if it is later than what this instance knows, and tells listeners. */
  private adopt(provider: string, untilMs: number, source: CooldownChange['source']): void {
    if (this.closed || !Number.isFinite(untilMs)) return;
    const now = this.clock.now();
    const known = this.until.get(provider);
    if (untilMs <= now || (known !== undefined && known >= untilMs)) return;
    this.until.set(provider, untilMs);
    this.endTimers.get(provider)?.();
    this.endTimers.set(
      provider,
      this.clock.timer(untilMs - now, () => this.end(provider, untilMs, source)),
    );
    this.emit({ provider, untilMs, source, active: true });
  }

  private end(provider: string, untilMs: number, source: CooldownChange['source']): void {
    if (this.until.get(provider) !== untilMs) return;
    this.until.delete(provider);
    this.endTimers.delete(provider);
    this.emit({ provider, untilMs, source, active: false });
  }

  /** Reads every known provider's cool-down in the background; never awaited by a request. */
  private refresh(now: number): void {
    this.lastRefreshAt = now;
    if (this.refreshing || this.closed || this.known.size === 0) return;
    this.refreshing = true;
    const reads = [...this.known].map((provider) =>
      this.state.readCooldown(provider, now).then(
        (untilMs) => {
          if (untilMs !== undefined) this.adopt(provider, untilMs, 'shared');
        },
        () => {
          this.errors++;
        },
      ),
    );
    void Promise.all(reads).finally(() => {
      this.refreshing = false;
    });
  }

  private emit(change: CooldownChange): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch {
        // A listener must not break the request that recorded the cool-down.
      }
    }
  }
}
