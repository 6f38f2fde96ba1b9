/**
 * Events per second the store sustains through the RecordWriter (batches), on PGlite and on PostgreSQL,
 * against two baselines measured in the same run on the same store:
 * - `row per call`: one `appendEvents([event])` at a time (a transaction per record: what writing on the
 *   request path, or without a batching writer, would cost);
 * - `raw batches`: `appendEvents(batch of 500)` back to back (the store's ceiling for this batch size).
 * The writer figure is wall time from the first enqueue to `flush()` resolving, for N events enqueued as
 * fast as the loop allows (1 000 per macrotask), then the same with 1 aggregate per 10 events mixed in.
 * `enqueue µs` is the request side's cost: the time spent inside `appendEvent` calls.
 *
 * Each backend is measured `--rounds` times (default 3, interleaved) and every column shows the median:
 * on a shared 2-core box single runs swing by ±30 %.
 *
 * PostgreSQL from FAILSOFT_TEST_DATABASE_URL (a schema made for the run, dropped after), skipped with a
 * note without it. Usage: npx tsx bench/store.ts [--events 50000] [--rounds 3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuModel } from './bench-support.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { PgliteStore } from '../src/store/pglite-store.js';
import { openPostgresClient, PostgresStore } from '../src/store/postgres-store.js';
import type { EventRecord } from '../src/store/records.js';
import { RecordWriter } from '../src/store/record-writer.js';
import type { RecordWriterStatus, Store } from '../src/store/store.js';

const argEvents = process.argv.indexOf('--events');
const N = argEvents > 0 ? Number(process.argv[argEvents + 1]) : 50_000;
const argRounds = process.argv.indexOf('--rounds');
const ROUNDS = argRounds > 0 ? Number(process.argv[argRounds + 1]) : 3;
const ROW_PER_CALL = 2_000;
const T0 = Date.now();

function event(i: number): EventRecord {
  return {
    at: T0 + i,
    type: 'provider-opened',
    severity: 'warning',
    message: `claude/claude-sonnet-4-5 opened: consecutive-failures (${i})`,
    component: 'provider:claude/claude-sonnet-4-5',
    data: { reason: 'consecutive-failures', failures: 5, n: i },
    instance: 'bench',
  };
}

async function rowPerCall(store: Store): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < ROW_PER_CALL; i++) await store.appendEvents([event(i)]);
  return ROW_PER_CALL / ((performance.now() - start) / 1000);
}

async function rawBatches(store: Store): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < N; i += 500)
    await store.appendEvents(Array.from({ length: Math.min(500, N - i) }, (_, k) => event(i + k)));
  return N / ((performance.now() - start) / 1000);
}

async function throughWriter(
  store: Store,
  backend: RecordWriterStatus['backend'],
  aggregates: boolean,
): Promise<{ perSecond: number; enqueueUs: number; status: RecordWriterStatus }> {
  const writer = new RecordWriter(store, { backend, bufferRecords: N * 2 });
  const minute = T0 - (T0 % 60_000);
  let inEnqueue = 0;
  const start = performance.now();
  for (let i = 0; i < N; i += 1_000) {
    const t = performance.now();
    for (let k = i; k < Math.min(N, i + 1_000); k++) {
      writer.appendEvent(event(k));
      if (aggregates && k % 10 === 0)
        writer.addAggregate({
          minute,
          feature: 'summary',
          provider: 'claude/claude-sonnet-4-5',
          outcome: 'provider',
          count: 10,
          totalMs: 900,
          instance: 'bench',
        });
    }
    inEnqueue += performance.now() - t;
    await new Promise((resolve) => setImmediate(resolve));
  }
  await writer.flush();
  const seconds = (performance.now() - start) / 1000;
  const status = writer.status();
  await writer.close();
  return { perSecond: N / seconds, enqueueUs: (inEnqueue * 1000) / (aggregates ? N * 1.1 : N), status };
}

interface Row {
  backend: string;
  rowPerCall: number;
  raw: number;
  writer: number;
  mixed: number;
  enqueueUs: number;
  dropped: number;
}

async function measure(backend: RecordWriterStatus['backend'], open: (label: string) => Promise<Store>): Promise<Row> {
  const stores = await Promise.all(['row', 'raw', 'writer', 'mixed'].map(async (label) => open(label)));
  const [s1, s2, s3, s4] = stores as [Store, Store, Store, Store];
  const row = await rowPerCall(s1);
  const raw = await rawBatches(s2);
  const writer = await throughWriter(s3, backend, false);
  const mixed = await throughWriter(s4, backend, true);
  for (const s of stores) await s.close();
  return {
    backend,
    rowPerCall: row,
    raw,
    writer: writer.perSecond,
    mixed: mixed.perSecond,
    enqueueUs: writer.enqueueUs,
    dropped: writer.status.dropped + mixed.status.dropped,
  };
}

const url = process.env.FAILSOFT_TEST_DATABASE_URL?.trim();
let note = '';

async function round(): Promise<Row[]> {
  const rows: Row[] = [];
  rows.push(await measure('memory', async () => new MemoryStore()));

  // PGlite: one process per directory, so each measurement gets its own schema in one directory, opened in turn
  const dir = mkdtempSync(join(tmpdir(), 'failsoft-bench-store-'));
  try {
    const pglite = async (label: string): Promise<Store> => {
      const store = new PgliteStore({ dir, schema: `bench_${label}` });
      await store.migrate();
      await store.close();
      return new PgliteStore({ dir, schema: `bench_${label}` });
    };
    // measure() opens all four at once; PGlite takes one at a time, so measure step by step
    const one = async (label: string, fn: (store: Store) => Promise<number>): Promise<number> => {
      const store = await pglite(label);
      try {
        return await fn(store);
      } finally {
        await store.close();
      }
    };
    const row = await one('row', rowPerCall);
    const raw = await one('raw', rawBatches);
    let enqueueUs = 0;
    let dropped = 0;
    const writer = await one('writer', async (s) => {
      const r = await throughWriter(s, 'pglite', false);
      enqueueUs = r.enqueueUs;
      dropped += r.status.dropped;
      return r.perSecond;
    });
    const mixed = await one('mixed', async (s) => {
      const r = await throughWriter(s, 'pglite', true);
      dropped += r.status.dropped;
      return r.perSecond;
    });
    rows.push({ backend: 'pglite', rowPerCall: row, raw, writer, mixed, enqueueUs, dropped });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  if (url) {
    const schema = `fs_bench_${Date.now().toString(36)}`;
    try {
      rows.push(
        await measure('postgres', async (label) => {
          const store = new PostgresStore({ url, schema: `${schema}_${label}` });
          await store.migrate();
          return store;
        }),
      );
    } finally {
      const client = await openPostgresClient({ url });
      const { rows: schemas } = await client.query('select nspname from pg_namespace where nspname like $1', [
        `${schema}%`,
      ]);
      for (const s of schemas) await client.exec(`drop schema "${String(s.nspname)}" cascade`);
      await client.close();
    }
  } else {
    note =
      'PostgreSQL skipped: set FAILSOFT_TEST_DATABASE_URL (e.g. postgres://root@127.0.0.1:5432/test) to measure it.';
  }
  return rows;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

const rounds: Row[][] = [];
for (let r = 0; r < ROUNDS; r++) rounds.push(await round());
const rows: Row[] = (rounds[0] ?? []).map((first, i) => {
  const all = rounds.map((rs) => rs[i] ?? first);
  return {
    backend: first.backend,
    rowPerCall: median(all.map((x) => x.rowPerCall)),
    raw: median(all.map((x) => x.raw)),
    writer: median(all.map((x) => x.writer)),
    mixed: median(all.map((x) => x.mixed)),
    enqueueUs: median(all.map((x) => x.enqueueUs)),
    dropped: all.reduce((sum, x) => sum + x.dropped, 0),
  };
});

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
console.log(
  `store bench: ${N.toLocaleString('en-US')} events per writer run (row-per-call: ${ROW_PER_CALL}), median of ${ROUNDS} rounds; ${cpuModel()}; Node ${process.version}`,
);
console.log(
  '| backend | row per call ev/s | raw batches of 500 ev/s | RecordWriter ev/s | writer vs raw | writer vs row per call | writer + aggregates ev/s | enqueue µs | dropped |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.backend} | ${fmt(r.rowPerCall)} | ${fmt(r.raw)} | ${fmt(r.writer)} | ${(r.writer / r.raw).toFixed(2)} | ${(r.writer / r.rowPerCall).toFixed(1)}× | ${fmt(r.mixed)} | ${r.enqueueUs.toFixed(2)} | ${r.dropped} |`,
  );
}
if (note) console.log(note);
