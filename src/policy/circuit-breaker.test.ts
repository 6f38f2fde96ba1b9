import { describe, expect, it } from 'vitest';
import { FakeClock } from '../model/fake-clock.js';
import { providerError } from '../model/errors.js';
import {
  CircuitBreaker,
  type BreakerPermit,
  type BreakerTransition,
  type CircuitBreakerOptions,
} from './circuit-breaker.js';
import { BreakerOpenError, DeadlineExceededError } from './policy-errors.js';

function setup(options: Partial<CircuitBreakerOptions> = {}) {
  const clock = new FakeClock(0);
  const breaker = new CircuitBreaker({ key: 'p:m', clock, ...options });
  const transitions: BreakerTransition[] = [];
  breaker.onTransition((t) => transitions.push(t));
  const permit = (): BreakerPermit => {
    const p = breaker.tryAcquire();
    if (!p.allowed) throw new Error(`denied for ${p.retryAfterMs} ms`);
    return p;
  };
  const fail = (n: number): void => {
    for (let i = 0; i < n; i++) breaker.recordFailure(permit(), 'count');
  };
  const succeed = (n: number): void => {
    for (let i = 0; i < n; i++) breaker.recordSuccess(permit());
  };
  return { clock, breaker, transitions, permit, fail, succeed };
}

describe('CircuitBreaker: closed → open', () => {
  it('opens after consecutiveFailures counted failures in a row', () => {
    const { breaker, fail, transitions } = setup();
    fail(4);
    expect(breaker.state).toBe('closed');
    fail(1);
    expect(breaker.state).toBe('open');
    expect(transitions).toEqual([
      { key: 'p:m', from: 'closed', to: 'open', reason: 'consecutive-failures', retryAfterMs: 5_000, at: 0 },
    ]);
  });

  it('a success resets the consecutive count', () => {
    const { breaker, fail, succeed } = setup();
    fail(4);
    succeed(1);
    fail(4);
    expect(breaker.state).toBe('closed');
  });

  it('opens on the failure ratio only once the minimum volume is reached', () => {
    const { breaker, fail, succeed } = setup({ consecutiveFailures: 100 });
    // 4 successes + 4 failures interleaved: ratio 0.5 but volume 8 < 10.
    for (let i = 0; i < 4; i++) {
      succeed(1);
      fail(1);
    }
    expect(breaker.state).toBe('closed');
    succeed(1);
    fail(1); // volume 10, ratio 0.5
    expect(breaker.state).toBe('open');
    expect(breaker.toJSON().reason).toBe('failure-ratio');
  });

  it('does not open on a ratio below failureRatio', () => {
    const { breaker, fail, succeed } = setup({ consecutiveFailures: 100 });
    succeed(12);
    fail(10); // 10 / 22 < 0.5
    expect(breaker.state).toBe('closed');
  });

  it('forgets failures that left the ratio window', () => {
    const { breaker, clock, fail, succeed } = setup({ consecutiveFailures: 100, windowMs: 30_000 });
    fail(4);
    succeed(1);
    fail(4);
    void clock.advance(31_000);
    succeed(1);
    fail(1); // window now holds 1 success, 1 failure: below the volume
    expect(breaker.state).toBe('closed');
  });
});

