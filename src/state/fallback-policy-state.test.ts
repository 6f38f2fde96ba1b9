import { describe, expect, it } from 'vitest';
import { FakeClock } from '../model/fake-clock.js';
import { FallbackPolicyState, type SharedStateChange } from './fallback-policy-state.js';
import { MemoryPolicyState } from './memory-policy-state.js';
import { describePolicyStateConformance } from './policy-state.conformance.js';
import type { PolicyState } from '../policy/policy-state.js';

type Mode = 'up' | 'down' | 'hang' | { slowMs: number };

/** A primary over memory that answers, rejects, never answers, or answers late on `clock`, as told. */
function scriptedPrimary(clock?: FakeClock): {
  state: PolicyState;
  memory: MemoryPolicyState;
  set: (mode: Mode) => void;
  calls: () => number;
} {
  const memory = new MemoryPolicyState();
  let mode: Mode = 'up';
  let calls = 0;
  const guard = <T>(fn: () => Promise<T>): Promise<T> => {
    calls++;
    if (mode === 'up') return fn();
    if (mode === 'down') return Promise.reject(new Error('connection refused'));
    if (mode === 'hang') return new Promise<T>(() => undefined);
    if (!clock) throw new Error('a slow primary needs a clock');
    return clock.sleep(mode.slowMs).then(fn);
  };
  const state: PolicyState = {
    takeBuckets: (t, n) => guard(() => memory.takeBuckets(t, n)),
    adjustBuckets: (a, n) => guard(() => memory.adjustBuckets(a, n)),
    lowerBuckets: (l, n) => guard(() => memory.lowerBuckets(l, n)),
    readBuckets: (b, n) => guard(() => memory.readBuckets(b, n)),
    readBreaker: (k, n) => guard(() => memory.readBreaker(k, n)),
    writeBreaker: (k, r, v, n) => guard(() => memory.writeBreaker(k, r, v, n)),
    setCooldown: (k, u, n) => guard(() => memory.setCooldown(k, u, n)),
    readCooldown: (k, n) => guard(() => memory.readCooldown(k, n)),
    close: () => Promise.resolve(),
  };
  return {
    state,
    memory,
    set: (m) => {
      mode = m;
    },
    calls: () => calls,
  };
}

/** Resolves with how the promise settled, without letting a rejection go unhandled. */
function settledState<T>(promise: Promise<T>): { current: () => 'pending' | 'resolved' | 'rejected' } {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  promise.then(
    () => {
      state = 'resolved';
    },
    () => {
      state = 'rejected';
    },
  );
  return { current: () => state };
}

describePolicyStateConformance(
  'fallback over a healthy primary',
  () => new FallbackPolicyState(new MemoryPolicyState()),
);
describePolicyStateConformance('fallback over a primary that is down', () => {
  const primary = scriptedPrimary();
  primary.set('down');
  return new FallbackPolicyState(primary.state);
});

