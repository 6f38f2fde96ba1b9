import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventRecord, IncidentRecord, JobRunRecord, RequestAggregate, SwitchRecord } from './records.js';
import type { Store } from './store.js';
import { LATEST_SCHEMA_VERSION } from './store-queries.js';

/** Options for a backend that cannot do everything (the memory store has no concurrency to prove). */
export interface StoreConformanceOptions {
  /** Runs the "claimJobRun exactly once across several stores on one database" test with this factory of extra stores. */
  concurrentPeers?: (store: Store) => Promise<Store[]>;
}

const T0 = 1_765_000_000_000;

/** A valid event, overridable field by field. */
export function sampleEvent(over: Partial<EventRecord> = {}): EventRecord {
  return {
    at: T0,
    type: 'provider-opened',
    severity: 'warning',
    message: 'claude opened: consecutive-failures',
    component: 'provider:claude/claude-sonnet-4-5',
    data: { reason: 'consecutive-failures', nested: { n: 1 } },
    instance: 'i1',
    ...over,
  };
}

/** A valid incident, overridable field by field. */
export function sampleIncident(over: Partial<IncidentRecord> = {}): IncidentRecord {
  return {
    id: 'inc_1',
    status: 'open',
    severity: 'warning',
    title: 'claude overloaded',
    openedAt: T0,
    components: ['provider:claude/claude-sonnet-4-5'],
    counts: {
      servedBy: { 'openai/gpt-4o': 3 },
      fallback: 1,
      refused: 0,
      errorsByClass: { overloaded: 2 },
      modeMs: { summary: { fallback: 1200 } },
    },
    updatedAt: T0,
    instance: 'i1',
    ...over,
  };
}

/** A valid job run, overridable field by field. */
export function sampleJobRun(over: Partial<JobRunRecord> = {}): JobRunRecord {
  return { id: 'run_1', job: 'nightly', plannedAt: T0, status: 'planned', attempt: 1, instance: 'i1', ...over };
}

/** A valid switch state, overridable field by field. */
export function sampleSwitch(over: Partial<SwitchRecord> = {}): SwitchRecord {
  return { target: 'global', enabled: false, source: 'admin', at: T0, instance: 'i1', ...over };
}

/** A valid aggregate, overridable field by field. */
export function sampleAggregate(over: Partial<RequestAggregate> = {}): RequestAggregate {
  return {
    minute: T0 - (T0 % 60_000),
    feature: 'summary',
    provider: 'claude/claude-sonnet-4-5',
    outcome: 'provider',
    count: 1,
    totalMs: 100,
    instance: 'i1',
    ...over,
  };
}

/**
 * The ONE behaviour suite every `Store` must pass (memory, PGlite, PostgreSQL). `factory` returns a fresh,
 * empty, unmigrated store per test (the suite calls `migrate()`); the suite closes it after the test.
 * @example describeStoreConformance('memory', async () => new MemoryStore());
 */
