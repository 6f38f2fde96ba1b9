import { afterEach, describe, expect, it } from 'vitest';
import type { SqlClient, SqlQueryable, SqlResult } from '../store/sql-client.js';
import { serveCoreApi, type CoreApi } from './core-api.js';

/** The three statements the core API runs, over an array (the PGlite path runs in the end-to-end demo test). */
function fakeDb(): SqlClient & { rows: Array<{ id: number; item: string }>; failing: boolean } {
  const rows: Array<{ id: number; item: string }> = [];
  const db = {
    rows,
    failing: false,
    async query(sql: string, params: readonly unknown[] = []): Promise<SqlResult> {
      if (db.failing) throw new Error('database is away');
      if (sql.startsWith('select 1')) return { rows: [{ '?column?': 1 }], rowCount: 1 };
      if (sql.startsWith('insert')) {
        rows.push({ id: rows.length + 1, item: String(params[0]) });
        return { rows: [{ id: rows.length }], rowCount: 1 };
      }
      const row = rows.find((r) => r.id === params[0]);
      return { rows: row ? [row] : [], rowCount: row ? 1 : 0 };
    },
    async exec(): Promise<void> {},
    transaction: <T>(fn: (tx: SqlQueryable) => Promise<T>) => fn(db),
    async close(): Promise<void> {},
  };
  return db;
}

const started: CoreApi[] = [];
afterEach(async () => {
  for (const api of started.splice(0)) await api.close();
});

async function serve(db: SqlClient): Promise<CoreApi> {
  const api = await serveCoreApi(db);
  started.push(api);
  return api;
}

describe('the demo core API', () => {
  it('writes an order, reads it back, and answers its health check without calling AI', async () => {
    const db = fakeDb();
    const core = await serve(db);
    const created = await fetch(`${core.url}/api/orders`, { method: 'POST', body: JSON.stringify({ item: 'tea' }) });
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ id: 1 });
    expect(await (await fetch(`${core.url}/api/orders/1`)).json()).toEqual({ id: 1, item: 'tea' });
    expect((await fetch(`${core.url}/health`)).status).toBe(200);
  });

  it('says what is wrong with a bad request, a missing order or an unknown route', async () => {
    const core = await serve(fakeDb());
    const bad = await fetch(`${core.url}/api/orders`, { method: 'POST', body: '{"item":""}' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'body: expected { "item": "<1 to 200 characters>" }' });
    const missing = await fetch(`${core.url}/api/orders/9`);
    expect([missing.status, await missing.json()]).toEqual([404, { error: 'order 9 not found' }]);
    const unknown = await fetch(`${core.url}/api/users`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toContain('no route GET /api/users');
  });

  it('a database error is a 500 naming it, and the health check fails with it', async () => {
    const db = fakeDb();
    const core = await serve(db);
    db.failing = true;
    const health = await fetch(`${core.url}/health`);
    expect([health.status, await health.json()]).toEqual([500, { error: 'database is away' }]);
  });
});
