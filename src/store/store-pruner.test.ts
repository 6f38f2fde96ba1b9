import { describe, expect, it } from 'vitest';
import { FakeClock } from '../model/fake-clock.js';
import { GatedStore } from './gated-store.js';
import { MemoryStore } from './memory-store.js';
import { sampleEvent } from './store.conformance.js';
import { startStorePruner } from './store-pruner.js';

const DAY = 86_400_000;

describe('startStorePruner', () => {
  it('prunes records older than retainDays a minute after start, then hourly; a failed run is logged and retried next hour', async () => {
    const clock = new FakeClock(100 * DAY);
    const store = new GatedStore(new MemoryStore());
    const logs: string[] = [];
    await store.appendEvents([sampleEvent({ at: 60 * DAY, type: 'old' }), sampleEvent({ at: 95 * DAY, type: 'kept' })]);
    const pruner = startStorePruner(store, {
      retainDays: 30,
      clock,
      log: (level, message) => logs.push(`${level} ${message}`),
    });
    await clock.advance(59_999);
    expect((await store.listEvents({ from: 0 })).map((e) => e.type)).toEqual(['old', 'kept']);
    await clock.advance(1);
    expect((await store.listEvents({ from: 0 })).map((e) => e.type)).toEqual(['kept']);
    expect(logs).toEqual(['info record store: pruned 1 records older than 30 days']);

    store.down = true;
    await clock.advance(3_600_000);
    expect(logs[1]).toMatch(/^warn record store: prune failed, tried again in 60 min/);
    store.down = false;
    await clock.advance(30 * DAY); // time passes: 'kept' is now older than 30 days
    expect(await store.listEvents({ from: 0 })).toEqual([]);
    pruner.stop();
    expect(clock.pendingSleeps).toBe(0);
  });
});
