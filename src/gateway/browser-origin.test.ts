/**
 * Browser-origin protection of the AI routes: web pages are refused unless listed in
 * `gateway.corsOrigins` (then they get CORS headers and preflights), the gateway's own pages pass,
 * and callers that are not browsers (no Origin, no Sec-Fetch-Site) are never affected.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFailsoft, type Failsoft } from '../engine/failsoft.js';
import type { FailsoftConfig } from '../engine/config/config-schema.js';
import { startSimulator, type RunningSimulator } from '../sim/start-simulator.js';
import { BrowserOrigins, CORS_EXPOSED_HEADERS, fromBrowser } from './browser-origin.js';
import { hashClientKey } from './client-keys.js';
import { startGateway, type RunningGateway } from './gateway-server.js';

const APP = 'https://app.example.com';
const EVIL = 'https://evil.example';
const KEY = 'fs-browser-key-1';
const OPENAI_BODY = JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] });
const ANTHROPIC_BODY = JSON.stringify({ model: 'chat', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });

let sim: RunningSimulator;
let ai: Failsoft | undefined;
let gateway: RunningGateway | undefined;

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
});
afterAll(async () => {
  await sim.close();
});
afterEach(async () => {
  await gateway?.close();
  await ai?.close();
  gateway = undefined;
  ai = undefined;
});

async function serve(gatewaySection: FailsoftConfig['gateway'] = {}): Promise<RunningGateway> {
  ai = createFailsoft(
    {
      providers: { claude: { type: 'anthropic', baseUrl: sim.urlFor('anthropic'), apiKey: 'sk-ant-sim' } },
      features: { chat: { tier: 'ai-only', route: ['claude/claude-sonnet-4-5'], maxRetries: 0 } },
      gateway: gatewaySection,
    },
    { env: {} },
  );
  gateway = await startGateway({ ai, port: 0, host: '127.0.0.1', env: {} });
  return gateway;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** node:http, not fetch: fetch cannot send a Host header of our choosing (DNS rebinding). */
