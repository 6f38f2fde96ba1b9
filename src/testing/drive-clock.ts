import type { FakeClock } from '../model/fake-clock.js';

/** Lets every pending microtask and I/O callback run (one turn of the event loop). */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Settles `promise` while moving a FakeClock forward in `stepMs` steps, one event-loop turn per
 * step, so sleeps inside the code under test (backoff, budget waits) elapse in fake time while
 * real I/O still completes. Returns the value and how much fake time passed.
 * @example const { value, elapsedMs } = await driveClock(clock, ai.generate('chat', req));
 */
export async function driveClock<T>(
  clock: FakeClock,
  promise: Promise<T>,
  stepMs = 50,
  maxMs = 600_000,
): Promise<{ value: T; elapsedMs: number }> {
  let done = false;
  const watched = promise.finally(() => {
    done = true;
  });
  watched.catch(() => undefined);
  const start = clock.now();
  while (!done) {
    await turn();
    if (done) break;
    if (clock.now() - start >= maxMs) throw new Error(`driveClock: still pending after ${maxMs} ms of fake time`);
    await clock.advance(stepMs);
  }
  return { value: await watched, elapsedMs: clock.now() - start };
}

/** Waits (in real event-loop turns) until `condition` holds; throws after `maxTurns`. */
export async function until(condition: () => boolean, maxTurns = 1000): Promise<void> {
  for (let i = 0; i < maxTurns; i++) {
    if (condition()) return;
    await turn();
  }
  throw new Error('until: condition never became true');
}
