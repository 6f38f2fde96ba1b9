import { describe, expect, it } from 'vitest';
import { FakeClock } from '../model/fake-clock.js';
import { Deadline } from './deadline.js';
import { DeadlineExceededError } from './policy-errors.js';

describe('Deadline', () => {
  it('counts down and aborts at the deadline with a request-scoped DeadlineExceededError', async () => {
    const clock = new FakeClock(0);
    const deadline = new Deadline({ timeoutMs: 1_000, clock });
    await clock.advance(400);
    expect(deadline.remainingMs()).toBe(600);
    expect(deadline.expired).toBe(false);
    expect(deadline.signal.aborted).toBe(false);
    await clock.advance(600);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.expired).toBe(true);
    expect(deadline.remainingMs()).toBe(0);
    const reason: unknown = deadline.signal.reason;
    expect(DeadlineExceededError.isInstance(reason)).toBe(true);
    expect(reason).toMatchObject({ scope: 'request', timeoutMs: 1_000 });
  });

  it('aborts with the parent, keeping the parent reason', () => {
    const parent = new AbortController();
    const deadline = new Deadline({ timeoutMs: 1_000, clock: new FakeClock(0), parent: parent.signal });
    const reason = new Error('client went away');
    parent.abort(reason);
    expect(deadline.signal.reason).toBe(reason);
    expect(deadline.expired).toBe(true);
  });

  it('starts aborted under an aborted parent', () => {
    const deadline = new Deadline({ timeoutMs: 1_000, clock: new FakeClock(0), parent: AbortSignal.abort('gone') });
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.timedAttempt(100).signal.aborted).toBe(true);
  });

  it('an attempt aborts at its attempt timeout with an attempt-scoped reason, leaving the request alive', async () => {
    const clock = new FakeClock(0);
    const deadline = new Deadline({ timeoutMs: 10_000, clock });
    const attempt = deadline.timedAttempt(2_000).signal;
    await clock.advance(2_000);
    expect(attempt.aborted).toBe(true);
    expect(attempt.reason).toMatchObject({ scope: 'attempt', timeoutMs: 2_000 });
    expect(deadline.signal.aborted).toBe(false);
    deadline.dispose();
  });

  it('an attempt is bounded by the request deadline when that comes first', async () => {
    const clock = new FakeClock(0);
    const deadline = new Deadline({ timeoutMs: 1_000, clock });
    await clock.advance(500);
    const attempt = deadline.timedAttempt(5_000).signal;
    await clock.advance(500);
    expect(attempt.aborted).toBe(true);
    expect(attempt.reason).toMatchObject({ scope: 'request' });
  });

  it('an attempt follows the parent abort', () => {
    const parent = new AbortController();
    const deadline = new Deadline({ timeoutMs: 1_000, clock: new FakeClock(0), parent: parent.signal });
    const attempt = deadline.timedAttempt(500).signal;
    parent.abort(new Error('stop'));
    expect(attempt.aborted).toBe(true);
  });

  it('dispose clears every timer', async () => {
    const clock = new FakeClock(0);
    const deadline = new Deadline({ timeoutMs: 1_000, clock });
    deadline.timedAttempt(100).signal;
    deadline.timedAttempt(200).signal;
    expect(clock.pendingSleeps).toBe(3);
    deadline.dispose();
    expect(clock.pendingSleeps).toBe(0);
    await clock.advance(5_000);
    expect(deadline.signal.aborted).toBe(false);
  });

  it('an infinite timeout never aborts on its own', async () => {
    const clock = new FakeClock(0);
    const deadline = new Deadline({ timeoutMs: Number.POSITIVE_INFINITY, clock });
    expect(clock.pendingSleeps).toBe(0);
    expect(deadline.remainingMs()).toBe(Number.POSITIVE_INFINITY);
    const attempt = deadline.timedAttempt(100).signal;
    await clock.advance(100);
    expect(attempt.aborted).toBe(true);
  });

  it('timedAttempt: the timeout aborts the current signal with an attempt reason, and what follows gets a fresh one', async () => {
    const clock = new FakeClock(0);
    const deadline = new Deadline({ timeoutMs: 10_000, clock });
    const first = deadline.timedAttempt(1_000);
    await clock.advance(1_000);
    expect(first.signal.aborted).toBe(true);
    expect(first.signal.reason).toMatchObject({ scope: 'attempt', timeoutMs: 1_000 });
    expect(deadline.aborted).toBe(false);
    const second = deadline.timedAttempt(1_000);
    expect(second.signal).not.toBe(first.signal);
    expect(second.signal.aborted).toBe(false);
    second.answered();
    await clock.advance(2_000);
    expect(second.signal.aborted).toBe(false);
    await clock.advance(7_000);
    expect(second.signal.aborted).toBe(true);
    expect(second.signal.reason).toMatchObject({ scope: 'request' });
  });

  it('timedAttempt longer than what is left: the request deadline bounds it, no extra timer', () => {
    const clock = new FakeClock(0);
    const deadline = new Deadline({ timeoutMs: 1_000, clock });
    const attempt = deadline.timedAttempt(5_000);
    expect(attempt.signal).toBe(deadline.signal);
    expect(clock.pendingSleeps).toBe(1);
  });
});
