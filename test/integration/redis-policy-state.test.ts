import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { FakeClock } from '../../src/model/fake-clock.js';
import { RateBudget } from '../../src/policy/rate-budget.js';
import { FallbackPolicyState } from '../../src/state/fallback-policy-state.js';
import { MemoryPolicyState } from '../../src/state/memory-policy-state.js';
import { describePolicyStateConformance } from '../../src/state/policy-state.conformance.js';
import type { BucketSpec, PolicyState } from '../../src/state/policy-state.js';
import { RedisPolicyState } from '../../src/state/redis-policy-state.js';
import { LazyRedisPolicyState } from '../../src/state/lazy-redis-state.js';
import { describeWithRedis, redisUrl } from './services.js';

/**
 * RedisPolicyState against a real Redis at FAILSOFT_TEST_REDIS_URL. Without the variable the suite is
 * skipped, unless FAILSOFT_REQUIRE_SERVICES=1 (CI), where a missing variable or an unreachable Redis fails.
 * Every test works under its own key prefix and deletes its keys afterwards.
 */
const url = redisUrl;
const RUN = `failsoft-test:${randomUUID()}:`;
const T0 = 1_700_000_000_000;
const serverUrl = url ?? 'redis://127.0.0.1:6379';

describeWithRedis('RedisPolicyState (FAILSOFT_TEST_REDIS_URL)', () => {
  let admin: Redis;
  const prefixes: string[] = [];
  const clients: Redis[] = [];

  /** A fresh key prefix under this run's namespace, deleted after the test. */
  const newPrefix = (name: string = randomUUID()): string => {
    const prefix = `${RUN}${name}:`;
    prefixes.push(prefix);
    return prefix;
  };
  const connect = (): Redis => {
    const client = new Redis(serverUrl, { maxRetriesPerRequest: 1 });
    clients.push(client);
    return client;
  };
  const escapeGlob = (text: string): string => text.replace(/[*?[\]\\]/g, '\\$&');
  const keysUnder = async (prefix: string): Promise<string[]> => {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await admin.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 1_000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    return keys;
  };

  beforeAll(async () => {
    admin = new Redis(serverUrl, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      connectTimeout: 2_000,
    });
    let connectionError: unknown;
    admin.on('error', (error: unknown) => {
      connectionError = error;
    });
    try {
      await admin.connect();
      await admin.ping();
    } catch (error) {
      admin.disconnect();
      const cause = connectionError ?? error;
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new Error(
        `Redis at FAILSOFT_TEST_REDIS_URL=${serverUrl} is unreachable (${reason}): start it, or unset the variable to skip these tests`,
      );
    }
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.quit().catch(() => client.disconnect())));
    for (const prefix of prefixes.splice(0)) {
      const keys = await keysUnder(prefix);
      if (keys.length > 0) await admin.del(...keys);
    }
  });

  afterAll(async () => {
    if (admin === undefined || admin.status !== 'ready') return;
    const left = await keysUnder(RUN);
    await admin.quit();
    expect(left).toEqual([]);
  });

  describePolicyStateConformance(
    'redis',
    (prefix) => new RedisPolicyState(serverUrl, { prefix: newPrefix(prefix.replace(/:$/, '')) }),
  );

  it('two RateBudgets on two Redis connections spend ONE budget (multi-instance)', async () => {
    const prefix = newPrefix();
    const clock = new FakeClock(T0);
    const stores = [new RedisPolicyState(connect(), { prefix }), new RedisPolicyState(connect(), { prefix })];
    const budgets = stores.map(
      (store) => new RateBudget({ rpm: 10, tpm: 10_000 }, { key: 'anthropic', clock, store, transitMs: 0 }),
    );
    const ask = { inputTokens: 100, maxOutputTokens: 100, priority: 'interactive' as const };

    const burst = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (budgets[i % 2] as RateBudget).tryReserve(ask)),
    );
    expect(burst.filter((r) => r.ok)).toHaveLength(10);
    expect(burst.find((r) => !r.ok)).toMatchObject({ ok: false, dimension: 'requests', waitMs: 6_000 });
    for (const budget of budgets)
      expect(await budget.remaining()).toEqual({
        requests: { limit: 10, remaining: 0 },
        tokens: { limit: 10_000, remaining: 8_000 },
      });

    await clock.advance(6_000); // one request refills, seen by both instances
    const next = await Promise.all(Array.from({ length: 6 }, (_, i) => (budgets[i % 2] as RateBudget).tryReserve(ask)));
    expect(next.filter((r) => r.ok)).toHaveLength(1);
    expect(budgets.every((b) => b.stateErrors === 0)).toBe(true);
  });

  it('answers exactly as MemoryPolicyState on a long random sequence', async () => {
    const redis = new RedisPolicyState(connect(), { prefix: newPrefix() });
    const memory = new MemoryPolicyState();
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const specs: BucketSpec[] = [
      { key: 'a', capacity: 1_000, refillPerMs: 1_000 / 60_000 },
      { key: 'b', capacity: 33.3, refillPerMs: 0.000_7 },
      { key: 'c', capacity: 7, refillPerMs: 0 },
    ];
    let now = T0;
    const operations: Array<(s: PolicyState) => Promise<unknown>> = [];
    for (let i = 0; i < 200; i++) {
      now += Math.floor(random() * 3_000) - 500; // sometimes a caller behind in time
      const at = now;
      const bucket = specs[Math.floor(random() * specs.length)] as BucketSpec;
      const other = specs[(specs.indexOf(bucket) + 1) % specs.length] as BucketSpec;
      const x = random() * 40 - 5;
      const floor = random() * 3;
      switch (Math.floor(random() * 4)) {
        case 0:
          operations.push((s) =>
            s.takeBuckets(
              [
                { bucket, amount: Math.abs(x) },
                { bucket: other, amount: 1, floor },
              ],
              at,
            ),
          );
          break;
        case 1:
          operations.push((s) =>
            s.adjustBuckets(
              [
                { bucket, delta: x },
                { bucket: other, delta: -x / 3 },
              ],
              at,
            ),
          );
          break;
        case 2:
          operations.push((s) => s.lowerBuckets([{ bucket, level: Math.abs(x) * 10 }], at));
          break;
        default:
          operations.push((s) => s.readBuckets(specs, at));
      }
    }
    for (const operation of operations) expect(await operation(redis)).toEqual(await operation(memory));
  });

  it('gives buckets and breaker records TTLs, writes nothing on read, keeps one version counter', async () => {
    const prefix = newPrefix();
    const store = new RedisPolicyState(connect(), { prefix });
    const bucket: BucketSpec = { key: 'k', capacity: 60, refillPerMs: 1 / 1_000 };
    await store.readBuckets([bucket], T0);
    expect(await keysUnder(prefix)).toEqual([]);
    await store.takeBuckets([{ bucket, amount: 30 }], T0);
    const bucketTtl = await admin.pttl(`${prefix}bucket:k`);
    expect(bucketTtl).toBeGreaterThan(30_000); // 30 missing at 1/s: full again after 30 s (+ slack)
    expect(bucketTtl).toBeLessThanOrEqual(31_000);
    await store.writeBreaker(
      'x',
      { openUntil: T0 + 5_000, openCount: 1, reason: 'r', long: false, updatedAt: T0, expiresAt: T0 + 5_000 },
      0,
      T0,
    );
    const recordTtl = await admin.pttl(`${prefix}breaker:x`);
    expect(recordTtl).toBeGreaterThan(5_000);
    expect(recordTtl).toBeLessThanOrEqual(6_000);
    expect(await admin.pttl(`${prefix}breaker-version`)).toBe(-1);
  });

  it('gives a cool-down the TTL of its instant (+ slack) and lengthens it with the instant', async () => {
    const prefix = newPrefix();
    const store = new RedisPolicyState(connect(), { prefix });
    await store.setCooldown('claude', T0 + 5_000, T0);
    const ttl = await admin.pttl(`${prefix}cooldown:claude`);
    expect(ttl).toBeGreaterThan(5_000);
    expect(ttl).toBeLessThanOrEqual(6_000);
    await store.setCooldown('claude', T0 + 20_000, T0 + 1_000);
    expect(await admin.pttl(`${prefix}cooldown:claude`)).toBeGreaterThan(19_000);
  });

  it('one instance hears the cool-down another one sets (pub/sub on <prefix>cooldowns)', async () => {
    const prefix = newPrefix();
    const writer = new RedisPolicyState(connect(), { prefix });
    const reader = new RedisPolicyState(connect(), { prefix });
    const heard: Array<[string, number]> = [];
    const stop = reader.watchCooldowns((key, untilMs) => heard.push([key, untilMs]));
    try {
      let until = T0 + 1_000;
      for (let i = 0; i < 100 && heard.length === 0; i++) {
        await writer.setCooldown('claude', ++until, T0);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(heard.at(-1)).toEqual(['claude', until]);
    } finally {
      stop();
      await Promise.all([writer.close(), reader.close()]);
    }
  });

  it('a lazily loaded store watches and shares cool-downs like the eager one; junk on the channel is skipped', async () => {
    const prefix = newPrefix();
    const writer = new LazyRedisPolicyState(serverUrl, prefix);
    const reader = new LazyRedisPolicyState(serverUrl, prefix);
    const heard: Array<[string, number]> = [];
    const stop = reader.watchCooldowns((key, untilMs) => heard.push([key, untilMs])); // before the module has loaded
    try {
      let until = T0 + 1_000;
      for (let i = 0; i < 100 && heard.length === 0; i++) {
        await writer.setCooldown('gpt', ++until, T0);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(heard.at(-1)).toEqual(['gpt', until]);
      expect(await reader.readCooldown('gpt', T0)).toBe(until);
      await admin.publish(`${prefix}cooldowns`, 'not json');
      await admin.publish(`${prefix}cooldowns`, JSON.stringify({ key: 'gpt', untilMs: 'soon' }));
      await writer.setCooldown('gemini', T0 + 9_000, T0);
      // The junk before it is skipped: the next thing heard is gemini's cool-down.
      await expect.poll(() => heard.at(-1), { timeout: 1_000, interval: 10 }).toEqual(['gemini', T0 + 9_000]);
    } finally {
      stop();
      await Promise.all([writer.close(), reader.close()]);
    }
  });

  it('keeps a bucket without refill (it would never be full again)', async () => {
    const prefix = newPrefix();
    const store = new RedisPolicyState(connect(), { prefix });
    await store.takeBuckets([{ bucket: { key: 'k', capacity: 5, refillPerMs: 0 }, amount: 5 }], T0);
    expect(await admin.pttl(`${prefix}bucket:k`)).toBe(-1);
  });

  it('uses one round trip per call', async () => {
    const client = connect();
    const store = new RedisPolicyState(client, { prefix: newPrefix() });
    const bucket: BucketSpec = { key: 'k', capacity: 10, refillPerMs: 0.01 };
    const record = { openUntil: T0 + 1, openCount: 1, reason: 'r', long: true, updatedAt: T0, expiresAt: T0 + 10 };
    await client.ping();
    const sent = vi.spyOn(client, 'sendCommand');
    const calls: Array<() => Promise<unknown>> = [
      () =>
        store.takeBuckets(
          [
            { bucket, amount: 1 },
            { bucket: { ...bucket, key: 'j' }, amount: 2 },
          ],
          T0,
        ),
      () => store.adjustBuckets([{ bucket, delta: 1 }], T0),
      () => store.lowerBuckets([{ bucket, level: 3 }], T0),
      () => store.readBuckets([bucket], T0),
      () => store.writeBreaker('x', record, 0, T0),
      () => store.readBreaker('x', T0),
      () => store.setCooldown('claude', T0 + 5_000, T0),
      () => store.readCooldown('claude', T0),
    ];
    for (const call of calls) {
      sent.mockClear();
      await call();
      expect(sent).toHaveBeenCalledTimes(1);
    }
  });

  it('close() quits a client it created but leaves a client passed in open', async () => {
    const passed = connect();
    await new RedisPolicyState(passed, { prefix: newPrefix() }).close();
    expect(await passed.ping()).toBe('PONG');
    const owned = new RedisPolicyState(serverUrl, { prefix: newPrefix() });
    await owned.readBuckets([{ key: 'k', capacity: 1, refillPerMs: 1 }], T0);
    await owned.close();
    await expect(owned.readBuckets([{ key: 'k', capacity: 1, refillPerMs: 1 }], T0)).rejects.toThrow();
  });

  it('fails fast when Redis is unreachable, so FallbackPolicyState keeps requests flowing', async () => {
    const down = new RedisPolicyState('redis://127.0.0.1:1', { prefix: newPrefix() });
    const state = new FallbackPolicyState(down);
    const started = Date.now();
    const taken = await state.takeBuckets([{ bucket: { key: 'k', capacity: 5, refillPerMs: 0 }, amount: 1 }], T0);
    expect(taken).toEqual({ ok: true, levels: [4] });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(state.status()).toMatchObject({
      connected: false,
      degradedSince: T0,
      primaryFailures: 1,
      operationsLost: 1,
    });
    await state.close();
  });
});
