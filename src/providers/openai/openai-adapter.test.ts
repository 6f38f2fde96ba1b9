import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../model/errors.js';
import { createOpenAICompatibleAdapter } from '../openai-compatible/openai-compatible-adapter.js';
import { createOpenAIAdapter } from './openai-adapter.js';

/** A local server that records what the adapter sent and answers with a scripted reply. */
interface Seen {
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

let server: Server;
let baseUrl: string;
let seen: Seen[] = [];
let answer: { status: number; contentType: string; body: string } = {
  status: 200,
  contentType: 'application/json',
  body: '',
};
let closedEarly = 0;

function fixture(name: string): string {
  return readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(raw) as Record<string, unknown> });
      res.on('close', () => {
        if (!res.writableFinished) closedEarly += 1;
      });
      res.writeHead(answer.status, { 'content-type': answer.contentType, 'x-ratelimit-remaining-requests': '41' });
      if (answer.contentType.startsWith('text/event-stream')) {
        // Send the first frames, then hold the stream open: only the client can end it.
        res.write(answer.body);
        return;
      }
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  seen = [];
  closedEarly = 0;
  answer = { status: 200, contentType: 'application/json', body: fixture('chat-completion-text.json') };
});

const request = { messages: [{ role: 'user' as const, content: 'Hi' }], maxOutputTokens: 32 };

describe('OpenAI adapter on the wire', () => {
  it('posts to {baseUrl}/chat/completions with a bearer key, extra headers and max_completion_tokens', async () => {
    const adapter = createOpenAIAdapter({
      name: 'gpt',
      type: 'openai',
      baseUrl,
      apiKey: 'sk-test-123456',
      headers: { 'openai-organization': 'org-1' },
    });
    const result = await adapter.generate('gpt-4o-mini', request);
    await adapter.close();
    expect(adapter.type).toBe('openai');
    expect(seen[0]?.path).toBe('/v1/chat/completions');
    expect(seen[0]?.headers.authorization).toBe('Bearer sk-test-123456');
    expect(seen[0]?.headers['openai-organization']).toBe('org-1');
    expect(seen[0]?.body).toMatchObject({ model: 'gpt-4o-mini', max_completion_tokens: 32 });
    expect(seen[0]?.body['max_tokens']).toBeUndefined();
    expect(result.rateLimit).toEqual({ requests: { remaining: 41 } });
    expect(result.response.text).toBe('Hello there!');
  });

  it('openai-compatible: no Authorization header without a key, max_tokens, its own type', async () => {
    const adapter = createOpenAICompatibleAdapter({ name: 'local', type: 'openai-compatible', baseUrl });
    await adapter.generate('llama3', request);
    await adapter.close();
    expect(adapter.type).toBe('openai-compatible');
    expect(seen[0]?.headers.authorization).toBeUndefined();
    expect(seen[0]?.body).toMatchObject({ max_tokens: 32 });
    expect(seen[0]?.body['max_completion_tokens']).toBeUndefined();
  });

  it('a 200 whose body is not JSON is a server_error, not a crash', async () => {
    answer = { status: 200, contentType: 'application/json', body: '<html>oops</html>' };
    const adapter = createOpenAIAdapter({ name: 'gpt', type: 'openai', baseUrl, apiKey: 'k' });
    const error = await adapter.generate('gpt-4o-mini', request).catch((e: unknown) => e);
    await adapter.close();
    expect(ProviderError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ class: 'server_error', status: 200 });
  });

  it('a 200 whose JSON is not a chat.completion is a server_error', async () => {
    answer = { status: 200, contentType: 'application/json', body: '{"choices": []}' };
    const adapter = createOpenAIAdapter({ name: 'gpt', type: 'openai', baseUrl, apiKey: 'k' });
    const error = await adapter.generate('gpt-4o-mini', request).catch((e: unknown) => e);
    await adapter.close();
    expect(error).toMatchObject({
      class: 'server_error',
      message: expect.stringContaining("openai 'gpt': 200 malformed response body"),
    });
  });

  it('breaking out of a stream early releases the connection', async () => {
    answer = { status: 200, contentType: 'text/event-stream; charset=utf-8', body: fixture('stream-truncated.sse') };
    const adapter = createOpenAIAdapter({ name: 'gpt', type: 'openai', baseUrl, apiKey: 'k' });
    const stream = await adapter.stream('gpt-4o-mini', request);
    expect(seen[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    for await (const event of stream.events) if (event.type === 'text-delta') break;
    // The server never ends this stream: only the client dropping the connection closes it.
    await expect.poll(() => closedEarly).toBe(1);
    await adapter.close();
  });
});