describe('FallbackPolicyState', () => {
  const bucket = { key: 'k', capacity: 10, refillPerMs: 0 };
  const T0 = 1_700_000_000_000;

  it('answers from the fallback when the primary fails, and counts it', async () => {
    const primary = scriptedPrimary();
    const state = new FallbackPolicyState(primary.state);
    primary.set('down');
    expect(await state.takeBuckets([{ bucket, amount: 1 }], T0)).toEqual({ ok: true, levels: [9] });
    expect(state.status()).toEqual({
      connected: false,
      degraded: true,
      degradedSince: T0,
      operationsLost: 1,
      primaryFailures: 1,
      primaryTimeouts: 0,
      lastError: 'connection refused',
    });
  });

  it('answers within callTimeoutMs when the primary hangs, then skips it while it is known down', async () => {
    const clock = new FakeClock(T0);
    const primary = scriptedPrimary(clock);
    const state = new FallbackPolicyState(primary.state, { clock, callTimeoutMs: 250, retryPrimaryAfterMs: 1_000 });
    primary.set('hang');
    const call = state.takeBuckets([{ bucket, amount: 1 }], clock.now());
    const settled = settledState(call);
    await clock.advance(249);
    expect(settled.current()).toBe('pending');
    await clock.advance(1);
    expect(await call).toEqual({ ok: true, levels: [9] });
    expect(state.status()).toMatchObject({
      connected: false,
      degradedSince: T0,
      primaryTimeouts: 1,
      lastError: 'no answer within 250 ms',
      operationsLost: 1,
    });
    const calls = primary.calls();
    expect(await state.readBuckets([bucket], clock.now())).toEqual([9]); // straight to the fallback: no wait
    expect(primary.calls()).toBe(calls);
    expect(clock.pendingSleeps).toBe(0);
  });

  it('abandons a slow answer (counted) and does not let it land later', async () => {
    const clock = new FakeClock(T0);
    const primary = scriptedPrimary(clock);
    const state = new FallbackPolicyState(primary.state, { clock, callTimeoutMs: 250 });
    primary.set({ slowMs: 400 });
    const call = state.setCooldown('claude', T0 + 60_000, T0);
    await clock.advance(250);
    expect(await call).toBe(T0 + 60_000);
    await clock.advance(200); // the slow primary answers now: too late, and changes no status
    expect(state.status()).toMatchObject({
      connected: false,
      primaryTimeouts: 1,
      primaryFailures: 1,
      operationsLost: 1,
    });
  });

  it('answers every call waiting on the primary locally as soon as one finds it lost', async () => {
    const clock = new FakeClock(T0);
    const primary = scriptedPrimary(clock);
    const state = new FallbackPolicyState(primary.state, { clock, callTimeoutMs: 250 });
    primary.set('hang');
    const first = state.takeBuckets([{ bucket, amount: 1 }], T0);
    await clock.advance(100);
    const second = settledState(state.takeBuckets([{ bucket, amount: 1 }], T0 + 100));
    await clock.advance(150); // the first times out: the second (150 ms left on its own timer) is answered with it
    await first;
    expect(second.current()).toBe('resolved');
    expect(state.status()).toMatchObject({ primaryFailures: 1, operationsLost: 2 });
  });

  it('retries the primary after retryPrimaryAfterMs with ONE call at a time, and recovers', async () => {
    const clock = new FakeClock(T0);
    const primary = scriptedPrimary(clock);
    const state = new FallbackPolicyState(primary.state, { clock, retryPrimaryAfterMs: 1_000, callTimeoutMs: 250 });
    primary.set('down');
    await state.readBuckets([bucket], T0);
    await state.readBuckets([bucket], T0 + 500);
    await state.readBuckets([bucket], T0 + 999);
    expect(primary.calls()).toBe(1);
    primary.set({ slowMs: 100 });
    const probe = state.readBuckets([bucket], T0 + 1_000);
    await state.readBuckets([bucket], T0 + 1_001); // the probe is in flight: this one stays local
    expect(primary.calls()).toBe(2);
    await clock.advance(100);
    await probe;
    expect(state.status()).toMatchObject({
      connected: true,
      degraded: false,
      operationsLost: 4,
      lastError: 'connection refused',
    });
    expect(state.status().degradedSince).toBeUndefined();
    primary.set('up');
    await state.readBuckets([bucket], T0 + 1_002);
    expect(primary.calls()).toBe(3);
  });

  it('a failed retry keeps the primary lost (no second loss event) and waits another interval', async () => {
    const primary = scriptedPrimary();
    const state = new FallbackPolicyState(primary.state, { retryPrimaryAfterMs: 1_000 });
    const changes: SharedStateChange[] = [];
    state.onStatusChange((change) => changes.push(change));
    primary.set('down');
    await state.readBuckets([bucket], T0);
    await state.readBuckets([bucket], T0 + 1_000);
    await state.readBuckets([bucket], T0 + 1_500);
    expect(primary.calls()).toBe(2);
    expect(state.status()).toMatchObject({ degradedSince: T0, primaryFailures: 2 });
    expect(changes).toEqual([{ connected: false, at: T0, error: 'connection refused' }]);
  });

  it('fires onStatusChange once on loss and once on recovery, with how long it lasted', async () => {
    const primary = scriptedPrimary();
    const state = new FallbackPolicyState(primary.state, { retryPrimaryAfterMs: 1_000 });
    const changes: SharedStateChange[] = [];
    const stop = state.onStatusChange((change) => changes.push(change));
    state.onStatusChange(() => {
      throw new Error('a broken listener');
    });
    primary.set('down');
    await Promise.all([
      state.readBuckets([bucket], T0),
      state.readBuckets([bucket], T0),
      state.readBuckets([bucket], T0 + 10),
    ]);
    primary.set('up');
    await state.readBuckets([bucket], T0 + 2_500);
    await state.readBuckets([bucket], T0 + 2_600);
    expect(changes).toEqual([
      { connected: false, at: T0, error: 'connection refused' },
      { connected: true, at: T0 + 2_500, lostMs: 2_500 },
    ]);
    stop();
    primary.set('down');
    await state.readBuckets([bucket], T0 + 3_000);
    expect(changes).toHaveLength(2);
  });

  it('keeps cool-downs locally while the primary is lost and pushes the running ones to it on recovery', async () => {
    const primary = scriptedPrimary();
    const state = new FallbackPolicyState(primary.state, { retryPrimaryAfterMs: 1_000 });
    primary.set('down');
    await state.setCooldown('claude', T0 + 30_000, T0);
    await state.setCooldown('gpt', T0 + 1_500, T0);
    expect(await state.readCooldown('claude', T0 + 10)).toBe(T0 + 30_000);
    primary.set('up');
    await state.readBuckets([bucket], T0 + 2_000); // the retry succeeds: recovery
    await Promise.resolve();
    await Promise.resolve();
    expect(await primary.memory.readCooldown('claude', T0 + 2_000)).toBe(T0 + 30_000);
    expect(await primary.memory.readCooldown('gpt', T0 + 2_000)).toBeUndefined(); // ended meanwhile: not pushed
    expect(await state.readCooldown('claude', T0 + 2_001)).toBe(T0 + 30_000);
  });

  it('refuses bad cool-down input without counting the primary as lost', async () => {
    const state = new FallbackPolicyState(scriptedPrimary().state);
    await expect(state.setCooldown('claude', Number.NaN, T0)).rejects.toThrow(/setCooldown\("claude"\)/);
    await expect(state.readCooldown('', T0)).rejects.toThrow(/non-empty/);
    expect(state.status()).toMatchObject({ connected: true, primaryFailures: 0 });
  });

  it('watches cool-downs through the primary when it can, and has no watch when it cannot', () => {
    expect(new FallbackPolicyState(scriptedPrimary().state).watchCooldowns).toBeUndefined();
    const memory = new MemoryPolicyState();
    const state = new FallbackPolicyState(memory);
    const heard: Array<[string, number]> = [];
    state.watchCooldowns?.((key, untilMs) => heard.push([key, untilMs]));
    void memory.setCooldown('claude', T0 + 1_000, T0);
    expect(heard).toEqual([['claude', T0 + 1_000]]);
  });

  it('refuses a callTimeoutMs that is not positive, naming it', () => {
    expect(() => new FallbackPolicyState(new MemoryPolicyState(), { callTimeoutMs: 0 })).toThrow(/callTimeoutMs/);
  });
});
