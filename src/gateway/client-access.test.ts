/**
 * Client keys and model aliases, driven with the official OpenAI and Anthropic SDKs against the
 * gateway (simulator upstream); and provider keys never leaking into answers, health, metrics or logs.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFailsoft, type Failsoft } from '../engine/failsoft.js';
import type { FailsoftConfig } from '../engine/config/config-schema.js';
import type { CallOptions } from '../engine/results.js';
import { startSimulator, type RunningSimulator } from '../sim/start-simulator.js';
import { hashClientKey } from './client-keys.js';
import { startGateway, type RunningGateway } from './gateway-server.js';

const CRON_KEY = 'fs-cron-0123456789';
const APP_KEY = 'fs-app-9876543210';
const PROVIDER_SECRETS = ['sk-ant-SECRET-claude-4242', 'sk-SECRET-gpt-4343'];

let sim: RunningSimulator;
let ai: Failsoft;
let gateway: RunningGateway;
let logged: string[];

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
});
afterAll(async () => {
  await sim.close();
});

function config(): FailsoftConfig {
  return {
    providers: {
      claude: { type: 'anthropic', baseUrl: sim.urlFor('anthropic'), apiKey: PROVIDER_SECRETS[0] },
      gpt: { type: 'openai', baseUrl: sim.urlFor('openai'), apiKey: PROVIDER_SECRETS[1] },
    },
    features: {
      summary: {
        tier: 'enhanced',
        route: ['claude/claude-sonnet-4-5', 'gpt/gpt-4o-mini'],
        fallback: { leadSentences: 1 },
        maxRetries: 0,
      },
      chat: { tier: 'ai-only', route: ['claude/claude-sonnet-4-5', 'gpt/gpt-4o'], maxRetries: 0 },
    },
    gateway: {
      clients: {
        cron: { keyHash: hashClientKey(CRON_KEY), features: ['summary'], priority: 'batch' },
        app: { keyHash: hashClientKey(APP_KEY) },
      },
      aliases: { 'gpt-4o': 'chat', 'claude-3-haiku': 'summary' },
    },
  };
}

beforeEach(async () => {
  sim.clearFaults();
  ai = createFailsoft(config(), { env: {} });
  logged = [];
  gateway = await startGateway({ ai, port: 0, host: '127.0.0.1', adminToken: 'admin-t', log: (l) => logged.push(l) });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await gateway.close();
  await ai.close();
});

const openaiAs = (apiKey: string): OpenAI => new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey, maxRetries: 0 });
const anthropicAs = (apiKey: string): Anthropic => new Anthropic({ baseURL: gateway.url, apiKey, maxRetries: 0 });
const messages = [{ role: 'user' as const, content: 'Summarize:\nThe plant closed at noon. Workers waited.' }];

describe('client keys', () => {
  it('a known key is served: Bearer from the OpenAI SDK, x-api-key from the Anthropic SDK', async () => {
    const a = await openaiAs(APP_KEY).chat.completions.create({ model: 'chat', messages });
    expect(a.choices[0]?.message.content).toContain('Simulated reply');
    const b = await anthropicAs(CRON_KEY).messages.create({ model: 'summary', max_tokens: 50, messages });
    expect(b.type).toBe('message');
  });

  it("an unknown or missing key is a 401 in the client's dialect, before any provider is touched", async () => {
    sim.resetStats();
    const openaiError = await openaiAs('wrong-key')
      .chat.completions.create({ model: 'chat', messages })
      .catch((e: unknown) => e);
    expect(openaiError).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((openaiError as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe('invalid_api_key');
    const anthropicError = await anthropicAs('wrong-key')
      .messages.create({ model: 'chat', max_tokens: 50, messages })
      .catch((e: unknown) => e);
    expect(anthropicError).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(
      ((anthropicError as InstanceType<typeof Anthropic.APIError>).error as { error?: { type?: string } }).error?.type,
    ).toBe('authentication_error');
    const streamError = await anthropicAs('wrong-key')
      .messages.stream({ model: 'chat', max_tokens: 50, messages })
      .finalMessage()
      .catch((e: unknown) => e);
    expect(streamError).toBeInstanceOf(Anthropic.AuthenticationError);
    const missing = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'chat', messages }),
    });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'invalid_api_key' } });
    expect(Object.values(sim.stats()).reduce((n, p) => n + (p?.requests ?? 0), 0)).toBe(0);
  });

  it("a feature outside the client's list is a 403 in its dialect (aliases included)", async () => {
    const viaOpenai = await openaiAs(CRON_KEY)
      .chat.completions.create({ model: 'chat', messages })
      .catch((e: unknown) => e);
    expect(viaOpenai).toBeInstanceOf(OpenAI.PermissionDeniedError);
    const viaAlias = await openaiAs(CRON_KEY)
      .chat.completions.create({ model: 'gpt-4o', messages })
      .catch((e: unknown) => e);
    expect(viaAlias).toBeInstanceOf(OpenAI.PermissionDeniedError);
    const viaAnthropic = await anthropicAs(CRON_KEY)
      .messages.create({ model: 'chat', max_tokens: 50, messages })
      .catch((e: unknown) => e);
    expect(viaAnthropic).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect(
      ((viaAnthropic as InstanceType<typeof Anthropic.APIError>).error as { error?: { type?: string } }).error?.type,
    ).toBe('permission_error');
  });

  it("passes the client's priority to generate and stream; a client without one leaves the feature's", async () => {
    const generate = vi.spyOn(ai, 'generate');
    const stream = vi.spyOn(ai, 'stream');
    await openaiAs(CRON_KEY).chat.completions.create({ model: 'summary', messages });
    const s = await openaiAs(CRON_KEY).chat.completions.create({ model: 'summary', messages, stream: true });
    for await (const chunk of s) void chunk;
    await openaiAs(APP_KEY).chat.completions.create({ model: 'chat', messages });
    const priorities = (calls: unknown[][]): (string | undefined)[] => calls.map((c) => (c[2] as CallOptions).priority);
    expect(priorities(generate.mock.calls)).toEqual(['batch', undefined]);
    expect(priorities(stream.mock.calls)).toEqual(['batch']);
  });

  it("/v1/models needs a key and lists only the client's features and their aliases", async () => {
    const ids = async (key: string): Promise<string[]> => {
      const out: string[] = [];
      for await (const model of openaiAs(key).models.list()) out.push(model.id);
      return out;
    };
    expect(await ids(APP_KEY)).toEqual(['summary', 'chat', 'gpt-4o', 'claude-3-haiku']);
    expect(await ids(CRON_KEY)).toEqual(['summary', 'claude-3-haiku']);
    await expect(ids('wrong')).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const anthropicModels = await anthropicAs(CRON_KEY).models.list();
    expect(anthropicModels.data.map((m) => m.id)).toEqual(['summary', 'claude-3-haiku']);
    const anthropicRefused = await anthropicAs('wrong')
      .models.list()
      .catch((e: unknown) => e);
    expect(anthropicRefused).toBeInstanceOf(Anthropic.AuthenticationError);
  });

  it('health and metrics stay open (no client key needed)', async () => {
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
    expect((await fetch(`${gateway.url}/metrics`)).status).toBe(200);
  });
});

describe('aliases', () => {
  it("the request's model may be an alias: the feature it names answers, in both dialects", async () => {
    const { data, response } = await openaiAs(APP_KEY)
      .chat.completions.create({ model: 'gpt-4o', messages })
      .withResponse();
    expect(response.headers.get('x-failsoft-feature')).toBe('chat');
    expect(data.model).toMatch(/^claude-sonnet-4-5/);
    const streamed = await anthropicAs(CRON_KEY)
      .messages.stream({ model: 'claude-3-haiku', max_tokens: 50, messages })
      .finalMessage();
    expect(streamed.model).toMatch(/^claude-sonnet-4-5/);
  });

  it('an unknown model names the aliases among the choices', async () => {
    const error = await openaiAs(APP_KEY)
      .chat.completions.create({ model: 'gpt-5', messages })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as Error).message).toContain('gpt-4o');
  });
});

describe('provider keys never leak', () => {
  it('not in error answers, health, admin state, metrics or logs, even when a provider rejects its key', async () => {
    const consoleLines: string[] = [];
    for (const method of ['log', 'warn', 'error', 'info', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        consoleLines.push(args.map(String).join(' '));
      });
    }
    sim.setFaults({ anthropic: [{ kind: 'auth' }], openai: [{ kind: 'auth' }] });
    const bodies: string[] = [];
    const call = async (path: string, body: unknown, key = APP_KEY): Promise<void> => {
      const res = await fetch(`${gateway.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify(body),
      });
      bodies.push(JSON.stringify([...res.headers]), await res.text());
    };
    await call('/v1/chat/completions', { model: 'chat', messages });
    await call('/v1/chat/completions', { model: 'chat', messages, stream: true });
    await call('/v1/messages', { model: 'summary', max_tokens: 50, messages });
    await call('/v1/messages', { model: 'chat', max_tokens: 50, messages, stream: true });
    await call('/v1/messages', { model: 'chat', max_tokens: 50, messages }, 'wrong');
    for (const path of ['/health/ai', '/metrics', '/v1/models'])
      bodies.push(await (await fetch(`${gateway.url}${path}`, { headers: { 'x-api-key': APP_KEY } })).text());
    bodies.push(
      await (await fetch(`${gateway.url}/admin/state`, { headers: { authorization: 'Bearer admin-t' } })).text(),
    );
    expect(bodies.join('\n')).toContain('authentication');
    const everything = [...bodies, ...consoleLines, ...logged].join('\n');
    for (const secret of PROVIDER_SECRETS) expect(everything).not.toContain(secret);
    for (const secret of [CRON_KEY, APP_KEY]) expect(everything).not.toContain(secret);
  });
});
