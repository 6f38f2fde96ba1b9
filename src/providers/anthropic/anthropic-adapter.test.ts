import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../model/errors.js';
import { createAnthropicAdapter } from './anthropic-adapter.js';

/** A scripted local endpoint: each test sets the next reply and reads what was sent. */
interface Scripted {
  status: number;
  headers?: Record<string, string>;
  body: string;
  hang?: boolean;
}

let server: Server;
let baseUrl: string;
let next: Scripted = { status: 200, body: '' };
let seen: { url: string; headers: IncomingHttpHeaders; body: string } | undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen = { url: req.url ?? '', headers: req.headers, body };
      if (next.hang) return;
      res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers });
      res.end(next.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const KEY = 'sk-ant-test-SECRETKEY123';
const fixture = (name: string): string => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    if (ProviderError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a ProviderError');
}

describe('createAnthropicAdapter (scripted endpoint)', () => {
  const adapter = () =>
    createAnthropicAdapter({
      name: 'claude',
      type: 'anthropic',
      baseUrl,
      apiKey: KEY,
      headers: { 'x-team': 'core' },
      defaultMaxOutputTokens: 512,
    });

  it('posts to /v1/messages with x-api-key, anthropic-version, extra headers and the endpoint default max_tokens', async () => {
    next = {
      status: 200,
      body: fixture('message-text.json'),
      headers: { 'anthropic-ratelimit-requests-remaining': '9' },
    };
    const claude = adapter();
    const result = await claude.generate('claude-haiku-4-5', { messages: [{ role: 'user', content: 'Hi' }] });
    await claude.close();
    expect(seen?.url).toBe('/v1/messages');
    expect(seen?.headers['x-api-key']).toBe(KEY);
    expect(seen?.headers['anthropic-version']).toBe('2023-06-01');
    expect(seen?.headers['x-team']).toBe('core');
    expect(JSON.parse(seen?.body ?? '{}')).toEqual({
      model: 'claude-haiku-4-5',
      max_tokens: 512,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
    });
    expect(result.response.text).toBe('Hello! How can I help you today?');
    expect(result.status).toBe(200);
    expect(result.rateLimit).toEqual({ requests: { remaining: 9 } });
  });

  it('turns a malformed 200 body into server_error, never a crash', async () => {
    const claude = adapter();
    next = { status: 200, body: '<html>oops</html>' };
    expect((await failure(claude.generate('m', { messages: [{ role: 'user', content: 'Hi' }] }))).class).toBe(
      'server_error',
    );
    next = { status: 200, body: '{"id":"msg_1","type":"message"}' };
    expect((await failure(claude.generate('m', { messages: [{ role: 'user', content: 'Hi' }] }))).class).toBe(
      'server_error',
    );
    await claude.close();
  });

  it('classifies an error body even when a proxy sends it with status 200', async () => {
    next = { status: 200, body: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}' };
    const claude = adapter();
    expect((await failure(claude.generate('m', { messages: [{ role: 'user', content: 'Hi' }] }))).class).toBe(
      'overloaded',
    );
    await claude.close();
  });

  it('rejects a stream before any event on a non-200, and keeps the API key out of the message', async () => {
    next = {
      status: 401,
      body: `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key ${KEY}"}}`,
    };
    const claude = adapter();
    const error = await failure(claude.stream('m', { messages: [{ role: 'user', content: 'Hi' }] }));
    await claude.close();
    expect(error.class).toBe('auth');
    expect(error.message).not.toContain(KEY);
    expect(JSON.parse(seen?.body ?? '{}').stream).toBe(true);
  });

  it('times out when headers do not arrive within headersTimeoutMs', async () => {
    next = { status: 200, body: '', hang: true };
    const claude = adapter();
    const error = await failure(
      claude.generate('m', { messages: [{ role: 'user', content: 'Hi' }] }, { headersTimeoutMs: 100 }),
    );
    await claude.close();
    expect(error.class).toBe('timeout');
  });

  it('rethrows the signal reason when the attempt is aborted', async () => {
    next = { status: 200, body: '', hang: true };
    const claude = adapter();
    const controller = new AbortController();
    const reason = new Error('another attempt won');
    const pending = claude.generate(
      'm',
      { messages: [{ role: 'user', content: 'Hi' }] },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(reason), 20);
    await expect(pending).rejects.toBe(reason);
    await claude.close();
  });
});
