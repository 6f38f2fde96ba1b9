import { FailsoftError } from '../model/errors.js';

/**
 * Errors raised by the policies themselves (not by a provider). They extend `FailsoftError`, so
 * `FailsoftError.isInstance` recognises them across package copies; each also has its own symbol check.
 */

const DEADLINE_EXCEEDED = Symbol.for('failsoft.deadline-exceeded');
const BULKHEAD_REJECTED = Symbol.for('failsoft.bulkhead-rejected');
const BREAKER_OPEN = Symbol.for('failsoft.breaker-open');

function hasMark(value: unknown, mark: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[mark] === true;
}

/** A deadline passed: `scope` says whether the whole request's or one attempt's. Used as an abort reason. */
export class DeadlineExceededError extends FailsoftError {
  readonly [DEADLINE_EXCEEDED] = true;
  readonly scope: 'request' | 'attempt';
  readonly timeoutMs: number;

  constructor(scope: 'request' | 'attempt', timeoutMs: number) {
    super(`${scope === 'request' ? 'Request deadline' : 'Attempt timeout'} of ${timeoutMs} ms exceeded`);
    this.scope = scope;
    this.timeoutMs = timeoutMs;
  }

  /** True for a DeadlineExceededError from any copy of the package. */
  static override isInstance(value: unknown): value is DeadlineExceededError {
    return hasMark(value, DEADLINE_EXCEEDED);
  }
}

/** A bulkhead's slots and queue were full: move on to the next provider. */
export class BulkheadRejectedError extends FailsoftError {
  readonly [BULKHEAD_REJECTED] = true;
  readonly maxConcurrent: number;
  readonly maxQueue: number;

  constructor(maxConcurrent: number, maxQueue: number) {
    super(`Bulkhead full (${maxConcurrent} running, ${maxQueue} queued)`);
    this.maxConcurrent = maxConcurrent;
    this.maxQueue = maxQueue;
  }

  /** True for a BulkheadRejectedError from any copy of the package. */
  static override isInstance(value: unknown): value is BulkheadRejectedError {
    return hasMark(value, BULKHEAD_REJECTED);
  }
}

/** A circuit breaker refused the call (open, or half-open with every probe slot taken). */
export class BreakerOpenError extends FailsoftError {
  readonly [BREAKER_OPEN] = true;
  readonly key: string;
  override readonly retryable = true;
  override readonly retryAfterMs: number | undefined;

  constructor(key: string, retryAfterMs: number | undefined) {
    super(
      `Circuit breaker ${key} is open; ${retryAfterMs === undefined ? 'forced open until an operator closes it' : `retry in ${retryAfterMs} ms`}`,
    );
    this.key = key;
    this.retryAfterMs = retryAfterMs;
  }

  /** True for a BreakerOpenError from any copy of the package. */
  static override isInstance(value: unknown): value is BreakerOpenError {
    return hasMark(value, BREAKER_OPEN);
  }
}
