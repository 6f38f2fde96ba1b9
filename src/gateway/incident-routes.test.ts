/**
 * What `failsoft serve` passes the gateway for its record: `/admin/incidents[/:id]` (admin auth, the CLI's
 * JSON), the `store` line of `/health/ready` (never failing readiness) and the `failsoft_store_*` metrics.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createFailsoft, type Failsoft } from '../engine/failsoft.js';
import { startGateway, type RunningGateway } from './gateway-server.js';
import type { AdminIncidentSource } from './admin-routes.js';
import type { GatewayStoreStatus } from './metrics.js';

const TOKEN = 'admin-token-for-tests';
const auth = { authorization: `Bearer ${TOKEN}` };
let ai: Failsoft;
let gateway: RunningGateway;

const incident = {
  id: 'inc_1',
  status: 'open',
  severity: 'warning',
  title: 't',
  openedAt: '2026-12-06T12:00:00.000Z',
  resolvedAt: null,
  counts: {},
  events: [],
};

async function start(options: {
  incidents?: AdminIncidentSource;
  storeStatus?: () => GatewayStoreStatus;
}): Promise<void> {
  ai = createFailsoft({ features: { billing: { tier: 'critical' } } }, { env: {} });
  gateway = await startGateway({ ai, port: 0, host: '127.0.0.1', adminToken: TOKEN, ...options });
}

afterEach(async () => {
  await gateway.close();
  await ai.close();
});

describe('/admin/incidents', () => {
  it('lists incidents since a duration (default 24h) and serves one by id, behind the admin token', async () => {
    const queries: Array<{ since?: number; limit?: number }> = [];
    await start({
      incidents: {
        list: async (query) => {
          queries.push(query);
          return [incident];
        },
        get: async (id) => (id === 'inc_1' ? incident : undefined),
      },
    });
    expect((await fetch(`${gateway.url}/admin/incidents`)).status).toBe(401);
    const before = Date.now();
    const list = await fetch(`${gateway.url}/admin/incidents`, { headers: auth });
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual({ incidents: [incident] });
    expect(queries[0]?.since).toBeGreaterThanOrEqual(before - 86_400_000 - 1_000);
    expect(queries[0]?.since).toBeLessThanOrEqual(Date.now() - 86_400_000);
    await fetch(`${gateway.url}/admin/incidents?since=30m&limit=5`, { headers: auth });
    expect(queries[1]?.limit).toBe(5);
    expect(Date.now() - (queries[1]?.since ?? 0)).toBeLessThan(31 * 60_000);

    const one = await fetch(`${gateway.url}/admin/incidents/inc_1`, { headers: auth });
    expect(await one.json()).toEqual(incident);
    const missing = await fetch(`${gateway.url}/admin/incidents/inc_2`, { headers: auth });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { message: 'no incident "inc_2"' } });
  });

  it('names a bad since or limit (400), refuses other methods (405), and answers 503 when the store cannot read', async () => {
    await start({
      incidents: {
        list: async () => {
          throw new Error('connection refused');
        },
        get: async () => undefined,
      },
    });
    const bad = await fetch(`${gateway.url}/admin/incidents?since=yesterday`, { headers: auth });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toBe(
      'since=yesterday: expected a duration like 30m, 24h or 7d',
    );
    expect((await fetch(`${gateway.url}/admin/incidents?limit=0`, { headers: auth })).status).toBe(400);
    expect((await fetch(`${gateway.url}/admin/incidents`, { method: 'POST', headers: auth })).status).toBe(405);
    const down = await fetch(`${gateway.url}/admin/incidents`, { headers: auth });
    expect(down.status).toBe(503);
    expect(((await down.json()) as { error: { message: string } }).error.message).toContain('connection refused');
  });

  it('says so when the gateway keeps no record', async () => {
    await start({});
    const res = await fetch(`${gateway.url}/admin/incidents`, { headers: auth });
    expect(res.status).toBe(404);
    expect(await fetch(`${gateway.url}/health/ready`).then((r) => r.json())).toEqual({ status: 'ready' });
  });
});

describe('the record store in /health/ready and /metrics', () => {
  it('reports a store that is away as buffering, stays ready, and exports buffered, dropped and connected', async () => {
    let status: GatewayStoreStatus = { backend: 'pglite', connected: true, buffered: 0, written: 10, dropped: 0 };
    await start({ storeStatus: () => status });
    expect(await fetch(`${gateway.url}/health/ready`).then((r) => r.json())).toEqual({
      status: 'ready',
      store: { backend: 'pglite', status: 'ok', connected: true, buffered: 0, dropped: 0 },
    });
    status = {
      backend: 'pglite',
      connected: false,
      buffered: 42,
      written: 10,
      dropped: 3,
      failingSince: Date.UTC(2026, 11, 6, 12),
      lastError: 'ECONNREFUSED',
    };
    const ready = await fetch(`${gateway.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      store: {
        backend: 'pglite',
        status: 'buffering',
        connected: false,
        buffered: 42,
        dropped: 3,
        failingSince: '2026-12-06T12:00:00.000Z',
        lastError: 'ECONNREFUSED',
      },
    });
    const metrics = await fetch(`${gateway.url}/metrics`).then((r) => r.text());
    expect(metrics).toContain('failsoft_store_records_buffered{backend="pglite"} 42');
    expect(metrics).toContain('failsoft_store_records_dropped_total{backend="pglite"} 3');
    expect(metrics).toContain('failsoft_store_connected{backend="pglite"} 0');
    status = { ...status, connected: true, buffered: 0, dropped: 5 };
    const again = await fetch(`${gateway.url}/metrics`).then((r) => r.text());
    expect(again).toContain('failsoft_store_records_dropped_total{backend="pglite"} 5');
    expect(again).toContain('failsoft_store_connected{backend="pglite"} 1');
  });
});
