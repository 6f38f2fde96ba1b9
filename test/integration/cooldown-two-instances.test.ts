/**
 * A provider's Retry-After holds for every instance: two gateways sharing one Redis (REDIS_URL, the same
 * prefix), the primary answers one of them 429 "retry after 5 s", and from then on neither sends it a
 * request until the 5 s have passed (the other learns it through Redis pub/sub, without a round trip per request).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../src/sim/start-simulator.js';
import { gatewayOver } from '../scenarios/outage-rig.js';
import { describeWithRedis, redisUrl } from './services.js';

const PREFIX = `failsoft-test:${randomUUID()}:`;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

describeWithRedis('cool-downs shared through Redis', () => {
  const url = redisUrl ?? '';
  afterAll(async () => {
    const admin = new Redis(url);
    const keys = await admin.keys(`${PREFIX}*`);
    if (keys.length > 0) await admin.del(...keys);
    await admin.quit();
  });

  it('a model that answered one instance 429 (Retry-After 5) gets no request from either instance until it passes', async () => {
    const sim: RunningSimulator = await startSimulator({ port: 0 });
    closers.push(() => sim.close());
    // Each instance reads REDIS_URL the way `failsoft serve` does.
    const env = { REDIS_URL: url, FAILSOFT_REDIS_PREFIX: PREFIX };
    const a = await gatewayOver(sim, { env });
    const b = await gatewayOver(sim, { env });
    closers.push(
      () => a.close(),
      () => b.close(),
    );
    // Both instances warm their Redis connections (and subscriptions) first.
    await Promise.all([a.call('summary'), b.call('summary')]);
    sim.resetStats();
    sim.setFaults({ anthropic: [{ kind: 'rate_limited', retryAfterS: 5, count: 1 }] });
    const first = await a.call('summary');
    expect(first.headers.get('x-failsoft-provider')).toBe('gpt');
    const cooledAt = performance.now();
    // The other instance hears of the cool-down through Redis pub/sub: wait for that, not a guessed 50 ms.
    await expect
      .poll(
        () =>
          b.events.some(
            (e) => e.type === 'provider-cooldown-started' && e.source === 'shared' && e.provider === 'claude',
          ),
        { timeout: 2_000, interval: 5 },
      )
      .toBe(true);
    let answered = 0;
    while (performance.now() - cooledAt < 4_000) {
      const batch = await Promise.all([a.call('summary'), b.call('summary'), b.call('summary', { stream: true })]);
      for (const answer of batch) {
        expect(answer.status).toBe(200);
        expect(answer.headers.get('x-failsoft-provider')).toBe('gpt');
      }
      answered += batch.length;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(answered).toBeGreaterThan(30);
    expect(sim.stats().anthropic?.requests).toBe(1);
    expect(
      b.events.some((e) => e.type === 'provider-cooldown-started' && e.source === 'shared' && e.provider === 'claude'),
    ).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 5_200 - (performance.now() - cooledAt))));
    const back = await b.call('summary');
    expect(back.headers.get('x-failsoft-provider')).toBe('claude');
  }, 20_000);
});
