/**
 * What failsoft needs from a caller's cancellation signal: the part of `AbortSignal` it reads. Any
 * `AbortSignal` is one; `CancelSource` is a lighter one for hot paths. Node 20 spends microseconds
 * creating each AbortSignal (an EventTarget), which a gateway would pay on every request just to learn
 * that a client went away.
 */
export interface CancelSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * A cancellation signal without EventTarget machinery: listeners in an array, called once on `cancel`.
 * @example const gone = new CancelSource(); res.once('close', () => gone.cancel(new Error('client left'))); ai.generate(f, r, { signal: gone });
 */
export class CancelSource implements CancelSignal {
  aborted = false;
  reason: unknown = undefined;
  private listeners: Array<() => void> = [];

  addEventListener(_type: 'abort', listener: () => void): void {
    if (!this.aborted) this.listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const index = this.listeners.indexOf(listener);
    if (index >= 0) this.listeners.splice(index, 1);
  }

  /** Marks the signal aborted with `reason` and calls each listener once (a throwing listener does not stop the rest). */
  cancel(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.listeners;
    this.listeners = [];
    for (const listener of listeners) {
      try {
        listener();
      } catch {
        // A listener's failure is its own; the others still learn of the cancellation.
      }
    }
  }
}

/**
 * Throws the signal's reason if it was aborted (AbortSignal's `throwIfAborted`, for any CancelSignal).
 * @example throwIfCancelled(options.signal);
 */
export function throwIfCancelled(signal: CancelSignal | undefined): void {
  if (signal?.aborted) throw signal.reason;
}
