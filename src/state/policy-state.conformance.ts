import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BreakerRecord, BucketSpec, PolicyState } from '../policy/policy-state.js';

/**
 * The ONE behaviour suite every `PolicyState` implementation must pass: memory
 * (`memory-policy-state.test.ts`), the fallback wrapper (`fallback-policy-state.test.ts`) and Redis
 * (`test/integration/redis-policy-state.test.ts`).
 * The factory gets a unique prefix for keys, so implementations backed by a shared server do not
 * see each other's keys between tests. Every test passes time explicitly, so no clock is involved
 * (only the watch test waits, in real time, for a server's pub/sub message).
 * @example describePolicyStateConformance('memory', () => new MemoryPolicyState());
 */
export function describePolicyStateConformance(
  name: string,
  factory: (prefix: string) => PolicyState | Promise<PolicyState>,
): void {
  describe(`PolicyState conformance: ${name}`, () => {
    let state: PolicyState;
    let prefix: string;
    let counter = 0;
    const T0 = 1_700_000_000_000;

    beforeEach(async () => {
      prefix = `conf-${Date.now().toString(36)}-${counter++}:`;
      state = await factory(prefix);
    });
    afterEach(async () => {
      await state.close();
    });

    const bucket = (key: string, capacity: number, perMinute = capacity): BucketSpec => ({
      key: prefix + key,
      capacity,
      refillPerMs: perMinute / 60_000,
    });
    const record = (over: Partial<BreakerRecord> = {}): BreakerRecord => ({
      openUntil: T0 + 5_000,
      openCount: 1,
      reason: 'consecutive-failures',
      long: false,
      updatedAt: T0,
      expiresAt: T0 + 60_000,
      ...over,
    });

    describe('buckets', () => {
      it('starts a never-written bucket full', async () => {
        expect(await state.readBuckets([bucket('a', 100)], T0)).toEqual([100]);
      });

      it('takes and reports the levels after taking', async () => {
        const result = await state.takeBuckets(
          [
            { bucket: bucket('a', 100), amount: 30 },
            { bucket: bucket('b', 10), amount: 1 },
          ],
          T0,
        );
        expect(result).toEqual({ ok: true, levels: [70, 9] });
        expect(await state.readBuckets([bucket('a', 100), bucket('b', 10)], T0)).toEqual([70, 9]);
      });

      it('is all-or-nothing: one bucket short takes nothing from any', async () => {
        const a = bucket('a', 100);
        const b = bucket('b', 10);
        await state.takeBuckets([{ bucket: b, amount: 8 }], T0);
        const result = await state.takeBuckets(
          [
            { bucket: a, amount: 50 },
            { bucket: b, amount: 5 },
          ],
          T0,
        );
        expect(result.ok).toBe(false);
        if (!result.ok) {
          expect(result.blockedIndex).toBe(1);
          expect(result.levels).toEqual([100, 2]);
        }
        expect(await state.readBuckets([a, b], T0)).toEqual([100, 2]);
      });

      it('refills continuously at refillPerMs up to capacity', async () => {
        const a = bucket('a', 600); // 10 per second
        await state.takeBuckets([{ bucket: a, amount: 600 }], T0);
        expect((await state.readBuckets([a], T0 + 1_000))[0]).toBeCloseTo(10, 6);
        expect((await state.readBuckets([a], T0 + 30_000))[0]).toBeCloseTo(300, 6);
        expect(await state.readBuckets([a], T0 + 600_000)).toEqual([600]);
      });

      it('reports the wait until the take fits, exact to the millisecond', async () => {
        const a = bucket('a', 60); // 1 per second
        await state.takeBuckets([{ bucket: a, amount: 60 }], T0);
        const refused = await state.takeBuckets([{ bucket: a, amount: 3 }], T0);
        expect(refused).toMatchObject({ ok: false, waitMs: 3_000, blockedIndex: 0 });
        expect((await state.takeBuckets([{ bucket: a, amount: 3 }], T0 + 2_999)).ok).toBe(false);
        expect((await state.takeBuckets([{ bucket: a, amount: 3 }], T0 + 3_000)).ok).toBe(true);
      });

      it('reports the longest wait among the blocked takes', async () => {
        const a = bucket('a', 60);
        const b = bucket('b', 6);
        await state.takeBuckets(
          [
            { bucket: a, amount: 60 },
            { bucket: b, amount: 6 },
          ],
          T0,
        );
        const refused = await state.takeBuckets(
          [
            { bucket: a, amount: 1 },
            { bucket: b, amount: 1 },
          ],
          T0,
        );
        expect(refused).toMatchObject({ ok: false, waitMs: 10_000, blockedIndex: 1 });
      });

      it('respects a per-take floor (the batch reserve)', async () => {
        const a = bucket('a', 100);
        await state.takeBuckets([{ bucket: a, amount: 70 }], T0);
        const refused = await state.takeBuckets([{ bucket: a, amount: 20, floor: 20 }], T0);
        expect(refused.ok).toBe(false);
        const taken = await state.takeBuckets([{ bucket: a, amount: 10, floor: 20 }], T0);
        expect(taken).toEqual({ ok: true, levels: [20] });
        expect((await state.takeBuckets([{ bucket: a, amount: 20 }], T0)).ok).toBe(true);
      });

      it('says Infinity when a take can never fit', async () => {
        const refused = await state.takeBuckets([{ bucket: bucket('a', 100), amount: 90, floor: 20 }], T0);
        expect(refused).toMatchObject({ ok: false, waitMs: Number.POSITIVE_INFINITY });
      });

      it('refunds and charges with adjustBuckets, never above capacity, possibly below zero', async () => {
        const a = bucket('a', 100);
        await state.takeBuckets([{ bucket: a, amount: 50 }], T0);
        expect(await state.adjustBuckets([{ bucket: a, delta: 20 }], T0)).toEqual([70]);
        expect(await state.adjustBuckets([{ bucket: a, delta: 500 }], T0)).toEqual([100]);
        expect(await state.adjustBuckets([{ bucket: a, delta: -130 }], T0)).toEqual([-30]);
        const refused = await state.takeBuckets([{ bucket: a, amount: 1 }], T0);
        expect(refused).toMatchObject({ ok: false, waitMs: 18_600 });
      });

      it('adjusts several buckets in one call', async () => {
        const a = bucket('a', 100);
        const b = bucket('b', 50);
        await state.takeBuckets(
          [
            { bucket: a, amount: 60 },
            { bucket: b, amount: 40 },
          ],
          T0,
        );
        expect(
          await state.adjustBuckets(
            [
              { bucket: a, delta: 10 },
              { bucket: b, delta: -5 },
            ],
            T0,
          ),
        ).toEqual([50, 5]);
        expect(await state.readBuckets([a, b], T0)).toEqual([50, 5]);
      });

      it('lowers to a reported remaining but never raises', async () => {
        const a = bucket('a', 100);
        const b = bucket('b', 100);
        expect(
          await state.lowerBuckets(
            [
              { bucket: a, level: 40 },
              { bucket: b, level: 150 },
            ],
            T0,
          ),
        ).toEqual([40, 100]);
        expect(await state.lowerBuckets([{ bucket: a, level: 90 }], T0)).toEqual([40]);
        expect(await state.readBuckets([a, b], T0)).toEqual([40, 100]);
      });

      it('caps a level at a capacity that was lowered since', async () => {
        await state.takeBuckets([{ bucket: bucket('a', 100), amount: 10 }], T0);
        expect(await state.readBuckets([bucket('a', 50)], T0 + 1)).toEqual([50]);
      });

      it('does not drain when a caller is behind in time', async () => {
        const a = bucket('a', 60);
        await state.takeBuckets([{ bucket: a, amount: 30 }], T0 + 10_000);
        expect(await state.readBuckets([a], T0)).toEqual([30]);
        expect(await state.takeBuckets([{ bucket: a, amount: 10 }], T0)).toEqual({ ok: true, levels: [20] });
        expect((await state.readBuckets([a], T0 + 11_000))[0]).toBeCloseTo(21, 6);
      });

      it('serialises concurrent takes: never more than the capacity in total', async () => {
        const a = bucket('a', 10, 0.000001);
        const results = await Promise.all(
          Array.from({ length: 25 }, () => state.takeBuckets([{ bucket: a, amount: 1 }], T0)),
        );
        expect(results.filter((r) => r.ok)).toHaveLength(10);
      });
    });

    describe('breaker records', () => {
      it('reads undefined for an unknown key', async () => {
        expect(await state.readBreaker(`${prefix}x`, T0)).toBeUndefined();
      });

      it('creates with expectedVersion 0 and reads back the record with its version', async () => {
        const written = await state.writeBreaker(`${prefix}x`, record(), 0, T0);
        expect(written.ok).toBe(true);
        const read = await state.readBreaker(`${prefix}x`, T0);
        expect(read).toEqual({ ...record(), version: written.ok ? written.version : -1 });
      });

      it('refuses a stale version and returns the winning record', async () => {
        const first = await state.writeBreaker(`${prefix}x`, record({ long: true, reason: 'long-open:auth' }), 0, T0);
        const stale = await state.writeBreaker(`${prefix}x`, record({ reason: 'probe-failed' }), 0, T0);
        expect(stale.ok).toBe(false);
        if (!stale.ok && first.ok)
          expect(stale.current).toMatchObject({ reason: 'long-open:auth', version: first.version });
      });

      it('accepts the current version and increases it', async () => {
        const first = await state.writeBreaker(`${prefix}x`, record(), 0, T0);
        if (!first.ok) throw new Error('first write refused');
        const second = await state.writeBreaker(`${prefix}x`, record({ openCount: 2 }), first.version, T0 + 1);
        expect(second.ok).toBe(true);
        if (second.ok) expect(second.version).toBeGreaterThan(first.version);
      });

      it('lets exactly one of two racing writers win', async () => {
        const base = await state.writeBreaker(`${prefix}x`, record(), 0, T0);
        if (!base.ok) throw new Error('base write refused');
        const [a, b] = await Promise.all([
          state.writeBreaker(`${prefix}x`, record({ reason: 'a' }), base.version, T0),
          state.writeBreaker(`${prefix}x`, record({ reason: 'b' }), base.version, T0),
        ]);
        expect([a.ok, b.ok].filter(Boolean)).toHaveLength(1);
      });

      it('expires a record at expiresAt, and a new record gets a larger version', async () => {
        const first = await state.writeBreaker(`${prefix}x`, record({ expiresAt: T0 + 1_000 }), 0, T0);
        expect(await state.readBreaker(`${prefix}x`, T0 + 999)).toBeDefined();
        expect(await state.readBreaker(`${prefix}x`, T0 + 1_000)).toBeUndefined();
        const second = await state.writeBreaker(
          `${prefix}x`,
          record({ updatedAt: T0 + 1_000, expiresAt: T0 + 9_000 }),
          0,
          T0 + 1_000,
        );
        expect(second.ok).toBe(true);
        if (first.ok && second.ok) expect(second.version).toBeGreaterThan(first.version);
      });

      it('keeps keys apart', async () => {
        await state.writeBreaker(`${prefix}x`, record(), 0, T0);
        expect(await state.readBreaker(`${prefix}y`, T0)).toBeUndefined();
      });
    });

    describe('cool-downs', () => {
      it('reads undefined for a provider that never cooled down', async () => {
        expect(await state.readCooldown(`${prefix}claude`, T0)).toBeUndefined();
      });

      it('stores a cool-down and reads it back until it passes', async () => {
        expect(await state.setCooldown(`${prefix}claude`, T0 + 5_000, T0)).toBe(T0 + 5_000);
        expect(await state.readCooldown(`${prefix}claude`, T0)).toBe(T0 + 5_000);
        expect(await state.readCooldown(`${prefix}claude`, T0 + 4_999)).toBe(T0 + 5_000);
        expect(await state.readCooldown(`${prefix}claude`, T0 + 5_000)).toBeUndefined();
      });

      it('keeps the later instant: a shorter cool-down never shortens a longer one', async () => {
        await state.setCooldown(`${prefix}claude`, T0 + 5_000, T0);
        expect(await state.setCooldown(`${prefix}claude`, T0 + 3_000, T0 + 1)).toBe(T0 + 5_000);
        expect(await state.readCooldown(`${prefix}claude`, T0 + 1)).toBe(T0 + 5_000);
        expect(await state.setCooldown(`${prefix}claude`, T0 + 8_000, T0 + 2)).toBe(T0 + 8_000);
        expect(await state.readCooldown(`${prefix}claude`, T0 + 2)).toBe(T0 + 8_000);
      });

      it('writes nothing for an instant already past, and starts afresh after one passed', async () => {
        expect(await state.setCooldown(`${prefix}claude`, T0 - 1, T0)).toBe(T0 - 1);
        expect(await state.readCooldown(`${prefix}claude`, T0)).toBeUndefined();
        await state.setCooldown(`${prefix}claude`, T0 + 1_000, T0);
        expect(await state.setCooldown(`${prefix}claude`, T0 + 1_500, T0 + 1_200)).toBe(T0 + 1_500);
      });

      it('keeps keys apart, and apart from breaker records', async () => {
        await state.setCooldown(`${prefix}claude`, T0 + 5_000, T0);
        expect(await state.readCooldown(`${prefix}gpt`, T0)).toBeUndefined();
        expect(await state.readBreaker(`${prefix}claude`, T0)).toBeUndefined();
      });

      it('refuses non-finite times with an error naming the method and key', async () => {
        await expect(state.setCooldown(`${prefix}claude`, Number.NaN, T0)).rejects.toThrow(
          /setCooldown\(".*claude"\).*NaN/,
        );
        await expect(state.setCooldown(`${prefix}claude`, Number.POSITIVE_INFINITY, T0)).rejects.toThrow(RangeError);
        await expect(state.readCooldown(`${prefix}claude`, Number.NaN)).rejects.toThrow(/readCooldown/);
      });

      it('tells watchers of a lengthened cool-down, and not of one that changed nothing (when it can watch)', async () => {
        if (state.watchCooldowns === undefined) return;
        const heard: Array<[string, number]> = [];
        const stop = state.watchCooldowns((key, untilMs) => {
          if (key.startsWith(prefix)) heard.push([key, untilMs]);
        });
        try {
          // A server-backed watch subscribes asynchronously: lengthen until the first message arrives.
          let until = T0 + 10_000;
          for (let i = 0; i < 100 && heard.length === 0; i++) {
            await state.setCooldown(`${prefix}claude`, ++until, T0);
            await sleepMs(20);
          }
          expect(heard.at(-1)).toEqual([`${prefix}claude`, until]);
          heard.length = 0;
          await state.setCooldown(`${prefix}claude`, T0 + 5_000, T0);
          await state.setCooldown(`${prefix}gpt`, T0 + 7_000, T0);
          for (let i = 0; i < 100 && heard.length === 0; i++) await sleepMs(10);
          expect(heard).toEqual([[`${prefix}gpt`, T0 + 7_000]]);
        } finally {
          stop();
        }
      });
    });
  });
}

function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
