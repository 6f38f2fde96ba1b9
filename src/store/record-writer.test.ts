import { describe, expect, it } from 'vitest';
import { FakeClock } from '../model/fake-clock.js';
import { GatedStore } from './gated-store.js';
import { MemoryStore } from './memory-store.js';
import type { EventRecord } from './records.js';
import { RecordWriter, type RecordWriterOptions } from './record-writer.js';
import type { RecordWriterStatus } from './store.js';
import { sampleAggregate, sampleEvent, sampleIncident } from './store.conformance.js';

async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

function setup(options: Partial<RecordWriterOptions> = {}) {
  const clock = new FakeClock(1_765_000_000_000);
  const memory = new MemoryStore();
  const store = new GatedStore(memory);
  const logs: Array<[string, string]> = [];
  const statuses: RecordWriterStatus[] = [];
  const writer = new RecordWriter(store, {
    backend: 'memory',
    clock,
    log: (level, message) => logs.push([level, message]),
    ...options,
  });
  writer.onStatusChange((s) => statuses.push(s));
  const event = (i: number): EventRecord => sampleEvent({ at: i, type: `e${i}` });
  const storedTypes = async (): Promise<string[]> =>
    (await memory.listEvents({ from: 0, limit: 100_000 })).map((e) => e.type);
  return { clock, memory, store, writer, logs, statuses, event, storedTypes };
}