describe('CircuitBreaker: late failures (streams cut after their first token)', () => {
  it('turns a recorded success into a failure: streams that all break mid-answer open it on the ratio', () => {
    const { breaker, succeed } = setup({ consecutiveFailures: 100 });
    // Each stream: a success at its first token, then the provider drops it.
    for (let i = 0; i < 9; i++) {
      succeed(1);
      breaker.recordLateFailure('count', 'network');
    }
    expect(breaker.state).toBe('closed'); // 9 failures, volume 9 < 10
    succeed(1);
    breaker.recordLateFailure('count', 'network');
    expect(breaker.state).toBe('open');
    expect(breaker.toJSON().reason).toBe('failure-ratio');
  });

  it('counts each stream once: 6 whole streams and 4 cut short stay below a 0.5 ratio', () => {
    const { breaker, succeed } = setup({ consecutiveFailures: 100 });
    succeed(10);
    for (let i = 0; i < 4; i++) breaker.recordLateFailure('count', 'server_error');
    // Counted as 6 successes + 4 failures (0.4); adding failures on top would have made it 10 + 4.
    expect(breaker.state).toBe('closed');
    breaker.recordLateFailure('count', 'server_error');
    expect(breaker.state).toBe('open'); // 5 / 10
  });

  it('feeds the consecutive count after a success had reset it', () => {
    const { breaker, fail, succeed } = setup({ consecutiveFailures: 3, minimumVolume: 1_000 });
    fail(1);
    succeed(1);
    breaker.recordLateFailure('count', 'network');
    fail(1);
    expect(breaker.state).toBe('closed');
    fail(1);
    expect(breaker.state).toBe('open');
    expect(breaker.toJSON().reason).toBe('consecutive-failures');
  });

  it('a neutral late outcome changes nothing; an auth failure opens long; an open breaker ignores it', () => {
    const { breaker, clock, fail, succeed } = setup({ consecutiveFailures: 100, minimumVolume: 1 });
    succeed(1);
    breaker.recordLateFailure('none', 'bad_request');
    expect(breaker.state).toBe('closed');
    breaker.recordLateFailure('open-long', 'auth');
    expect(breaker.state).toBe('open');
    expect(breaker.toJSON().reason).toBe('long-open:auth');
    const until = breaker.reopensInMs();
    void clock.advance(1);
    breaker.recordLateFailure('count', 'network');
    expect(breaker.reopensInMs()).toBe((until ?? 0) - 1);
    void fail;
  });
});

describe('CircuitBreaker: open → skip', () => {
  it('denies while open with the time left, and never waits', () => {
    const { breaker, clock, fail } = setup();
    fail(5);
    void clock.advance(1_200);
    expect(breaker.tryAcquire()).toEqual({ allowed: false, retryAfterMs: 3_800 });
    expect(clock.pendingSleeps).toBe(0);
  });

  it('enters half-open lazily on the first tryAcquire after openUntil, and reports it', async () => {
    const { breaker, clock, fail, transitions } = setup();
    fail(5);
    await clock.advance(5_000);
    expect(breaker.state).toBe('open'); // no timers: nothing happens until asked
    const permit = breaker.tryAcquire();
    expect(permit).toMatchObject({ allowed: true, probe: true });
    expect(breaker.state).toBe('half-open');
    expect(transitions.at(-1)).toMatchObject({ from: 'open', to: 'half-open', reason: 'open-elapsed', at: 5_000 });
  });
});

