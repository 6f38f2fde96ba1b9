/**
 * `/admin/*` driven with plain fetch against a gateway on 127.0.0.1 with the simulator upstream.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFailsoft, type Failsoft } from '../engine/failsoft.js';
import type { FailsoftEvent } from '../engine/events.js';
import type { FailsoftConfig } from '../engine/config/config-schema.js';
import { ConfigError } from '../model/errors.js';
import { FakeClock } from '../model/fake-clock.js';
import { startSimulator, type RunningSimulator } from '../sim/start-simulator.js';
import { AdminRoutes, isLoopbackHost } from './admin-routes.js';
import { startGateway, type RunningGateway } from './gateway-server.js';

const TOKEN = 'admin-token-for-tests';
let sim: RunningSimulator;
let ai: Failsoft;
let gateway: RunningGateway;
let events: FailsoftEvent[];

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
});
afterAll(async () => {
  await sim.close();
});

function config(): FailsoftConfig {
  return {
    providers: {
      claude: { type: 'anthropic', baseUrl: sim.urlFor('anthropic'), apiKey: 'sk-ant-sim' },
      gpt: { type: 'openai', baseUrl: sim.urlFor('openai'), apiKey: 'sk-sim' },
    },
    features: {
      summary: {
        tier: 'enhanced',
        route: ['claude/claude-sonnet-4-5', 'gpt/gpt-4o-mini'],
        fallback: { text: 'Summary unavailable' },
        maxRetries: 0,
      },
      chat: { tier: 'ai-only', route: ['claude/claude-sonnet-4-5', 'gpt/gpt-4o'], maxRetries: 0 },
      billing: { tier: 'critical' },
    },
  };
}

beforeEach(async () => {
  sim.clearFaults();
  ai = createFailsoft(config(), { env: {} });
  events = [];
  ai.on('*', (e) => events.push(e));
  gateway = await startGateway({ ai, port: 0, host: '127.0.0.1', adminToken: TOKEN });
});
afterEach(async () => {
  await gateway.close();
  await ai.close();
});

function admin(path: string, init: { method?: string; body?: unknown; token?: string | null } = {}): Promise<Response> {
  const token = init.token === undefined ? TOKEN : init.token;
  return fetch(`${gateway.url}/admin/${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
  });
}

async function chat(feature: string): Promise<Response> {
  return fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: feature, messages: [{ role: 'user', content: 'Summarize:\nA. B.' }] }),
  });
}

describe('admin routes: the token', () => {
  it('refuses a missing or wrong token with 401, accepts the right one', async () => {
    const none = await admin('state', { token: null });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await admin('state', { token: `${TOKEN}x` })).status).toBe(401);
    expect((await admin('state', { token: TOKEN.slice(0, -1) })).status).toBe(401);
    expect((await admin('switches/global', { body: { enabled: false }, token: 'nope' })).status).toBe(401);
    expect(ai.switches.aiEnabled).toBe(true);
    expect((await admin('state')).status).toBe(200);
  });

  it('reads FAILSOFT_ADMIN_TOKEN from the environment when no token option is given', async () => {
    const other = await startGateway({ ai, port: 0, host: '127.0.0.1', env: { FAILSOFT_ADMIN_TOKEN: 'from-env' } });
    try {
      expect((await fetch(`${other.url}/admin/state`)).status).toBe(401);
      expect((await fetch(`${other.url}/admin/state`, { headers: { authorization: 'Bearer from-env' } })).status).toBe(
        200,
      );
    } finally {
      await other.close();
    }
  });

  it('without a token: served on a loopback host', async () => {
    const logged: string[] = [];
    const open = await startGateway({ ai, port: 0, host: '127.0.0.1', env: {}, log: (l) => logged.push(l) });
    try {
      expect((await fetch(`${open.url}/admin/state`)).status).toBe(200);
      expect(logged).toEqual([]);
    } finally {
      await open.close();
    }
  });

  it('without a token on loopback: a request from a browser page (Origin or Sec-Fetch-Site) is refused, curl-like requests are not', async () => {
    const open = await startGateway({ ai, port: 0, host: '127.0.0.1', env: {} });
    try {
      const post = (headers: Record<string, string>): Promise<Response> =>
        fetch(`${open.url}/admin/switches/global`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain', ...headers },
          body: JSON.stringify({ enabled: false }),
        });
      expect((await post({ origin: 'http://evil.example' })).status).toBe(403);
      expect((await post({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
      expect(ai.switches.aiEnabled).toBe(true);
      expect((await post({})).status).toBe(200);
      expect(ai.switches.aiEnabled).toBe(false);
    } finally {
      await open.close();
    }
  });

  it('without a token on a non-loopback host: every admin route answers 403, and there is a start-up warning', async () => {
    const routes = new AdminRoutes(ai, { token: undefined, host: '0.0.0.0' });
    expect(routes.access).toBe('refused');
    expect(routes.warning).toMatch(/FAILSOFT_ADMIN_TOKEN is not set.*403/);
    // Driven through a server on 127.0.0.1: the decision depends on the configured host, not the caller.
    const server: Server = createServer(
      (req, res) => void routes.handle(req, res, req.url ?? '/', req.method ?? 'GET'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect((await fetch(`${url}/admin/state`)).status).toBe(403);
      expect((await fetch(`${url}/admin/switches/global`, { method: 'POST', body: '{"enabled":false}' })).status).toBe(
        403,
      );
      expect(ai.switches.aiEnabled).toBe(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('knows which hosts are loopback', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])
      expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', 'example.com', '::ffff:10.0.0.1'])
      expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('admin routes: state and changes', () => {
  it('GET /admin/state returns health and switches', async () => {
    const res = await admin('state');
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as {
      health: { status: string; providers: Record<string, unknown> };
      switches: { aiEnabled: boolean; disabledFeatures: string[] };
    };
    expect(body.health.status).toBe('ok');
    expect(Object.keys(body.health.providers)).toEqual(['claude', 'gpt']);
    expect(body.switches).toEqual({ aiEnabled: true, disabledFeatures: [] });
  });

  it('the global switch takes effect on the next request and is an event', async () => {
    const off = await admin('switches/global', { body: { enabled: false } });
    expect(off.status).toBe(200);
    expect(await off.json()).toEqual({ switches: { aiEnabled: false, disabledFeatures: [] } });
    expect(events.filter((e) => e.type === 'switch-changed')).toMatchObject([
      { target: 'global', enabled: false, source: 'admin' },
    ]);
    const fallback = await chat('summary');
    expect(fallback.status).toBe(200);
    expect(fallback.headers.get('x-failsoft-source')).toBe('fallback');
    const refused = await chat('chat');
    expect(refused.status).toBe(503);
    expect(JSON.stringify(await refused.json())).toContain('AI is switched off (switched off through admin)');
    expect((await admin('switches/global', { body: { enabled: true } })).status).toBe(200);
    expect((await chat('chat')).status).toBe(200);
  });

  it('a feature switch turns only that feature off, and back on', async () => {
    expect((await admin('switches/features/summary', { body: { enabled: false } })).status).toBe(200);
    expect(events.filter((e) => e.type === 'switch-changed')).toMatchObject([
      { target: 'summary', enabled: false, source: 'admin' },
    ]);
    expect((await chat('summary')).headers.get('x-failsoft-source')).toBe('fallback');
    expect((await chat('chat')).headers.get('x-failsoft-source')).toBe('provider');
    const state = (await (await admin('state')).json()) as { switches: { disabledFeatures: string[] } };
    expect(state.switches.disabledFeatures).toEqual(['summary']);
    expect((await admin('switches/features/summary', { body: { enabled: true } })).status).toBe(200);
    expect((await chat('summary')).headers.get('x-failsoft-source')).toBe('provider');
  });

  it('forcing a provider open moves traffic to the next one at once; closing brings it back; both are events', async () => {
    const opened = await admin('providers/claude/open', { method: 'POST' });
    expect(opened.status).toBe(200);
    expect(await opened.json()).toMatchObject({ provider: 'claude', state: 'open' });
    expect(events.some((e) => e.type === 'provider-opened' && e.provider === 'claude')).toBe(true);
    expect((await chat('chat')).headers.get('x-failsoft-provider')).toBe('gpt');
    expect((await admin('providers/claude/close', { method: 'POST' })).status).toBe(200);
    expect(events.some((e) => e.type === 'provider-closed' && e.provider === 'claude')).toBe(true);
    expect((await chat('chat')).headers.get('x-failsoft-provider')).toBe('claude');
  });

  it("forcing one model open leaves the provider's other models alone", async () => {
    const res = await admin('providers/gpt/open', { body: { model: 'gpt-4o' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      provider: 'gpt',
      model: 'gpt-4o',
      state: 'open',
      models: { 'gpt-4o': { state: 'open' }, 'gpt-4o-mini': { state: 'closed' } },
    });
  });

  it('names what is wrong: unknown feature, provider or model 404, bad bodies 400, wrong method 405, unknown route 404', async () => {
    expect((await admin('switches/features/nope', { body: { enabled: false } })).status).toBe(404);
    expect((await admin('switches/features/billing', { body: { enabled: false } })).status).toBe(400);
    expect((await admin('providers/nope/open', { method: 'POST' })).status).toBe(404);
    expect((await admin('providers/claude/open', { body: { model: 'gpt-4o' } })).status).toBe(404);
    const bad = await admin('switches/global', { body: { enabled: 'no' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/^enabled:/);
    expect((await admin('switches/global', { body: '{"enabled":' })).status).toBe(400);
    expect((await admin('switches/global', { method: 'POST' })).status).toBe(400);
    expect((await admin('state', { method: 'POST' })).status).toBe(405);
    expect((await admin('switches/global')).status).toBe(405);
    expect((await admin('nothing/here', { method: 'POST' })).status).toBe(404);
    expect(ai.switches.toJSON()).toEqual({ aiEnabled: true, disabledFeatures: [] });
    expect(Object.values((await ai.health()).providers).map((p) => p.state)).toEqual(['closed', 'closed']);
  });
});

describe('admin routes: built-in object names', () => {
  const BUILT_INS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];

  it('are unknown features and providers (404 naming the configured ones), and no switch or breaker state is kept', async () => {
    for (const name of BUILT_INS) {
      const feature = await admin(`switches/features/${name}`, { body: { enabled: false } });
      expect(feature.status).toBe(404);
      expect(await feature.json()).toEqual({
        error: { message: `unknown feature "${name}" (configured: summary, chat, billing)` },
      });
      for (const action of ['open', 'close']) {
        const provider = await admin(`providers/${name}/${action}`, { method: 'POST' });
        expect(provider.status).toBe(404);
        expect(await provider.json()).toEqual({
          error: { message: `unknown provider "${name}" (configured: claude, gpt)` },
        });
      }
    }
    // Percent-encoded, the same.
    expect((await admin('switches/features/%5F%5Fproto%5F%5F', { body: { enabled: false } })).status).toBe(404);
    expect(ai.switches.toJSON()).toEqual({ aiEnabled: true, disabledFeatures: [] });
    expect(events).toEqual([]);
    const state = (await (await admin('state')).json()) as {
      health: { providers: Record<string, unknown>; features: Record<string, unknown> };
    };
    expect(Object.keys(state.health.providers)).toEqual(['claude', 'gpt']);
    expect((await fetch(`${gateway.url}/metrics`)).status).toBe(200);
  });
});

describe('admin routes: a blank token stops start-up', () => {
  it('FAILSOFT_ADMIN_TOKEN set to whitespace (or empty) is a ConfigError naming it, and nothing listens', async () => {
    for (const blank of ['', '   ', '\t\n']) {
      const failure = await startGateway({ ai, port: 0, host: '127.0.0.1', env: { FAILSOFT_ADMIN_TOKEN: blank } }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(failure).toBeInstanceOf(ConfigError);
      expect((failure as ConfigError).message).toBe(
        'invalid configuration:\n  FAILSOFT_ADMIN_TOKEN (environment): is set but blank: set it to a secret (e.g. `openssl rand -hex 32`) or unset it',
      );
    }
    await expect(startGateway({ ai, port: 0, host: '127.0.0.1', adminToken: ' ' })).rejects.toThrow(
      /adminToken \(gateway option\): is set but blank/,
    );
  });
});

describe('admin routes: wrong tokens are rate-limited per remote address', () => {
  /** A request from a chosen local address (127.0.0.0/8 is all loopback on Linux). */
  function from(
    url: string,
    localAddress: string,
    token: string,
  ): Promise<{ status: number; retryAfter: string | undefined; body: string }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        `${url}/admin/state`,
        { localAddress, headers: { authorization: `Bearer ${token}` } },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            body += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  it('after 10 wrong tokens in a minute: 429 with Retry-After for that address, even with the right token, until the minute passes; other addresses still get in', async () => {
    const clock = new FakeClock(0);
    const routes = new AdminRoutes(ai, { token: TOKEN, host: '127.0.0.1', clock });
    const server: Server = createServer(
      (req, res) => void routes.handle(req, res, req.url ?? '/', req.method ?? 'GET'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      for (let i = 0; i < 10; i++) expect((await from(url, '127.0.0.1', `guess-${i}`)).status).toBe(401);
      await clock.advance(15_000);
      const blocked = await from(url, '127.0.0.1', 'guess-10');
      expect(blocked).toEqual({
        status: 429,
        retryAfter: '45',
        body: JSON.stringify({ error: { message: 'too many wrong admin tokens from 127.0.0.1: try again in 45 s' } }),
      });
      expect((await from(url, '127.0.0.1', TOKEN)).status).toBe(429);
      expect((await from(url, '127.0.0.2', TOKEN)).status).toBe(200);
      expect((await from(url, '127.0.0.2', 'wrong')).status).toBe(401);
      await clock.advance(45_000);
      expect((await from(url, '127.0.0.1', TOKEN)).status).toBe(200);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a missing token is a 401, not a guess: it does not count', async () => {
    const routes = new AdminRoutes(ai, { token: TOKEN, host: '127.0.0.1', clock: new FakeClock(0), maxFailures: 1 });
    const server: Server = createServer(
      (req, res) => void routes.handle(req, res, req.url ?? '/', req.method ?? 'GET'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      for (let i = 0; i < 3; i++) expect((await fetch(`${url}/admin/state`)).status).toBe(401);
      expect((await from(url, '127.0.0.1', TOKEN)).status).toBe(200);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
