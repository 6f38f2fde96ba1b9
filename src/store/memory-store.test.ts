import { describe, expect, it } from 'vitest';
import { MemoryStore } from './memory-store.js';
import { describeStoreConformance, sampleEvent } from './store.conformance.js';

describeStoreConformance('memory', async () => new MemoryStore());

describe('MemoryStore', () => {
  it('returns copies: mutating a read or a written record does not change the store', async () => {
    const store = new MemoryStore();
    const written = sampleEvent({ data: { n: 1 } });
    await store.appendEvents([written]);
    written.data.n = 2;
    const [read] = await store.listEvents({ from: 0 });
    if (read) read.data.n = 3;
    expect((await store.listEvents({ from: 0 }))[0]?.data).toEqual({ n: 1 });
  });

  it('refuses calls after close', async () => {
    const store = new MemoryStore();
    await store.close();
    await expect(store.listEvents({ from: 0 })).rejects.toThrow(/after close/);
  });
});
