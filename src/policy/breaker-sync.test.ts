import { describe, expect, it } from 'vitest';
import { FakeClock } from '../model/fake-clock.js';
import { MemoryPolicyState } from '../state/memory-policy-state.js';
import type { PolicyState } from './policy-state.js';
import { CircuitBreaker, type BreakerPermit, type BreakerTransition } from './circuit-breaker.js';

function instances(state: PolicyState = new MemoryPolicyState()) {
  const clock = new FakeClock(0);
  const make = () => new CircuitBreaker({ key: 'claude:sonnet', clock, state, openMs: 1_000 });
  return { clock, state, a: make(), b: make() };
}

function permitOf(breaker: CircuitBreaker): BreakerPermit {
  const p = breaker.tryAcquire();
  if (!p.allowed) throw new Error('denied');
  return p;
}

describe('CircuitBreaker with shared state', () => {
  it('a long open written by one instance is seen by the others', async () => {
    const { a, b } = instances();
    const seen: BreakerTransition[] = [];
    b.onTransition((t) => seen.push(t));
    a.recordFailure(permitOf(a), 'open-long', 'auth');
    await a.flush();
    await b.refresh();
    expect(b.state).toBe('open');
    expect(b.tryAcquire()).toEqual({ allowed: false, retryAfterMs: 600_000 });
    expect(seen.at(-1)).toMatchObject({ from: 'closed', to: 'open', reason: 'shared:long-open:auth' });
  });

  it('a shorter open from another instance does not overwrite the stored long open; it adopts it', async () => {
    const { a, b, state } = instances();
    a.recordFailure(permitOf(a), 'open-long', 'quota_exhausted');
    await a.flush();
    for (let i = 0; i < 5; i++) b.recordFailure(permitOf(b), 'count'); // b has not refreshed: a short local open
    await b.flush();
    expect((await state.readBreaker('claude:sonnet', 0))?.openUntil).toBe(600_000);
    expect(b.toJSON().openUntil).toBe(600_000);
  });

  it('a longer open replaces a shorter stored one', async () => {
    const { a, b, state } = instances();
    for (let i = 0; i < 5; i++) a.recordFailure(permitOf(a), 'count');
    await a.flush();
    b.recordFailure(permitOf(b), 'open-long', 'not_found');
    await b.flush();
    expect(await state.readBreaker('claude:sonnet', 0)).toMatchObject({
      openUntil: 600_000,
      long: true,
      reason: 'long-open:not_found',
    });
    await a.refresh();
    expect(a.tryAcquire()).toEqual({ allowed: false, retryAfterMs: 600_000 });
  });

  it('a successful probe closes the others too', async () => {
    const { a, b, clock } = instances();
    for (let i = 0; i < 5; i++) a.recordFailure(permitOf(a), 'count');
    await a.flush();
    await b.refresh();
    expect(b.state).toBe('open');
    await clock.advance(1_000);
    a.recordSuccess(permitOf(a)); // a's probe succeeds
    await a.flush();
    await b.refresh();
    expect(b.state).toBe('closed');
    expect(b.tryAcquire()).toMatchObject({ allowed: true, probe: false });
  });

  it('a probe close does not override an open written elsewhere meanwhile', async () => {
    const { a, b, clock, state } = instances();
    for (let i = 0; i < 5; i++) a.recordFailure(permitOf(a), 'count');
    await a.flush();
    await clock.advance(1_000);
    const probe = permitOf(a);
    b.recordFailure(permitOf(b), 'open-long', 'auth');
    await b.flush();
    a.recordSuccess(probe);
    await a.flush();
    expect(await state.readBreaker('claude:sonnet', clock.now())).toMatchObject({ reason: 'long-open:auth' });
    expect(a.state).toBe('open');
  });

  it('forceClose closes everywhere, even a long open', async () => {
    const { a, b, state } = instances();
    a.recordFailure(permitOf(a), 'open-long', 'auth');
    await a.flush();
    await b.refresh();
    b.forceClose();
    await b.flush();
    await a.refresh();
    expect(a.state).toBe('closed');
    expect(await state.readBreaker('claude:sonnet', 0)).toMatchObject({ openUntil: 0, reason: 'forced' });
  });

  it('refreshes in the background at most once per sync interval', async () => {
    const memory = new MemoryPolicyState();
    let reads = 0;
    const counting: PolicyState = Object.assign(Object.create(memory) as PolicyState, {
      readBreaker: (key: string, now: number) => {
        reads++;
        return memory.readBreaker(key, now);
      },
    });
    const { a, clock } = instances(counting);
    for (let i = 0; i < 100; i++) a.tryAcquire();
    await a.flush();
    expect(reads).toBe(1);
    await clock.advance(1_000);
    for (let i = 0; i < 100; i++) a.tryAcquire();
    await a.flush();
    expect(reads).toBe(2);
  });

  it('keeps working locally when the shared state fails, and counts the errors', async () => {
    const broken: PolicyState = {
      takeBuckets: () => Promise.reject(new Error('down')),
      adjustBuckets: () => Promise.reject(new Error('down')),
      lowerBuckets: () => Promise.reject(new Error('down')),
      readBuckets: () => Promise.reject(new Error('down')),
      readBreaker: () => Promise.reject(new Error('down')),
      writeBreaker: () => Promise.reject(new Error('down')),
      setCooldown: () => Promise.reject(new Error('down')),
      readCooldown: () => Promise.reject(new Error('down')),
      close: () => Promise.resolve(),
    };
    const { a } = instances(broken);
    for (let i = 0; i < 5; i++) a.recordFailure(permitOf(a), 'count');
    await a.flush();
    expect(a.state).toBe('open');
    expect(a.toJSON().stateErrors).toBeGreaterThanOrEqual(1);
  });
});