function send(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  const gw = gateway as RunningGateway;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: gw.port,
        method,
        path,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const chat = (headers: Record<string, string> = {}): Promise<Answer> =>
  send('POST', '/v1/chat/completions', headers, OPENAI_BODY);
const messages = (headers: Record<string, string> = {}): Promise<Answer> =>
  send('POST', '/v1/messages', { 'anthropic-version': '2023-06-01', ...headers }, ANTHROPIC_BODY);

const refusedOpenAi = (origin: string): unknown => ({
  error: {
    message: `requests from the web page origin "${origin}" are refused: add it to gateway.corsOrigins to let its pages call this gateway`,
    type: 'invalid_request_error',
    param: null,
    code: 'origin_not_allowed',
  },
});

describe('BrowserOrigins (unit)', () => {
  it('tells browsers from other callers by Origin or Sec-Fetch-Site only', () => {
    expect(fromBrowser({ origin: APP })).toBe(true);
    expect(fromBrowser({ 'sec-fetch-site': 'same-site' })).toBe(true);
    expect(fromBrowser({ 'user-agent': 'curl/8', 'sec-fetch-mode': 'cors' })).toBe(false); // Node's fetch sends Sec-Fetch-Mode, not Site
  });

  it('decides: listed → CORS; own origin on an IP or localhost → pass; a rebound DNS name, null or another port → refused', () => {
    const origins = new BrowserOrigins({ corsOrigins: [APP], clientKeys: false });
    expect(origins.check({})).toEqual({ allowed: true, headers: { vary: 'origin' } });
    expect(origins.check({ origin: APP, 'sec-fetch-site': 'cross-site' })).toEqual({
      allowed: true,
      headers: {
        'access-control-allow-origin': APP,
        'access-control-expose-headers': CORS_EXPOSED_HEADERS,
        vary: 'origin',
      },
    });
    expect(
      origins.check({ origin: 'http://127.0.0.1:8787', host: '127.0.0.1:8787', 'sec-fetch-site': 'same-origin' })
        .allowed,
    ).toBe(true);
    expect(origins.check({ origin: 'http://localhost:8787', host: 'localhost:8787' }).allowed).toBe(true);
    expect(origins.check({ origin: 'http://[::1]:8787', host: '[::1]:8787' }).allowed).toBe(true);
    expect(origins.check({ 'sec-fetch-site': 'same-origin', host: '127.0.0.1:8787' }).allowed).toBe(true);
    expect(origins.check({ 'sec-fetch-site': 'none', host: 'gateway.internal:8787' }).allowed).toBe(true); // typed in the address bar
    expect(
      origins.check({ origin: 'http://evil.example:8787', host: 'evil.example:8787', 'sec-fetch-site': 'same-origin' })
        .allowed,
    ).toBe(false);
    expect(origins.check({ 'sec-fetch-site': 'same-origin', host: 'evil.example:8787' }).allowed).toBe(false);
    expect(
      origins.check({ origin: 'http://localhost:3000', host: 'localhost:8787', 'sec-fetch-site': 'same-site' }).allowed,
    ).toBe(false);
    expect(origins.check({ origin: 'null', host: '127.0.0.1:8787' }).allowed).toBe(false);
    expect(origins.check({ 'sec-fetch-site': 'cross-site' })).toEqual({
      allowed: false,
      message:
        "cross-site browser requests are refused (Sec-Fetch-Site: cross-site): add the calling page's origin to gateway.corsOrigins",
    });
    expect(new BrowserOrigins({ corsOrigins: [], clientKeys: false }).check({})).toEqual({
      allowed: true,
      headers: undefined,
    });
  });

  it('with client keys an unlisted page goes on to the key check, without CORS headers; "*" lists every origin', () => {
    expect(new BrowserOrigins({ corsOrigins: [], clientKeys: true }).check({ origin: EVIL })).toEqual({
      allowed: true,
      headers: undefined,
    });
    expect(new BrowserOrigins({ corsOrigins: ['*'], clientKeys: true }).check({ origin: EVIL })).toMatchObject({
      allowed: true,
      headers: { 'access-control-allow-origin': EVIL },
    });
  });
});

describe('AI routes without client keys: pages are refused unless listed', () => {
  it("a cross-site page gets 403 in the caller's dialect, before a provider is called", async () => {
    await serve();
    const before = sim.stats().anthropic?.requests ?? 0;
    const openai = await chat({ origin: EVIL, 'x-request-id': 'req-page-1' });
    expect(openai.status).toBe(403);
    expect(openai.headers['x-request-id']).toBe('req-page-1');
    expect(openai.headers['access-control-allow-origin']).toBeUndefined();
    expect(JSON.parse(openai.body)).toEqual(refusedOpenAi(EVIL));
    const anthropic = await messages({ origin: EVIL });
    expect(anthropic.status).toBe(403);
    expect(JSON.parse(anthropic.body)).toEqual({
      type: 'error',
      error: {
        type: 'permission_error',
        message: `requests from the web page origin "${EVIL}" are refused: add it to gateway.corsOrigins to let its pages call this gateway`,
      },
    });
    for (const site of ['cross-site', 'same-site']) {
      const res = await chat({ 'sec-fetch-site': site });
      expect(res.status).toBe(403);
      expect(JSON.parse(res.body)).toMatchObject({
        error: {
          code: 'origin_not_allowed',
          message: `cross-site browser requests are refused (Sec-Fetch-Site: ${site}): add the calling page's origin to gateway.corsOrigins`,
        },
      });
    }
    const models = await send('GET', '/v1/models', { origin: EVIL });
    expect(models.status).toBe(403);
    expect(JSON.parse(models.body)).toEqual(refusedOpenAi(EVIL));
    expect(sim.stats().anthropic?.requests ?? 0).toBe(before);
  });

  it('a DNS-rebound page ("same-origin" under its own name) is refused; the gateway\'s own page and callers without Origin are served', async () => {
    const gw = await serve();
    const rebound = await chat({
      host: `evil.example:${gw.port}`,
      origin: `http://evil.example:${gw.port}`,
      'sec-fetch-site': 'same-origin',
    });
    expect(rebound.status).toBe(403);
    expect(
      (await send('GET', '/v1/models', { host: `evil.example:${gw.port}`, 'sec-fetch-site': 'same-origin' })).status,
    ).toBe(403);
    const own = await chat({ origin: `http://127.0.0.1:${gw.port}`, 'sec-fetch-site': 'same-origin' });
    expect(own.status).toBe(200);
    expect(own.headers['access-control-allow-origin']).toBeUndefined();
    const curl = await chat();
    expect(curl.status).toBe(200);
    expect(curl.headers.vary).toBeUndefined();
    expect((await messages()).status).toBe(200);
    expect((await send('GET', '/v1/models')).status).toBe(200);
  });

  it('a listed origin is served with CORS headers on answers and on errors', async () => {
    await serve({ corsOrigins: [APP] });
    const ok = await chat({ origin: APP, 'sec-fetch-site': 'cross-site' });
    expect(ok.status).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe(APP);
    expect(ok.headers['access-control-expose-headers']).toBe(
      'x-failsoft-feature, x-failsoft-provider, x-failsoft-source, x-failsoft-degraded, x-should-retry, retry-after, x-request-id',
    );
    expect(ok.headers.vary).toBe('origin');
    expect(ok.headers['access-control-allow-credentials']).toBeUndefined();
    const unknown = await send(
      'POST',
      '/v1/chat/completions',
      { origin: APP },
      JSON.stringify({ model: 'nope', messages: [{ role: 'user', content: 'hi' }] }),
    );
    expect(unknown.status).toBe(404);
    expect(unknown.headers['access-control-allow-origin']).toBe(APP);
    const models = await send('GET', '/v1/models', { origin: APP });
    expect(models.status).toBe(200);
    expect(models.headers['access-control-allow-origin']).toBe(APP);
    expect((await chat()).headers.vary).toBe('origin'); // a cache must keep answers for different Origins apart
    expect((await chat({ origin: EVIL })).status).toBe(403);
  });

  it('answers preflights: 204 with methods and headers for a listed origin, 403 for others, plain 204 without Origin', async () => {
    await serve({ corsOrigins: [APP] });
    const pre = await send('OPTIONS', '/v1/messages', {
      origin: APP,
      'access-control-request-method': 'POST',
      'access-control-request-headers':
        'content-type, x-api-key, anthropic-version, x-stainless-os, anthropic-dangerous-direct-browser-access',
    });
    expect(pre.status).toBe(204);
    expect(pre.body).toBe('');
    expect(pre.headers['access-control-allow-origin']).toBe(APP);
    expect(pre.headers['access-control-allow-methods']).toBe('POST, OPTIONS');
    expect(pre.headers['access-control-allow-headers']).toBe(
      'authorization, content-type, x-api-key, anthropic-version, anthropic-beta, x-request-id, x-stainless-os, anthropic-dangerous-direct-browser-access',
    );
    expect(pre.headers['access-control-max-age']).toBe('600');
    expect(pre.headers.vary).toBe('origin, access-control-request-headers');
    expect(
      (await send('OPTIONS', '/v1/models', { origin: APP, 'access-control-request-method': 'GET' })).headers[
        'access-control-allow-methods'
      ],
    ).toBe('GET, OPTIONS');
    const refused = await send('OPTIONS', '/v1/chat/completions', {
      origin: EVIL,
      'access-control-request-method': 'POST',
    });
    expect(refused.status).toBe(403);
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    expect(JSON.parse(refused.body)).toEqual(refusedOpenAi(EVIL));
    const plain = await send('OPTIONS', '/v1/chat/completions');
    expect(plain.status).toBe(204);
    expect(plain.headers.allow).toBe('POST, OPTIONS');
    expect((await send('PUT', '/v1/chat/completions')).status).toBe(405);
  });
});

describe('AI routes with client keys: the key decides, listed origins can read the answer', () => {
  it('an unlisted page with a key is served (no CORS headers); a listed one gets them; a page without a key is 401', async () => {
    await serve({ clients: { web: { keyHash: hashClientKey(KEY) } }, corsOrigins: [APP] });
    const unlisted = await chat({ origin: EVIL, authorization: `Bearer ${KEY}` });
    expect(unlisted.status).toBe(200);
    expect(unlisted.headers['access-control-allow-origin']).toBeUndefined();
    const listed = await messages({ origin: APP, 'x-api-key': KEY });
    expect(listed.status).toBe(200);
    expect(listed.headers['access-control-allow-origin']).toBe(APP);
    const keyless = await chat({ origin: APP });
    expect(keyless.status).toBe(401);
    expect(keyless.headers['access-control-allow-origin']).toBe(APP); // so the page can read why
    expect(
      (await send('OPTIONS', '/v1/chat/completions', { origin: EVIL, 'access-control-request-method': 'POST' })).status,
    ).toBe(403);
  });
});
