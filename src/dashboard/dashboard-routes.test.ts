/**
 * The dashboard's routes through a real gateway (scripted providers): the state's shape and words, who may read it,
 * the page's files, incident timelines, the jobs' plan.
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createFailsoft, type Failsoft } from '../engine/failsoft.js';
import type { AdminIncidentSource } from '../gateway/admin-routes.js';
import { startGateway, type RunningGateway } from '../gateway/gateway-server.js';
import type { FailsoftConfig } from '../engine/config/config-schema.js';
import { scriptedAdapter } from '../testing/scripted-adapter.js';
import type { JobRunRecord } from '../store/records.js';
import { createDashboard, type DashboardSource, type DashboardState } from './index.js';

const TOKEN = 'dashboard-unit-token';
let ai: Failsoft;
let gateway: RunningGateway;
let claudeFails = false;

const CONFIG: FailsoftConfig = {
  providers: { claude: { type: 'anthropic', apiKey: 'k', limits: { rpm: 100 } } },
  features: {
    summary: { tier: 'enhanced', route: ['claude/sonnet'], fallback: { leadSentences: 1 } },
    chat: { tier: 'ai-only', route: ['claude/sonnet'] },
    billing: { tier: 'critical' },
  },
  policies: { breaker: { consecutiveFailures: 100 }, modes: { settleMs: 0 } },
  jobs: {
    digest: {
      schedule: '0 9 * * *',
      tz: 'UTC',
      command: ['true'],
      ai: { provider: 'claude', requests: 400, minutes: 5 },
    },
  },
};

async function start(source: Partial<DashboardSource> = {}, gatewayToken?: string): Promise<void> {
  const claude = scriptedAdapter(
    'claude',
    () => (claudeFails ? { fail: 'server_error', status: 500 } : { text: 'ok' }),
    'anthropic',
  );
  ai = createFailsoft(CONFIG, { env: {}, adapters: { claude } });
  const pages = createDashboard({ ai, host: '127.0.0.1', env: {}, ...source });
  gateway = await startGateway({
    ai,
    port: 0,
    host: '127.0.0.1',
    pages,
    metrics: false,
    env: {},
    ...(gatewayToken === undefined ? {} : { adminToken: gatewayToken }),
  });
}

async function state(headers: Record<string, string> = {}): Promise<DashboardState> {
  const res = await fetch(`${gateway.url}/dashboard/state`, { headers });
  expect(res.status).toBe(200);
  return (await res.json()) as DashboardState;
}

/** A GET with the Host header given (fetch does not let a caller set Host): status and body. */
function getWithHost(path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: gateway.host, port: gateway.port, path, headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

afterEach(async () => {
  claudeFails = false;
  await gateway?.close();
  await ai?.close();
});

describe('GET /dashboard/state', () => {
  it('holds providers, features, switches, core, jobs and incidents, with the words users are told', async () => {
    const incidents: AdminIncidentSource = {
      list: async () => [
        { id: 'inc_old', status: 'resolved' },
        { id: 'inc_now', status: 'open' },
      ],
      get: async () => undefined,
    };
    await start({
      incidents,
      readiness: () => ({ ready: true, checks: [{ name: 'db', status: 'ok', detail: 'ok' }] }),
    });
    const calm = await state();
    expect(calm.status).toEqual({ level: 'ok', headline: 'AI OK; core OK' });
    expect(calm.core).toEqual({
      checked: true,
      ready: true,
      checks: [{ name: 'db', status: 'ok', detail: 'ok', failingSince: null }],
    });
    expect(calm.providers).toEqual([
      expect.objectContaining({
        name: 'claude',
        type: 'anthropic',
        state: 'closed',
        level: 'ok',
        words: 'healthy',
        coolingDownMs: 0,
        budget: [{ dimension: 'requests', limit: 100, used: 0, share: 0 }],
      }),
    ]);
    expect(calm.features.map((f) => [f.name, f.mode, f.switchable, f.words])).toEqual([
      ['summary', 'normal', true, 'served as configured'],
      ['chat', 'normal', true, 'served as configured'],
      ['billing', 'normal', false, 'served as configured'],
    ]);
    expect(calm.switches).toEqual({ aiEnabled: true, disabledFeatures: [] });
    expect(calm.incidents).toEqual({
      available: true,
      list: [
        { id: 'inc_now', status: 'open' },
        { id: 'inc_old', status: 'resolved' },
      ],
    });
    expect(calm.writes).toBe('none');
    expect(calm.jobs.jobs).toEqual([
      expect.objectContaining({ name: 'digest', schedule: '0 9 * * *', provider: 'claude', lastRun: null }),
    ]);
    expect(Date.parse(calm.jobs.jobs[0]?.nextRun ?? '')).toBeGreaterThan(Date.now());

    claudeFails = true;
    await ai.generate('summary', { messages: [{ role: 'user', content: 'One. Two.' }] });
    const degraded = await state();
    expect(degraded.status).toEqual({ level: 'degraded', headline: 'summary is serving fallbacks; core OK' });
    expect(degraded.features[0]).toMatchObject({
      name: 'summary',
      mode: 'fallback',
      level: 'degraded',
      words: 'summary is serving fallbacks',
    });
    expect(degraded.providers[0]?.models[0]).toMatchObject({
      model: 'sonnet',
      errorRate: 1,
      lastError: expect.stringContaining('server_error'),
    });
  });

  it('is red while a core check fails, and when the readiness cannot be read', async () => {
    let throws = false;
    const readiness = () => {
      if (throws) throw new Error('monitor gone');
      return {
        ready: false,
        checks: [
          { name: 'db', status: 'critical', detail: 'connection refused', failingSince: '2026-12-06T12:00:00.000Z' },
        ],
      };
    };
    await start({ readiness });
    expect((await state()).status).toEqual({
      level: 'critical',
      headline: 'AI OK; core FAILING: db (connection refused)',
    });
    throws = true;
    expect((await state()).status).toEqual({
      level: 'critical',
      headline: 'AI OK; core FAILING: readiness (cannot read the core checks: monitor gone)',
    });
  });

  it('says when there is no record, or the record cannot answer', async () => {
    await start();
    expect((await state()).incidents).toEqual({
      available: false,
      error: 'this gateway keeps no incident record',
      list: [],
    });
    await gateway.close();
    await ai.close();
    await start({
      incidents: {
        list: async () => {
          throw new Error('db away');
        },
        get: async () => undefined,
      },
    });
    expect((await state()).incidents).toEqual({
      available: false,
      error: 'the record store cannot answer: db away',
      list: [],
    });
  });

  it("shows each job's last stored run", async () => {
    const run: JobRunRecord = {
      id: 'digest@x',
      job: 'digest',
      plannedAt: Date.UTC(2026, 11, 6, 9),
      finishedAt: Date.UTC(2026, 11, 6, 9, 3),
      status: 'failed',
      attempt: 2,
      detail: 'exit code 1',
      instance: 'a',
    };
    await start({ jobRuns: { listJobRuns: async (query) => (query.job === 'digest' ? [run] : []) } });
    expect((await state()).jobs.jobs[0]?.lastRun).toEqual({
      status: 'failed',
      plannedAt: '2026-12-06T09:00:00.000Z',
      finishedAt: '2026-12-06T09:03:00.000Z',
      attempt: 2,
      detail: 'exit code 1',
    });
  });
});

describe('who may read', () => {
  it('without a token on loopback: open, but only to requests addressed to a loopback name (no DNS rebinding)', async () => {
    await start();
    expect((await fetch(`${gateway.url}/dashboard/state`)).status).toBe(200);
    const rebound = await getWithHost('/dashboard/state', 'attacker.example:8787');
    expect(rebound.status).toBe(403);
    expect(rebound.body).toContain('loopback name');
    expect((await getWithHost('/dashboard/state', 'localhost:8787')).status).toBe(200);
    expect((await getWithHost('/dashboard/state', '[::1]:8787')).status).toBe(200);
    // The page holds no data: it is served whatever the Host.
    expect((await getWithHost('/', 'attacker.example')).status).toBe(200);
  });

  it('with a token: the bearer token, 401 without it, 429 after ten wrong ones; the switches are writable', async () => {
    await start({ adminToken: TOKEN }, TOKEN);
    expect((await fetch(`${gateway.url}/dashboard/state`)).status).toBe(401);
    expect((await state({ authorization: `Bearer ${TOKEN}` })).writes).toBe('token');
    for (let i = 0; i < 10; i++)
      expect(
        (await fetch(`${gateway.url}/dashboard/plan`, { headers: { authorization: 'Bearer wrong' } })).status,
      ).toBe(401);
    const blocked = await fetch(`${gateway.url}/dashboard/state`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('reads FAILSOFT_ADMIN_TOKEN from env when no token is given, as the gateway does', async () => {
    await start({ env: { FAILSOFT_ADMIN_TOKEN: TOKEN } }, TOKEN);
    expect((await fetch(`${gateway.url}/dashboard/state`)).status).toBe(401);
    expect((await state({ authorization: `Bearer ${TOKEN}` })).writes).toBe('token');
  });

  it('without a token on another interface: 403, as the admin routes', async () => {
    await start({ host: '0.0.0.0' });
    const res = await fetch(`${gateway.url}/dashboard/state`);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
      'FAILSOFT_ADMIN_TOKEN is not set',
    );
  });

  it('refuses a blank token at start, naming it', () => {
    expect(() =>
      createDashboard({ ai: createFailsoft({ features: {} }, { env: {} }), host: '127.0.0.1', adminToken: '  ' }),
    ).toThrow(/FAILSOFT_ADMIN_TOKEN.*blank/);
  });
});

describe('the page and the other reads', () => {
  it('serves the page and its files to anyone (no data in them), locked to its own origin', async () => {
    await start({ adminToken: TOKEN }, TOKEN);
    for (const [path, type] of [
      ['/', 'text/html'],
      ['/dashboard', 'text/html'],
      ['/dashboard/', 'text/html'],
      ['/dashboard/app.js', 'text/javascript'],
      ['/dashboard/render.js', 'text/javascript'],
      ['/dashboard/chart.js', 'text/javascript'],
      ['/dashboard/style.css', 'text/css'],
      ['/dashboard/uplot.css', 'text/css'],
    ] as const) {
      const res = await fetch(`${gateway.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toContain(type);
      expect(res.headers.get('content-security-policy'), path).toContain("default-src 'self'");
    }
    const uplot = await (await fetch(`${gateway.url}/dashboard/uplot.js`)).text();
    expect(uplot).toContain('uPlot');
    expect(uplot.length).toBeGreaterThan(10_000);
    expect((await fetch(`${gateway.url}/dashboard/state`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${gateway.url}/v1/unknown`)).status).toBe(404);
  });

  it("serves an incident's timeline: 404 for none, 503 when the record cannot answer", async () => {
    const detail = {
      id: 'inc_1',
      status: 'open',
      events: [{ at: '2026-12-06T12:00:00.000Z', message: 'claude opened' }],
    };
    await start({
      incidents: {
        list: async () => [],
        get: async (id) => {
          if (id === 'boom') throw new Error('db away');
          return id === 'inc_1' ? detail : undefined;
        },
      },
    });
    expect(await (await fetch(`${gateway.url}/dashboard/incidents/inc_1`)).json()).toEqual(detail);
    expect((await fetch(`${gateway.url}/dashboard/incidents/inc_2`)).status).toBe(404);
    expect((await fetch(`${gateway.url}/dashboard/incidents/boom`)).status).toBe(503);
    expect((await fetch(`${gateway.url}/dashboard/incidents/%E0%A4%A`)).status).toBe(400);
  });

  it("serves today's planned load per provider against its budget", async () => {
    await start();
    const plan = (await (await fetch(`${gateway.url}/dashboard/plan`)).json()) as {
      day: string;
      providers: Array<{
        provider: string;
        dimension: string;
        limit: number;
        usable: number;
        perMinute: number[];
        peak: number;
      }>;
    };
    const today = new Date();
    expect(plan.day).toBe(
      new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate())).toISOString(),
    );
    expect(plan.providers).toHaveLength(1);
    const claude = plan.providers[0];
    expect(claude).toMatchObject({ provider: 'claude', dimension: 'rpm', limit: 100, usable: 80, peak: 80 });
    expect(claude?.perMinute).toHaveLength(1440);
    // 400 requests over 5 minutes is 80 a minute: the job fits its usable budget from 09:00.
    expect(claude?.perMinute.slice(540, 545)).toEqual([80, 80, 80, 80, 80]);
    expect(claude?.perMinute.reduce((a, b) => a + b, 0)).toBe(400);
  });
});
