/**
 * A request's `model` (and an alias) is looked up by own key only: the names every plain object
 * inherits are unknown features in both dialects, streamed or not, leave no state behind, and
 * `/metrics` keeps answering 200 without such a label.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFailsoft, type Failsoft } from '../engine/failsoft.js';
import type { FailsoftEvent } from '../engine/events.js';
import { startSimulator, type RunningSimulator } from '../sim/start-simulator.js';
import { startGateway, type RunningGateway } from './gateway-server.js';

const BUILT_INS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
const KNOWN = 'configured: summary, chat, fast';

let sim: RunningSimulator;
let ai: Failsoft;
let gateway: RunningGateway;
let events: FailsoftEvent[];
let logged: string[];

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
});
afterAll(async () => {
  await sim.close();
});

beforeEach(async () => {
  ai = createFailsoft(
    {
      providers: { claude: { type: 'anthropic', baseUrl: sim.urlFor('anthropic'), apiKey: 'sk-ant-sim' } },
      features: {
        summary: { tier: 'enhanced', route: ['claude/claude-sonnet-4-5'], fallback: { text: 'n/a' }, maxRetries: 0 },
        chat: { tier: 'ai-only', route: ['claude/claude-sonnet-4-5'], maxRetries: 0 },
      },
      gateway: { aliases: { fast: 'chat' } },
    },
    { env: {} },
  );
  events = [];
  logged = [];
  ai.on('*', (e) => events.push(e));
  gateway = await startGateway({ ai, port: 0, host: '127.0.0.1', env: {}, log: (l) => logged.push(l) });
});
afterEach(async () => {
  await gateway.close();
  await ai.close();
});

function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-request-id': 'req-own-key',
      ...(path === '/v1/messages' ? { 'anthropic-version': '2023-06-01' } : {}),
    },
    body: JSON.stringify(body),
  });
}

describe('gateway: built-in object names are unknown features', () => {
  it('OpenAI dialect: 404 model_not_found naming the model, streamed or not', async () => {
    for (const name of BUILT_INS) {
      for (const stream of [false, true]) {
        const res = await post('/v1/chat/completions', {
          model: name,
          stream,
          messages: [{ role: 'user', content: 'hi' }],
        });
        expect(res.status).toBe(404);
        expect(res.headers.get('x-request-id')).toBe('req-own-key');
        expect(await res.json()).toEqual({
          error: {
            message: `unknown feature "${name}": the model names a feature or an alias (${KNOWN})`,
            type: 'invalid_request_error',
            param: 'model',
            code: 'model_not_found',
          },
        });
      }
    }
  });

  it('Anthropic dialect: 404 not_found_error naming the model, streamed or not', async () => {
    for (const name of BUILT_INS) {
      for (const stream of [false, true]) {
        const res = await post('/v1/messages', {
          model: name,
          stream,
          max_tokens: 10,
          messages: [{ role: 'user', content: 'hi' }],
        });
        expect(res.status).toBe(404);
        expect(await res.json()).toEqual({
          type: 'error',
          error: {
            type: 'not_found_error',
            message: `model: unknown feature "${name}": the model names a feature or an alias (${KNOWN})`,
          },
        });
      }
    }
  });

  it('leaves no state: no event, no provider call, no mode; /metrics answers 200 with no such label', async () => {
    const before = sim.stats().anthropic?.requests ?? 0;
    for (const name of BUILT_INS)
      await post('/v1/chat/completions', { model: name, messages: [{ role: 'user', content: 'hi' }] });
    expect(events).toEqual([]);
    expect(sim.stats().anthropic?.requests ?? 0).toBe(before);
    expect(logged).toEqual([]);
    expect(Object.keys((await ai.health()).features)).toEqual(['summary', 'chat']);
    const ok = await post('/v1/chat/completions', { model: 'fast', messages: [{ role: 'user', content: 'hi' }] });
    expect(ok.status).toBe(200);
    const metrics = await fetch(`${gateway.url}/metrics`);
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toContain('failsoft_requests_total{feature="chat",provider="claude",outcome="provider"} 1');
    for (const name of [...BUILT_INS, 'Object', 'undefined']) expect(text).not.toContain(`feature="${name}"`);
    expect((await fetch(`${gateway.url}/metrics`)).status).toBe(200);
  });
});
