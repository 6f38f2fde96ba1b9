import type { CancelSignal } from './cancel-signal.js';

/**
 * Time, injected. Every policy takes a `Clock` so tests run on fake time (see `FakeClock`).
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason if aborted first. */
  sleep(ms: number, signal?: CancelSignal): Promise<void>;
  /**
   * Calls `fn` once after `ms`; the returned function cancels it. Cheaper than `sleep` with an abort
   * signal (no promise, no event listener, no AbortError): the per-request deadline timers use it.
   */
  timer(ms: number, fn: () => void): () => void;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
  timer(ms, fn) {
    const handle = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(handle);
  },
};
