import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../model/fake-clock.js';
import { IdleTrim, minorCollection, youngGenerationTrim } from './idle-trim.js';

/** A trim on a fake clock whose request count the test drives. */
function setUp(options: { quietRequests?: number; collect?: () => boolean } = {}) {
  const clock = new FakeClock(0);
  let served = 0;
  let collections = 0;
  const trim = new IdleTrim({
    clock,
    served: () => served,
    tickMs: 2_000,
    quietTicks: 3,
    quietRequests: options.quietRequests ?? 10,
    collect:
      options.collect ??
      (() => {
        collections++;
        return true;
      }),
  });
  return {
    clock,
    trim,
    serve: (n: number) => {
      served += n;
    },
    /** One tick of 2 s during which `n` requests arrive. */
    tick: async (n: number) => {
      served += n;
      await clock.advance(2_000);
    },
    get collections() {
      return collections;
    },
  };
}

describe('IdleTrim', () => {
  it('collects once after a busy tick followed by three quiet ones, and not again while it stays quiet', async () => {
    const t = setUp();
    t.trim.start();
    await t.tick(5_000);
    await t.tick(0);
    await t.tick(0);
    expect(t.collections).toBe(0);
    await t.tick(0);
    expect(t.collections).toBe(1);
    for (let i = 0; i < 10; i++) await t.tick(0);
    expect(t.collections).toBe(1);
    expect(t.trim.trims).toBe(1);
  });

  it('never collects under steady traffic, nor when nothing was ever busy', async () => {
    const busy = setUp();
    busy.trim.start();
    for (let i = 0; i < 20; i++) await busy.tick(100);
    expect(busy.collections).toBe(0);
    const idle = setUp();
    idle.trim.start();
    for (let i = 0; i < 20; i++) await idle.tick(0);
    expect(idle.collections).toBe(0);
  });

  it('counts a trickle at or below quietRequests per tick as quiet', async () => {
    const t = setUp({ quietRequests: 10 });
    t.trim.start();
    await t.tick(500);
    await t.tick(10);
    await t.tick(3);
    await t.tick(10);
    expect(t.collections).toBe(1);
  });

  it('starts the quiet count over when traffic returns, and trims again after the next busy spell', async () => {
    const t = setUp();
    t.trim.start();
    await t.tick(500);
    await t.tick(0);
    await t.tick(0);
    await t.tick(500); // busy again before the third quiet tick
    await t.tick(0);
    await t.tick(0);
    expect(t.collections).toBe(0);
    await t.tick(0);
    expect(t.collections).toBe(1);
    await t.tick(800);
    for (let i = 0; i < 3; i++) await t.tick(0);
    expect(t.collections).toBe(2);
  });

  it('does not count requests served before start as a busy spell', async () => {
    const t = setUp();
    t.serve(10_000);
    t.trim.start();
    for (let i = 0; i < 5; i++) await t.tick(0);
    expect(t.collections).toBe(0);
  });

  it('tries again on the next quiet ticks while a collection gives nothing back, up to maxTries', async () => {
    const results = [false, false, true];
    let calls = 0;
    const t = setUp({ collect: () => results[calls++] ?? true });
    t.trim.start();
    await t.tick(500);
    for (let i = 0; i < 3; i++) await t.tick(0);
    expect(calls).toBe(1);
    await t.tick(0);
    await t.tick(0);
    expect(calls).toBe(3); // the third one gave memory back
    for (let i = 0; i < 5; i++) await t.tick(0);
    expect(calls).toBe(3);

    let stubborn = 0;
    const u = setUp({
      collect: () => {
        stubborn++;
        return false;
      },
    });
    u.trim.start();
    await u.tick(500);
    for (let i = 0; i < 20; i++) await u.tick(0);
    expect(stubborn).toBe(5); // maxTries, then it waits for the next busy spell
    await u.tick(500);
    for (let i = 0; i < 20; i++) await u.tick(0);
    expect(stubborn).toBe(10);
  });

  it('keeps ticking when the collection throws', async () => {
    let calls = 0;
    const t = setUp({
      collect: () => {
        calls++;
        throw new Error('boom');
      },
    });
    t.trim.start();
    for (let round = 0; round < 2; round++) {
      await t.tick(500);
      for (let i = 0; i < 3; i++) await t.tick(0);
    }
    expect(calls).toBe(2);
  });

  it('stops: no timer is left and no collection runs after stop()', async () => {
    const t = setUp();
    t.trim.start();
    t.trim.start(); // idempotent: one timer
    expect(t.clock.pendingSleeps).toBe(1);
    await t.tick(500);
    t.trim.stop();
    expect(t.clock.pendingSleeps).toBe(0);
    for (let i = 0; i < 5; i++) await t.tick(0);
    expect(t.collections).toBe(0);
  });

  it('rejects nonsense settings', () => {
    const clock = new FakeClock(0);
    expect(() => new IdleTrim({ clock, served: () => 0, tickMs: 0, collect: () => true })).toThrow(/tickMs/);
    expect(() => new IdleTrim({ clock, served: () => 0, quietTicks: 0, collect: () => true })).toThrow(/quietTicks/);
    expect(() => new IdleTrim({ clock, served: () => 0, maxTries: 0, collect: () => true })).toThrow(/maxTries/);
  });
});

describe('minorCollection', () => {
  it('runs a real young-generation collection without exposing gc to user code or later contexts', () => {
    const hadGc = typeof (globalThis as { gc?: unknown }).gc === 'function';
    const collect = minorCollection();
    expect(() => collect()).not.toThrow();
    expect(typeof (globalThis as { gc?: unknown }).gc === 'function').toBe(hadGc);
    expect(runInNewContext('typeof gc')).toBe('undefined');
  });

  it('youngGenerationTrim says whether the young generation is small or shrank', () => {
    const trim = youngGenerationTrim();
    for (let i = 0; i < 5; i++) expect(typeof trim()).toBe('boolean');
  });
});