describe('CircuitBreaker: half-open probing', () => {
  it('lets only halfOpenMaxProbes concurrent probes through', async () => {
    const { breaker, clock, fail } = setup({ halfOpenMaxProbes: 2 });
    fail(5);
    await clock.advance(5_000);
    expect(breaker.tryAcquire()).toMatchObject({ allowed: true, probe: true });
    expect(breaker.tryAcquire()).toMatchObject({ allowed: true, probe: true });
    expect(breaker.tryAcquire()).toEqual({ allowed: false, retryAfterMs: 1_000 });
  });

  it('closes after probesToClose probe successes', async () => {
    const { breaker, clock, fail, permit, transitions } = setup({ probesToClose: 2 });
    fail(5);
    await clock.advance(5_000);
    breaker.recordSuccess(permit());
    expect(breaker.state).toBe('half-open');
    breaker.recordSuccess(permit());
    expect(breaker.state).toBe('closed');
    expect(transitions.at(-1)).toMatchObject({ from: 'half-open', to: 'closed', reason: 'probe-succeeded' });
  });

  it('re-opens after a failed probe for longer each time (backoff), capped at maxOpenMs', async () => {
    const { breaker, clock, fail, permit, transitions } = setup({ openMs: 1_000, maxOpenMs: 5_000 });
    fail(5);
    const opens: number[] = [];
    for (let i = 0; i < 5; i++) {
      const until = breaker.toJSON().openUntil;
      opens.push(until - clock.now());
      await clock.advance(until - clock.now());
      breaker.recordFailure(permit(), 'count');
    }
    expect(opens).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
    expect(transitions.filter((t) => t.reason === 'probe-failed').map((t) => t.retryAfterMs)).toEqual([
      2_000, 4_000, 5_000, 5_000, 5_000,
    ]);
  });

  it('resets the backoff after a full close', async () => {
    const { breaker, clock, fail, permit } = setup({ openMs: 1_000 });
    fail(5);
    await clock.advance(1_000);
    breaker.recordFailure(permit(), 'count'); // re-open for 2 s
    await clock.advance(2_000);
    breaker.recordSuccess(permit()); // closed
    fail(5);
    expect(breaker.toJSON().openUntil - clock.now()).toBe(1_000);
  });

  it('a neutral outcome frees the probe slot without deciding anything', async () => {
    const { breaker, clock, fail, permit } = setup();
    fail(5);
    await clock.advance(5_000);
    const probe = permit();
    expect(breaker.tryAcquire().allowed).toBe(false);
    breaker.recordNeutral(probe);
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryAcquire()).toMatchObject({ allowed: true, probe: true });
  });

  it("recordFailure with effect 'none' is neutral", async () => {
    const { breaker, clock, fail, permit } = setup();
    fail(5);
    await clock.advance(5_000);
    breaker.recordFailure(permit(), 'none');
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryAcquire().allowed).toBe(true);
  });
});

describe('CircuitBreaker: neutral outcomes and stale permits', () => {
  it('neutral outcomes in closed state neither count nor reset', () => {
    const { breaker, fail, permit } = setup();
    fail(4);
    breaker.recordNeutral(permit());
    breaker.recordFailure(permit(), 'none');
    expect(breaker.toJSON().consecutiveFailures).toBe(4);
    fail(1);
    expect(breaker.state).toBe('open');
  });

  it('ignores outcomes of permits granted before the last transition', async () => {
    const { breaker, clock, fail, permit } = setup();
    const early = [permit(), permit()];
    fail(5);
    await clock.advance(5_000);
    const probe = permit();
    breaker.recordSuccess(early[0] as BreakerPermit); // a slow call from before the open: says nothing now
    breaker.recordFailure(early[1] as BreakerPermit, 'count');
    expect(breaker.state).toBe('half-open');
    breaker.recordSuccess(probe);
    expect(breaker.state).toBe('closed');
  });
});

describe('CircuitBreaker: long opens', () => {
  it.each(['quota_exhausted', 'auth', 'not_found'] as const)('opens for longOpenMs on %s at once', (errorClass) => {
    const { breaker, permit, transitions } = setup();
    breaker.recordFailure(permit(), 'open-long', errorClass);
    expect(breaker.state).toBe('open');
    expect(transitions.at(-1)).toMatchObject({ to: 'open', reason: `long-open:${errorClass}`, retryAfterMs: 600_000 });
    expect(breaker.toJSON().long).toBe(true);
  });

  it('a long open extends a short one, even from a stale permit', () => {
    const { breaker, fail, permit, transitions } = setup();
    const stale = permit();
    fail(5);
    breaker.recordFailure(stale, 'open-long', 'auth');
    expect(breaker.tryAcquire()).toEqual({ allowed: false, retryAfterMs: 600_000 });
    expect(transitions.at(-1)).toMatchObject({ from: 'open', to: 'open', reason: 'long-open:auth' });
  });

  it('a long open is not shortened by a later short open (LiteLLM #40130)', async () => {
    const { breaker, clock, permit } = setup();
    const stale = permit();
    breaker.recordFailure(permit(), 'open-long', 'quota_exhausted');
    breaker.forceOpen(1_000);
    breaker.recordFailure(stale, 'count');
    await clock.advance(10_000);
    expect(breaker.tryAcquire()).toEqual({ allowed: false, retryAfterMs: 590_000 });
  });
});

