import { describe, expect, it } from 'vitest';
import { FakeClock } from '../model/fake-clock.js';
import { FailedAuthLimiter } from './failed-auth-limiter.js';

describe('FailedAuthLimiter', () => {
  it('blocks an address after 10 wrong tokens until its minute ends; other addresses are untouched', async () => {
    const clock = new FakeClock(0);
    const limiter = new FailedAuthLimiter({ clock });
    for (let i = 0; i < 9; i++) limiter.fail('10.0.0.1');
    expect(limiter.blockedForMs('10.0.0.1')).toBe(0);
    await clock.advance(20_000);
    limiter.fail('10.0.0.1');
    expect(limiter.blockedForMs('10.0.0.1')).toBe(40_000);
    expect(limiter.blockedForMs('10.0.0.2')).toBe(0);
    await clock.advance(39_999);
    expect(limiter.blockedForMs('10.0.0.1')).toBe(1);
    await clock.advance(1);
    expect(limiter.blockedForMs('10.0.0.1')).toBe(0);
    expect(limiter.size).toBe(0);
  });

  it('a new window starts after the old one ends; the right token forgets the count', async () => {
    const clock = new FakeClock(0);
    const limiter = new FailedAuthLimiter({ clock, maxFailures: 2, windowMs: 1_000 });
    limiter.fail('a');
    await clock.advance(1_000);
    limiter.fail('a');
    expect(limiter.blockedForMs('a')).toBe(0);
    limiter.succeed('a');
    limiter.fail('a');
    expect(limiter.blockedForMs('a')).toBe(0);
    limiter.fail('a');
    expect(limiter.blockedForMs('a')).toBe(1_000);
  });

  it('tracks at most maxAddresses: ended windows go first, then the oldest', async () => {
    const clock = new FakeClock(0);
    const limiter = new FailedAuthLimiter({ clock, maxAddresses: 3, maxFailures: 1, windowMs: 1_000 });
    limiter.fail('a');
    await clock.advance(1_000);
    limiter.fail('b');
    limiter.fail('c');
    limiter.fail('d');
    expect(limiter.size).toBe(3);
    limiter.fail('e');
    expect(limiter.size).toBe(3);
    expect(limiter.blockedForMs('b')).toBe(0); // the oldest live window was dropped
    expect(limiter.blockedForMs('e')).toBe(1_000);
  });
});