describe('RecordWriter', () => {
  it('enqueues without writing, then flushes one batch in order after the interval', async () => {
    const { clock, store, writer, event, storedTypes } = setup();
    for (let i = 0; i < 3; i++) writer.appendEvent(event(i));
    await settle();
    expect(store.calls).toEqual([]);
    await clock.advance(249);
    expect(store.calls).toEqual([]);
    await clock.advance(1);
    await settle();
    expect(store.calls).toEqual([{ method: 'appendEvents', size: 3 }]);
    expect(await storedTypes()).toEqual(['e0', 'e1', 'e2']);
    expect(writer.status()).toMatchObject({ connected: true, buffered: 0, written: 3, dropped: 0 });
  });

  it('writes at once when a full batch waits, in batches of batchSize', async () => {
    const { store, writer, event, storedTypes } = setup({ batchSize: 4 });
    for (let i = 0; i < 10; i++) writer.appendEvent(event(i));
    await settle();
    expect(store.calls.map((c) => c.size)).toEqual([4, 4]);
    await writer.flush();
    expect(store.calls.map((c) => c.size)).toEqual([4, 4, 2]);
    expect(await storedTypes()).toEqual(Array.from({ length: 10 }, (_, i) => `e${i}`));
  });

  it('writes each kind with its own store call', async () => {
    const { store, writer, event, memory } = setup();
    writer.appendEvent(event(1));
    writer.upsertIncident(sampleIncident());
    writer.addAggregate(sampleAggregate());
    writer.appendEvent(event(2));
    await writer.flush();
    expect(store.calls.map((c) => [c.method, c.size])).toEqual([
      ['upsertIncidents', 1],
      ['appendEvents', 2],
      ['addAggregates', 1],
    ]);
    expect(await memory.listIncidents()).toHaveLength(1);
  });

  it('keeps records while the store rejects, retries with backoff, and flushes them in order when it returns', async () => {
    const { clock, store, writer, event, logs, statuses, storedTypes } = setup();
    store.down = true;
    const t0 = clock.now();
    for (let i = 0; i < 5; i++) writer.appendEvent(event(i));
    await clock.advance(250);
    expect(writer.status()).toMatchObject({
      connected: false,
      failingSince: t0 + 250,
      buffered: 5,
      written: 0,
      dropped: 0,
      lastError: 'store unavailable (appendEvents)',
    });
    expect(statuses.map((s) => s.connected)).toEqual([false]);
    for (let i = 5; i < 8; i++) writer.appendEvent(event(i));
    await clock.advance(250 + 500 + 1000); // retries at +250, +500, +1000 (doubling)
    store.down = false;
    await clock.advance(1999);
    expect(await storedTypes()).toEqual([]); // next retry is 2000 ms after the last one
    await clock.advance(1);
    await settle();
    expect(await storedTypes()).toEqual(Array.from({ length: 8 }, (_, i) => `e${i}`));
    expect(writer.status()).toEqual({
      backend: 'memory',
      connected: true,
      buffered: 0,
      written: 8,
      dropped: 0,
      rejected: 0,
    });
    expect(statuses.map((s) => s.connected)).toEqual([false, true]);
    expect(logs.map(([level]) => level)).toEqual(['warn', 'info']);
  });

  it('when the buffer is full, drops the OLDEST records, counts them exactly and logs the first drop of an outage once', async () => {
    const { clock, store, writer, event, logs, storedTypes } = setup({ bufferRecords: 10 });
    store.down = true;
    for (let i = 0; i < 4; i++) writer.appendEvent(event(i));
    await clock.advance(250); // the first flush fails: the outage starts
    for (let i = 4; i < 25; i++) writer.appendEvent(event(i));
    expect(writer.status()).toMatchObject({ buffered: 10, dropped: 15, connected: false });
    expect(logs.filter(([level]) => level === 'error')).toHaveLength(1);
    for (let i = 25; i < 30; i++) writer.appendEvent(event(i));
    expect(writer.status()).toMatchObject({ buffered: 10, dropped: 20 });
    expect(logs.filter(([level]) => level === 'error')).toHaveLength(1);
    store.down = false;
    await clock.advance(10_000);
    expect(await storedTypes()).toEqual(Array.from({ length: 10 }, (_, i) => `e${i + 20}`));
    const status = writer.status();
    expect(status.written + status.dropped).toBe(30);
    // a second outage logs its first drop again
    store.down = true;
    for (let i = 30; i < 42; i++) writer.appendEvent(event(i));
    await clock.advance(250);
    writer.appendEvent(event(42));
    expect(logs.filter(([level]) => level === 'error')).toHaveLength(2);
  });

  it('never drops a batch while its write is in flight; once it fails, the batch (oldest) goes first', async () => {
    const { clock, store, writer, event, storedTypes } = setup({ bufferRecords: 6, batchSize: 4 });
    store.hold();
    for (let i = 0; i < 4; i++) writer.appendEvent(event(i)); // a full batch: written at once, held
    await settle();
    for (let i = 4; i < 12; i++) writer.appendEvent(event(i)); // 8 waiting > 6: the 2 oldest waiting (e4, e5) go
    expect(writer.status()).toMatchObject({ buffered: 10, dropped: 2 });
    store.down = true;
    store.release();
    await settle(); // the batch failed: 4 + 6 > 6, so the batch's 4 records go (the oldest)
    expect(writer.status()).toMatchObject({ buffered: 6, dropped: 6, connected: false });
    store.down = false;
    await clock.advance(10_000);
    expect(await storedTypes()).toEqual(['e6', 'e7', 'e8', 'e9', 'e10', 'e11']);
    expect(writer.status()).toMatchObject({ written: 6, dropped: 6, buffered: 0 });
  });

  it('counts a batch whose write succeeded as written, even though the buffer overflowed meanwhile', async () => {
    const { store, writer, event, storedTypes } = setup({ bufferRecords: 4, batchSize: 4 });
    store.hold();
    for (let i = 0; i < 4; i++) writer.appendEvent(event(i));
    await settle();
    for (let i = 4; i < 10; i++) writer.appendEvent(event(i));
    store.release();
    await writer.flush();
    expect(await storedTypes()).toEqual(['e0', 'e1', 'e2', 'e3', 'e6', 'e7', 'e8', 'e9']);
    expect(writer.status()).toMatchObject({ written: 8, dropped: 2 });
  });

  it('retries only the part of a batch that failed (no duplicate events)', async () => {
    const { clock, store, writer, event, memory, storedTypes } = setup();
    store.failing.add('addAggregates');
    writer.appendEvent(event(1));
    writer.addAggregate(sampleAggregate({ count: 2 }));
    await clock.advance(250);
    expect(writer.status()).toMatchObject({ written: 1, buffered: 1, connected: false });
    store.failing.clear();
    await clock.advance(1_000);
    expect(await storedTypes()).toEqual(['e1']);
    expect((await memory.listAggregates({ from: 0 })).map((a) => a.count)).toEqual([2]);
  });

  it('a batch whose commit went through but whose answer was lost is not written twice when retried', async () => {
    const { clock, store, writer, event, memory, storedTypes } = setup();
    store.loseAnswers = true;
    writer.appendEvent(event(1));
    writer.addAggregate(sampleAggregate({ count: 2 }));
    await clock.advance(250);
    expect(writer.status()).toMatchObject({ connected: false, written: 0, buffered: 2 });
    store.loseAnswers = false;
    await clock.advance(1_000);
    expect(writer.status()).toMatchObject({ connected: true, written: 2, buffered: 0 });
    expect(await storedTypes()).toEqual(['e1']);
    expect((await memory.listAggregates({ from: 0 })).map((a) => a.count)).toEqual([2]);
  });

  it('sets a malformed record aside (counted as rejected, logged) and writes the rest', async () => {
    const { writer, event, logs, storedTypes } = setup();
    writer.appendEvent(event(1));
    writer.appendEvent({ ...event(2), severity: 'fatal' } as unknown as EventRecord);
    writer.appendEvent(event(3));
    await writer.flush();
    expect(await storedTypes()).toEqual(['e1', 'e3']);
    expect(writer.status()).toMatchObject({ written: 2, rejected: 1, connected: true });
    expect(logs.some(([level, m]) => level === 'error' && m.includes('appendEvents[0]: severity'))).toBe(true);
  });

  it('flush() resolves once everything enqueued before it is written', async () => {
    const { writer, event, storedTypes } = setup();
    for (let i = 0; i < 3; i++) writer.appendEvent(event(i));
    await writer.flush();
    expect(await storedTypes()).toEqual(['e0', 'e1', 'e2']);
    await writer.flush(); // nothing pending: resolves at once
  });

  it('close() flushes; with the store away it gives up after closeTimeoutMs and counts the rest as dropped', async () => {
    const ok = setup();
    ok.writer.appendEvent(ok.event(1));
    await ok.writer.close();
    expect(await ok.storedTypes()).toEqual(['e1']);
    ok.writer.appendEvent(ok.event(2));
    expect(ok.writer.status()).toMatchObject({ written: 1, dropped: 1 });

    const { clock, store, writer, event, logs } = setup({ closeTimeoutMs: 3_000 });
    store.down = true;
    for (let i = 0; i < 5; i++) writer.appendEvent(event(i));
    let closed = false;
    const closing = writer.close().then(() => {
      closed = true;
    });
    await clock.advance(2_999);
    expect(closed).toBe(false);
    await clock.advance(1);
    await closing;
    expect(writer.status()).toMatchObject({ written: 0, dropped: 5, buffered: 0 });
    expect(logs.some(([level, m]) => level === 'error' && m.includes('5 records not written at close'))).toBe(true);
    expect(clock.pendingSleeps).toBe(0);
  });

  it('enqueues in constant time (100 000 records while the store is away, bound 10 000)', async () => {
    const { store, writer, event } = setup();
    store.down = true;
    const start = performance.now();
    for (let i = 0; i < 100_000; i++) writer.appendEvent(event(i));
    expect(performance.now() - start).toBeLessThan(1_000);
    expect(writer.status()).toMatchObject({ buffered: 10_000, dropped: 90_000 });
  });
});