describe('CircuitBreaker: operator controls', () => {
  it('forceOpen without a duration holds until forceClose', async () => {
    const { breaker, clock, transitions } = setup();
    breaker.forceOpen();
    await clock.advance(86_400_000);
    expect(breaker.tryAcquire().allowed).toBe(false);
    breaker.forceClose();
    expect(breaker.tryAcquire()).toMatchObject({ allowed: true, probe: false });
    expect(transitions.map((t) => `${t.from}>${t.to}:${t.reason}`)).toEqual([
      'closed>open:forced',
      'open>closed:forced',
    ]);
  });

  it('forceOpen with a duration half-opens after it', async () => {
    const { breaker, clock } = setup();
    breaker.forceOpen(2_000);
    expect(breaker.tryAcquire()).toEqual({ allowed: false, retryAfterMs: 2_000 });
    await clock.advance(2_000);
    expect(breaker.tryAcquire()).toMatchObject({ allowed: true, probe: true });
  });

  it('forceClose overrides a long open and resets counters', () => {
    const { breaker, permit, fail } = setup();
    breaker.recordFailure(permit(), 'open-long', 'auth');
    breaker.forceClose();
    expect(breaker.state).toBe('closed');
    fail(4);
    expect(breaker.state).toBe('closed');
  });
});

describe('CircuitBreaker: toJSON and execute', () => {
  it('serialises its state with openUntil and the open count', () => {
    const { breaker, fail } = setup();
    fail(5);
    const json = JSON.parse(JSON.stringify(breaker)) as Record<string, unknown>;
    expect(json).toMatchObject({
      key: 'p:m',
      state: 'open',
      openUntil: 5_000,
      openCount: 1,
      reason: 'consecutive-failures',
      long: false,
    });
  });

  it('execute records outcomes by the taxonomy and throws BreakerOpenError when open', async () => {
    const { breaker } = setup({ consecutiveFailures: 2 });
    await expect(breaker.execute(async () => 'ok')).resolves.toBe('ok');
    const badRequest = providerError({ class: 'bad_request', message: 'bad', provider: 'p' });
    for (let i = 0; i < 3; i++)
      await expect(
        breaker.execute(async () => {
          throw badRequest;
        }),
      ).rejects.toBe(badRequest);
    expect(breaker.state).toBe('closed');
    await expect(
      breaker.execute(async () => {
        throw new DeadlineExceededError('request', 10);
      }),
    ).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(breaker.state).toBe('closed');
    const overloaded = providerError({ class: 'overloaded', message: 'busy', provider: 'p', status: 529 });
    for (let i = 0; i < 2; i++)
      await expect(
        breaker.execute(async () => {
          throw overloaded;
        }),
      ).rejects.toBe(overloaded);
    expect(breaker.state).toBe('open');
    const error = await breaker.execute(async () => 'never').catch((e: unknown) => e);
    expect(BreakerOpenError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ retryAfterMs: 5_000, key: 'p:m' });
  });

  it('a throwing listener does not break the breaker', () => {
    const { breaker, fail } = setup();
    breaker.onTransition(() => {
      throw new Error('listener bug');
    });
    fail(5);
    expect(breaker.state).toBe('open');
  });

  it('unsubscribes a listener', () => {
    const { breaker, fail } = setup();
    const seen: BreakerTransition[] = [];
    const off = breaker.onTransition((t) => seen.push(t));
    off();
    fail(5);
    expect(seen).toHaveLength(0);
  });
});
