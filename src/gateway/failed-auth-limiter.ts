/**
 * Wrong admin tokens, counted per remote address: after too many in a window (10 a minute), that
 * address is turned away (429 + Retry-After) until its window ends, whatever it presents, so guessing
 * stays slow; other addresses are not affected. The address is the TCP peer's, never a forwarded-for
 * header a caller could write (behind a proxy every caller shares the proxy's address).
 */
import type { Clock } from '../model/clock.js';

/** Options of `FailedAuthLimiter`. */
export interface FailedAuthLimiterOptions {
  clock: Clock;
  /** Wrong tokens allowed per address and window (default 10). */
  maxFailures?: number;
  /** The window, from an address's first wrong token (default 60 s). */
  windowMs?: number;
  /** Addresses tracked at once; beyond it, ended windows and then the oldest are dropped (default 10,000). */
  maxAddresses?: number;
}

interface FailureWindow {
  start: number;
  failures: number;
}

/**
 * Counts wrong tokens per address in fixed windows.
 * @example const limiter = new FailedAuthLimiter({ clock }); if (limiter.blockedForMs(ip) > 0) refuse429(); else if (wrong) limiter.fail(ip);
 */
export class FailedAuthLimiter {
  private readonly windows = new Map<string, FailureWindow>();
  private readonly clock: Clock;
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly maxAddresses: number;

  constructor(options: FailedAuthLimiterOptions) {
    this.clock = options.clock;
    this.maxFailures = options.maxFailures ?? 10;
    this.windowMs = options.windowMs ?? 60_000;
    this.maxAddresses = options.maxAddresses ?? 10_000;
  }

  /** How long this address must still wait, in ms (0: it may try now). */
  blockedForMs(address: string): number {
    const window = this.windows.get(address);
    if (window === undefined) return 0;
    const left = window.start + this.windowMs - this.clock.now();
    if (left <= 0) {
      this.windows.delete(address);
      return 0;
    }
    return window.failures >= this.maxFailures ? left : 0;
  }

  /** Records one wrong token from this address. */
  fail(address: string): void {
    const now = this.clock.now();
    let window = this.windows.get(address);
    if (window === undefined || now - window.start >= this.windowMs) {
      // Re-inserted, so the map's order is the windows' start order (oldest first) for pruning.
      this.windows.delete(address);
      window = { start: now, failures: 0 };
      this.windows.set(address, window);
      this.prune(now);
    }
    window.failures++;
  }

  /** Forgets an address's wrong tokens (it presented the right one). */
  succeed(address: string): void {
    this.windows.delete(address);
  }

  /** Addresses tracked now (for tests and health). */
  get size(): number {
    return this.windows.size;
  }

  private prune(now: number): void {
    if (this.windows.size <= this.maxAddresses) return;
    for (const [address, window] of this.windows) if (now - window.start >= this.windowMs) this.windows.delete(address);
    for (const address of this.windows.keys()) {
      if (this.windows.size <= this.maxAddresses) break;
      this.windows.delete(address);
    }
  }
}
