import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { GatedStore } from '../../src/store/gated-store.js';
import { PgliteStore } from '../../src/store/pglite-store.js';
import { openPostgresClient, PostgresStore } from '../../src/store/postgres-store.js';
import type { RecordWriterStatus, Store } from '../../src/store/store.js';
import { RecordWriter } from '../../src/store/record-writer.js';
import { sampleEvent } from '../../src/store/store.conformance.js';
import { describeWithPostgres, postgresUrl } from './services.js';
import { startCutProxy } from './cut-proxy.js';

/**
 * Emits `perTick` events every `tickMs` until `stop()`, each with a unique type (`e<n>`), timing every
 * enqueue (the request side's cost). Returns the count emitted and the slowest enqueue.
 */
function emitter(writer: RecordWriter, perTick: number, tickMs: number) {
  let emitted = 0;
  let slowestMs = 0;
  let totalMs = 0;
  const timer = setInterval(() => {
    for (let i = 0; i < perTick; i++) {
      const start = performance.now();
      writer.appendEvent(sampleEvent({ at: Date.now(), type: `e${emitted}`, data: { n: emitted } }));
      const took = performance.now() - start;
      slowestMs = Math.max(slowestMs, took);
      totalMs += took;
      emitted++;
    }
  }, tickMs);
  return {
    get emitted() {
      return emitted;
    },
    get slowestMs() {
      return slowestMs;
    },
    get meanMs() {
      return emitted === 0 ? 0 : totalMs / emitted;
    },
    stop: () => clearInterval(timer),
  };
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Flows records, fails the store for `outageMs`, restores it, and checks the accounting. */
async function outageRun(options: {
  writer: RecordWriter;
  fail: () => void;
  recover: () => void;
  count: () => Promise<{ rows: number; distinct: number; inOrder: boolean }>;
  outageMs: number;
  perTick: number;
}): Promise<{
  emitted: number;
  status: RecordWriterStatus;
  during: RecordWriterStatus;
  rows: number;
  distinct: number;
  inOrder: boolean;
  slowestMs: number;
  meanMs: number;
}> {
  const { writer } = options;
  const flow = emitter(writer, options.perTick, 5);
  await sleep(700);
  options.fail();
  await waitFor('the writer to see the outage', () => !writer.status().connected);
  await sleep(options.outageMs);
  const during = writer.status();
  options.recover();
  await sleep(700);
  flow.stop();
  await writer.flush();
  const status = writer.status();
  return {
    emitted: flow.emitted,
    status,
    during,
    ...(await options.count()),
    slowestMs: flow.slowestMs,
    meanMs: flow.meanMs,
  };
}

describeWithPostgres('the database cut under load (TCP proxy between the writer and PostgreSQL)', () => {
  const url = new URL(postgresUrl ?? 'postgres://127.0.0.1:5432/test');
  const run = `fs_outage_${Date.now().toString(36)}`;
  let n = 0;
  afterAll(async () => {
    const client = await openPostgresClient({ url: url.toString() });
    try {
      const { rows } = await client.query(`select nspname from pg_namespace where nspname like $1`, [`${run}%`]);
      for (const row of rows) await client.exec(`drop schema "${String(row.nspname)}" cascade`);
    } finally {
      await client.close();
    }
  });

  async function setup(bufferRecords: number, statementTimeoutMs?: number) {
    const proxy = await startCutProxy(url.hostname, Number(url.port || 5432));
    const proxied = new URL(url.toString());
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    const schema = `${run}_${n++}`;
    const store = new PostgresStore({
      url: proxied.toString(),
      schema,
      connectTimeoutMs: 1_000,
      ...(statementTimeoutMs === undefined ? {} : { statementTimeoutMs }),
    });
    await store.migrate();
    const writer = new RecordWriter(store, { backend: 'postgres', bufferRecords, maxRetryMs: 1_000 });
    const direct = await openPostgresClient({ url: url.toString() });
    const count = async () => {
      const { rows } = await direct.query(
        `select count(*) as rows, count(distinct type) as distinct from "${schema}".failsoft_events`,
      );
      // in order: by seq (write order), each event's emission number n only goes up
      const order =
        await direct.query(`select coalesce(bool_and(n > prev), true) as ok from (select (data->>'n')::int as n,
        lag((data->>'n')::int) over (order by seq) as prev from "${schema}".failsoft_events) s where prev is not null`);
      return { rows: Number(rows[0]?.rows), distinct: Number(rows[0]?.distinct), inOrder: order.rows[0]?.ok === true };
    };
    const close = async () => {
      await writer.close();
      await store.close();
      await direct.close();
      await proxy.close();
    };
    return { proxy, writer, count, close };
  }

  it('buffers while the database is cut, flushes in order when it returns: written == emitted, none dropped', async () => {
    const { proxy, writer, count, close } = await setup(10_000);
    try {
      const result = await outageRun({
        writer,
        fail: () => proxy.cut(),
        recover: () => proxy.restore(),
        count,
        outageMs: 3_000,
        perTick: 2,
      });
      expect(result.during.connected).toBe(false);
      expect(result.during.buffered).toBeGreaterThan(0);
      expect(result.status).toMatchObject({ connected: true, buffered: 0, dropped: 0, written: result.emitted });
      expect(result.rows).toBe(result.emitted);
      expect(result.distinct).toBe(result.emitted);
      expect(result.inOrder).toBe(true);
      expect(result.meanMs).toBeLessThan(0.1); // the request side's cost: an enqueue, outage or not
      console.log(
        `store outage (postgres, 3 s cut): emitted ${result.emitted}, written ${result.rows}, buffered at most ${result.during.buffered}, dropped 0, enqueue mean ${(result.meanMs * 1000).toFixed(1)} µs, slowest ${result.slowestMs.toFixed(2)} ms`,
      );
    } finally {
      await close();
    }
  }, 30_000);

  it('a partition that answers nothing (no resets): writes time out, records wait, all are written once it heals', async () => {
    const { proxy, writer, count, close } = await setup(10_000, 500);
    try {
      const result = await outageRun({
        writer,
        fail: () => proxy.stall(),
        recover: () => proxy.restore(),
        count,
        outageMs: 2_000,
        perTick: 2,
      });
      expect(result.during.connected).toBe(false);
      expect(result.status).toMatchObject({ connected: true, buffered: 0, dropped: 0 });
      // a batch whose commit went through just as the line went dead is retried under the same batch id: skipped
      expect(result.distinct).toBe(result.emitted);
      expect(result.rows).toBe(result.emitted);
      expect(result.inOrder).toBe(true);
      console.log(
        `store outage (postgres, 2 s silent partition): emitted ${result.emitted}, distinct written ${result.distinct}, rows ${result.rows}, lastError during: ${String(result.during.lastError)}`,
      );
    } finally {
      await close();
    }
  }, 40_000);

  it('with the buffer bound exceeded, counts the drops exactly and shows them in status()', async () => {
    const { proxy, writer, count, close } = await setup(200);
    try {
      const result = await outageRun({
        writer,
        fail: () => proxy.cut(),
        recover: () => proxy.restore(),
        count,
        outageMs: 2_000,
        perTick: 4,
      });
      expect(result.during.dropped).toBeGreaterThan(0);
      expect(result.status.dropped).toBeGreaterThan(0);
      expect(result.rows).toBe(result.status.written);
      expect(result.inOrder).toBe(true);
      expect(result.distinct).toBe(result.rows);
      expect(result.status.written + result.status.dropped).toBe(result.emitted);
      console.log(
        `store outage (postgres, 2 s cut, bound 200): emitted ${result.emitted}, written ${result.rows}, dropped ${result.status.dropped}`,
      );
    } finally {
      await close();
    }
  }, 30_000);
});

describe('the store failing under load (PGlite behind a store that rejects)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'failsoft-outage-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function setup(schema: string, bufferRecords: number) {
    const pglite = new PgliteStore({ dir, schema });
    await pglite.migrate();
    const gated = new GatedStore(pglite);
    const writer = new RecordWriter(gated as Store, { backend: 'pglite', bufferRecords, maxRetryMs: 1_000 });
    const count = async () => {
      const events = await pglite.listEvents({ from: 0, limit: 1_000_000 });
      const bySeq = [...events].sort((a, b) => a.seq - b.seq).map((e) => Number(e.data.n));
      return {
        rows: events.length,
        distinct: new Set(events.map((e) => e.type)).size,
        inOrder: bySeq.every((n, i) => i === 0 || n > (bySeq[i - 1] ?? 0)),
      };
    };
    return {
      gated,
      writer,
      count,
      close: async () => {
        await writer.close();
        await pglite.close();
      },
    };
  }

  it('buffers and flushes everything in order when the store answers again', async () => {
    const { gated, writer, count, close } = await setup('full', 10_000);
    try {
      const result = await outageRun({
        writer,
        fail: () => {
          gated.down = true;
        },
        recover: () => {
          gated.down = false;
        },
        count,
        outageMs: 2_000,
        perTick: 2,
      });
      expect(result.status).toMatchObject({ connected: true, buffered: 0, dropped: 0, written: result.emitted });
      expect(result.rows).toBe(result.emitted);
      expect(result.distinct).toBe(result.emitted);
      expect(result.inOrder).toBe(true);
    } finally {
      await close();
    }
  }, 30_000);

  it('with the bound exceeded, written + dropped == emitted and the rows are the written ones', async () => {
    const { gated, writer, count, close } = await setup('bounded', 200);
    try {
      const result = await outageRun({
        writer,
        fail: () => {
          gated.down = true;
        },
        recover: () => {
          gated.down = false;
        },
        count,
        outageMs: 2_000,
        perTick: 4,
      });
      expect(result.status.dropped).toBeGreaterThan(0);
      expect(result.rows).toBe(result.status.written);
      expect(result.inOrder).toBe(true);
      expect(result.status.written + result.status.dropped).toBe(result.emitted);
    } finally {
      await close();
    }
  }, 30_000);
});