export function describeStoreConformance(
  name: string,
  factory: () => Promise<Store>,
  options: StoreConformanceOptions = {},
): void {
  describe(`Store conformance: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory();
      await store.migrate();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('migrate', () => {
      it('returns the latest version, and again when run twice (idempotent)', async () => {
        expect(await store.migrate()).toBe(LATEST_SCHEMA_VERSION);
        expect(await store.migrate()).toBe(LATEST_SCHEMA_VERSION);
      });
    });

    describe('close', () => {
      it('is idempotent, and a call after it rejects saying so', async () => {
        await store.close();
        await store.close();
        await expect(store.listEvents({ from: 0 })).rejects.toThrow(/after close/);
        await expect(store.appendEvents([sampleEvent()])).rejects.toThrow(/after close/);
      });
    });

    describe('events', () => {
      it('appends and lists in time order with ascending seq, round-tripping every field', async () => {
        await store.appendEvents([
          sampleEvent({ at: T0 + 20, type: 'b' }),
          sampleEvent({ at: T0 + 10, type: 'a', incidentId: 'inc_1' }),
        ]);
        await store.appendEvents([sampleEvent({ at: T0 + 20, type: 'c' })]);
        const events = await store.listEvents({ from: T0 });
        expect(events.map((e) => e.type)).toEqual(['a', 'b', 'c']);
        const seqs = events.map((e) => e.seq);
        expect(seqs[1]).toBeLessThan(seqs[2] ?? 0);
        expect(seqs[0]).toBeGreaterThan(seqs[1] ?? 0);
        const { seq, ...rest } = events[0] ?? { ...sampleEvent(), seq: -1 };
        expect(typeof seq).toBe('number');
        expect(rest).toEqual(sampleEvent({ at: T0 + 10, type: 'a', incidentId: 'inc_1' }));
        expect('incidentId' in (events[1] ?? {})).toBe(false);
      });

      it('lists [from, to) and honours limit', async () => {
        await store.appendEvents([0, 1, 2, 3, 4].map((i) => sampleEvent({ at: T0 + i * 10, type: `e${i}` })));
        expect((await store.listEvents({ from: T0 + 10, to: T0 + 40 })).map((e) => e.type)).toEqual(['e1', 'e2', 'e3']);
        expect((await store.listEvents({ from: T0, limit: 2 })).map((e) => e.type)).toEqual(['e0', 'e1']);
      });

      it('keeps the order of a large batch', async () => {
        const batch = Array.from({ length: 600 }, (_, i) => sampleEvent({ at: T0, type: `e${i}` }));
        await store.appendEvents(batch);
        const events = await store.listEvents({ from: T0, limit: 1000 });
        expect(events.map((e) => e.type)).toEqual(batch.map((e) => e.type));
      });

      it('refuses a malformed batch whole, naming the record and field', async () => {
        const bad = { ...sampleEvent(), severity: 'fatal' } as unknown as EventRecord;
        await expect(store.appendEvents([sampleEvent({ type: 'ok' }), bad])).rejects.toThrow(
          /appendEvents\[1\]: severity/,
        );
        expect(await store.listEvents({ from: 0 })).toEqual([]);
      });
    });

    describe('incidents', () => {
      it('upserts by id (replace, not duplicate) and gets the incident with its events in time order', async () => {
        await store.upsertIncidents([sampleIncident()]);
        await store.upsertIncidents([
          sampleIncident({ status: 'resolved', resolvedAt: T0 + 500, updatedAt: T0 + 500, title: 'done' }),
        ]);
        await store.appendEvents([
          sampleEvent({ at: T0 + 30, type: 'late', incidentId: 'inc_1' }),
          sampleEvent({ at: T0 + 10, type: 'early', incidentId: 'inc_1' }),
          sampleEvent({ at: T0 + 20, type: 'other', incidentId: 'inc_2' }),
          sampleEvent({ at: T0 + 20, type: 'none' }),
        ]);
        const got = await store.getIncident('inc_1');
        expect(got?.incident).toEqual(
          sampleIncident({ status: 'resolved', resolvedAt: T0 + 500, updatedAt: T0 + 500, title: 'done' }),
        );
        expect(got?.events.map((e) => e.type)).toEqual(['early', 'late']);
        expect(await store.listIncidents()).toHaveLength(1);
        expect(await store.getIncident('nope')).toBeUndefined();
      });

      it('takes the last of several versions of one incident in a batch', async () => {
        await store.upsertIncidents([
          sampleIncident({ title: 'first' }),
          sampleIncident({ id: 'inc_2' }),
          sampleIncident({ title: 'last' }),
        ]);
        expect((await store.listIncidents()).map((i) => [i.id, i.title]).sort()).toEqual([
          ['inc_1', 'last'],
          ['inc_2', 'claude overloaded'],
        ]);
        await store.upsertJobRuns([sampleJobRun({ status: 'running' }), sampleJobRun({ status: 'succeeded' })]);
        expect((await store.listJobRuns({})).map((r) => r.status)).toEqual(['succeeded']);
      });

      it('lists newest first; since keeps later ones and every open one; limit applies', async () => {
        await store.upsertIncidents([
          sampleIncident({ id: 'a', openedAt: T0, status: 'resolved', resolvedAt: T0 + 1 }),
          sampleIncident({ id: 'b', openedAt: T0 + 100 }),
          sampleIncident({ id: 'c', openedAt: T0 + 200, status: 'resolved', resolvedAt: T0 + 300 }),
          sampleIncident({ id: 'old-open', openedAt: T0 - 1000 }),
        ]);
        expect((await store.listIncidents()).map((i) => i.id)).toEqual(['c', 'b', 'a', 'old-open']);
        expect((await store.listIncidents({ since: T0 + 50 })).map((i) => i.id)).toEqual(['c', 'b', 'old-open']);
        expect((await store.listIncidents({ limit: 2 })).map((i) => i.id)).toEqual(['c', 'b']);
      });
    });

    describe('retried batches', () => {
      it('skips a batch of events or aggregates written again with the same batchId (a retry after a lost answer)', async () => {
        const m = T0 - (T0 % 60_000);
        await store.appendEvents([sampleEvent({ type: 'once' })], { batchId: 'w1:1:event' });
        await store.appendEvents([sampleEvent({ type: 'once' })], { batchId: 'w1:1:event' });
        await store.addAggregates([sampleAggregate({ minute: m, count: 2 })], { batchId: 'w1:1:aggregate' });
        await store.addAggregates([sampleAggregate({ minute: m, count: 2 })], { batchId: 'w1:1:aggregate' });
        await Promise.all(
          [1, 2, 3].map(() =>
            store.addAggregates([sampleAggregate({ minute: m, count: 5 })], { batchId: 'w1:2:aggregate' }),
          ),
        );
        await store.appendEvents([sampleEvent({ type: 'twice' })]);
        await store.appendEvents([sampleEvent({ type: 'twice' })]);
        expect((await store.listEvents({ from: 0 })).map((e) => e.type)).toEqual(['once', 'twice', 'twice']);
        expect((await store.listAggregates({ from: m })).map((a) => a.count)).toEqual([7]);
      });
    });

    describe('job runs', () => {
      it('upserts by id and lists newest planned first, by job and since', async () => {
        await store.upsertJobRuns([
          sampleJobRun({ id: 'r1', plannedAt: T0 }),
          sampleJobRun({ id: 'r2', plannedAt: T0 + 10, job: 'other' }),
        ]);
        await store.upsertJobRuns([
          sampleJobRun({
            id: 'r1',
            plannedAt: T0,
            status: 'succeeded',
            startedAt: T0 + 1,
            finishedAt: T0 + 2,
            exitCode: 0,
            detail: 'ok',
          }),
        ]);
        await store.upsertJobRuns([sampleJobRun({ id: 'r3', plannedAt: T0 + 20 })]);
        const all = await store.listJobRuns({});
        expect(all.map((r) => r.id)).toEqual(['r3', 'r2', 'r1']);
        expect(all[2]).toEqual(
          sampleJobRun({
            id: 'r1',
            plannedAt: T0,
            status: 'succeeded',
            startedAt: T0 + 1,
            finishedAt: T0 + 2,
            exitCode: 0,
            detail: 'ok',
          }),
        );
        expect((await store.listJobRuns({ job: 'nightly' })).map((r) => r.id)).toEqual(['r3', 'r1']);
        expect((await store.listJobRuns({ since: T0 + 10 })).map((r) => r.id)).toEqual(['r3', 'r2']);
        expect((await store.listJobRuns({ limit: 1 })).map((r) => r.id)).toEqual(['r3']);
      });

      it('claims a run once: the second claim of the same id is refused and changes nothing', async () => {
        expect(await store.claimJobRun(sampleJobRun({ id: 'x' }))).toBe(true);
        expect(await store.claimJobRun(sampleJobRun({ id: 'x', instance: 'i2' }))).toBe(false);
        expect((await store.listJobRuns({})).map((r) => r.instance)).toEqual(['i1']);
      });

      it('updates a run only while its owner and lease are as expected; one of several takers of an expired lease wins', async () => {
        const running = sampleJobRun({ id: 'l', status: 'running', startedAt: T0, leaseUntil: T0 + 30_000 });
        expect(await store.claimJobRun(running)).toBe(true);
        const renewed = { ...running, leaseUntil: T0 + 60_000, stdoutTail: 'line 1\n', stderrTail: '' };
        expect(await store.updateJobRun(renewed, { instance: 'i1', leaseUntil: T0 + 30_000 })).toBe(true);
        expect(
          await store.updateJobRun(
            { ...running, leaseUntil: T0 + 90_000 },
            { instance: 'i1', leaseUntil: T0 + 30_000 },
          ),
        ).toBe(false);
        expect(await store.updateJobRun({ ...running, id: 'none' }, { instance: 'i1', leaseUntil: undefined })).toBe(
          false,
        );
        expect((await store.listJobRuns({}))[0]).toEqual(renewed);
        const takers = ['i2', 'i3', 'i4'].map((instance) =>
          store.updateJobRun({ ...renewed, instance, attempt: 2 }, { instance: 'i1', leaseUntil: T0 + 60_000 }),
        );
        expect((await Promise.all(takers)).filter(Boolean)).toHaveLength(1);
        expect(
          await store.updateJobRun({ ...renewed, status: 'succeeded' }, { instance: 'i1', leaseUntil: T0 + 60_000 }),
        ).toBe(false);
      });

      it('claims a run exactly once when many claims race', async () => {
        const peers = options.concurrentPeers ? await options.concurrentPeers(store) : [];
        const stores = [store, ...peers];
        try {
          const claims = Array.from({ length: 20 }, (_, i) => stores[i % stores.length] as Store).map((s, i) =>
            s.claimJobRun(sampleJobRun({ id: 'race', instance: `i${i}` })),
          );
          const won = (await Promise.all(claims)).filter(Boolean);
          expect(won).toHaveLength(1);
          expect(await store.listJobRuns({})).toHaveLength(1);
        } finally {
          await Promise.all(peers.map((p) => p.close()));
        }
      });
    });

    describe('switches', () => {
      it('returns the latest state per target (latest at; a tie goes to the later write)', async () => {
        await store.putSwitches([
          sampleSwitch({ target: 'summary', enabled: false, at: T0 + 10 }),
          sampleSwitch({ target: 'global', enabled: false, at: T0 }),
        ]);
        await store.putSwitches([sampleSwitch({ target: 'summary', enabled: true, at: T0 + 5 })]);
        await store.putSwitches([sampleSwitch({ target: 'global', enabled: true, at: T0, source: 'cli' })]);
        expect(await store.latestSwitches()).toEqual([
          sampleSwitch({ target: 'global', enabled: true, at: T0, source: 'cli' }),
          sampleSwitch({ target: 'summary', enabled: false, at: T0 + 10 }),
        ]);
      });
    });

    describe('aggregates', () => {
      it('adds up counts and durations for the same key, keeps other keys apart, lists [from, to)', async () => {
        const m = T0 - (T0 % 60_000);
        await store.addAggregates([
          sampleAggregate({ minute: m }),
          sampleAggregate({ minute: m, count: 2, totalMs: 50 }),
        ]);
        await store.addAggregates([
          sampleAggregate({ minute: m, count: 3, totalMs: 25 }),
          sampleAggregate({ minute: m, instance: 'i2' }),
        ]);
        await store.addAggregates([sampleAggregate({ minute: m + 60_000, outcome: 'fallback', provider: 'none' })]);
        const listed = await store.listAggregates({ from: m, to: m + 60_000 });
        expect(listed).toEqual([
          sampleAggregate({ minute: m, count: 6, totalMs: 175 }),
          sampleAggregate({ minute: m, instance: 'i2' }),
        ]);
        expect(await store.listAggregates({ from: m + 60_000 })).toHaveLength(1);
      });

      it('adds up under concurrent writers without losing a count', async () => {
        const m = T0 - (T0 % 60_000);
        await Promise.all(
          Array.from({ length: 10 }, () =>
            store.addAggregates([sampleAggregate({ minute: m, count: 1, totalMs: 10 })]),
          ),
        );
        expect(await store.listAggregates({ from: m })).toEqual([
          sampleAggregate({ minute: m, count: 10, totalMs: 100 }),
        ]);
      });

      it('refuses a minute that is not a minute start', async () => {
        await expect(store.addAggregates([sampleAggregate({ minute: 61_000 })])).rejects.toThrow(
          /addAggregates\[0\]: minute/,
        );
      });
    });

    describe('prune', () => {
      it('removes old resolved incidents with their events, finished runs, aggregates and superseded switches; keeps the rest', async () => {
        const cut = T0 + 1_000;
        await store.upsertIncidents([
          sampleIncident({ id: 'old', status: 'resolved', openedAt: T0, resolvedAt: T0 + 10 }),
          sampleIncident({ id: 'open', status: 'open', openedAt: T0 }),
          sampleIncident({ id: 'recent', status: 'resolved', openedAt: T0, resolvedAt: cut + 10 }),
        ]);
        await store.appendEvents([
          sampleEvent({ at: T0, incidentId: 'old', type: 'gone-1' }),
          sampleEvent({ at: T0, incidentId: 'open', type: 'kept-open' }),
          sampleEvent({ at: T0, incidentId: 'recent', type: 'kept-recent' }),
          sampleEvent({ at: T0, type: 'gone-2' }),
          sampleEvent({ at: cut, type: 'kept-new' }),
        ]);
        await store.upsertJobRuns([
          sampleJobRun({ id: 'done', status: 'succeeded', finishedAt: T0 + 5 }),
          sampleJobRun({ id: 'running', status: 'running', startedAt: T0 }),
          sampleJobRun({ id: 'fresh', status: 'failed', finishedAt: cut + 1 }),
        ]);
        const m = T0 - (T0 % 60_000);
        await store.addAggregates([sampleAggregate({ minute: m }), sampleAggregate({ minute: m + 60_000 * 60 })]);
        await store.putSwitches([
          sampleSwitch({ at: T0 }),
          sampleSwitch({ at: T0 + 1, enabled: true }),
          sampleSwitch({ target: 'summary', at: T0 }),
        ]);

        // events gone-1, gone-2 + incident old + run done + 1 aggregate + 1 superseded switch
        expect(await store.prune(cut)).toBe(6);
        expect((await store.listEvents({ from: 0 })).map((e) => e.type).sort()).toEqual([
          'kept-new',
          'kept-open',
          'kept-recent',
        ]);
        expect((await store.listIncidents()).map((i) => i.id).sort()).toEqual(['open', 'recent']);
        expect((await store.listJobRuns({})).map((r) => r.id).sort()).toEqual(['fresh', 'running']);
        expect(await store.listAggregates({ from: 0 })).toHaveLength(1);
        expect((await store.latestSwitches()).map((s) => [s.target, s.enabled])).toEqual([
          ['global', true],
          ['summary', false],
        ]);
        expect(await store.prune(cut)).toBe(0);
      });
    });
  });
}
