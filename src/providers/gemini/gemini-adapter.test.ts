import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../model/errors.js';
import { createGeminiAdapter } from './gemini-adapter.js';

function fixture(name: string): string {
  return readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
}

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server;
let baseUrl: string;
let handler: Handler;
let seen: Seen[] = [];
let closedEarly = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.on('close', () => {
        if (!res.writableFinished) closedEarly++;
      });
      handler(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  seen = [];
  closedEarly = 0;
});

function json(status: number, body: string): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(body);
  };
}

const endpoint = () => ({
  name: 'gemini-main',
  type: 'gemini' as const,
  baseUrl,
  apiKey: 'AIza-test-key',
  headers: { 'x-team': 'search' },
});
const request = { messages: [{ role: 'user' as const, content: 'Why is the sky blue?' }], system: 'Be brief.' };

describe('createGeminiAdapter', () => {
  it('POSTs to /v1beta/models/{model}:generateContent with the key in x-goog-api-key, never in the URL', async () => {
    handler = json(200, fixture('generate-text.json'));
    const adapter = createGeminiAdapter(endpoint());
    const result = await adapter.generate('gemini-2.5-flash', request);
    await adapter.close();
    expect(result.status).toBe(200);
    expect(result.response.text).toBe('The sky is blue because of Rayleigh scattering.');
    expect(result.rateLimit).toBeUndefined();
    const call = seen[0];
    expect(call?.method).toBe('POST');
    expect(call?.url).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(call?.headers['x-goog-api-key']).toBe('AIza-test-key');
    expect(call?.headers['x-team']).toBe('search');
    expect(call?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(call?.body ?? '{}')).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'Why is the sky blue?' }] }],
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
    });
  });

  it('streams from :streamGenerateContent?alt=sse', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(fixture('stream-text.sse'));
    };
    const adapter = createGeminiAdapter(endpoint());
    const stream = await adapter.stream('models/gemini-2.5-flash', request);
    const types: string[] = [];
    for await (const event of stream.events) types.push(event.type);
    await adapter.close();
    expect(seen[0]?.url).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(types).toEqual(['text-delta', 'text-delta', 'text-delta', 'finish']);
  });

  it('rejects a non-200 with the classified error before any event', async () => {
    handler = json(429, fixture('error-429-rate-limited.json'));
    const adapter = createGeminiAdapter(endpoint());
    const failure = await adapter.stream('gemini-2.5-flash', request).catch((e: unknown) => e);
    await adapter.close();
    expect(ProviderError.isInstance(failure)).toBe(true);
    expect(failure).toMatchObject({
      class: 'rate_limited',
      status: 429,
      retryAfterMs: 37_000,
      provider: 'gemini-main',
      model: 'gemini-2.5-flash',
    });
  });

  it('turns a malformed 200 body into server_error instead of crashing', async () => {
    const adapter = createGeminiAdapter(endpoint());
    handler = json(200, '{"candidates": "nope"}');
    await expect(adapter.generate('gemini-2.5-flash', request)).rejects.toMatchObject({
      class: 'server_error',
      status: 200,
    });
    handler = json(200, '<html>oops</html>');
    await expect(adapter.generate('gemini-2.5-flash', request)).rejects.toMatchObject({
      class: 'server_error',
      status: 200,
    });
    await adapter.close();
  });

  it('releases the connection when the consumer breaks out of the stream early', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"candidates":[{"content":{"parts":[{"text":"first"}],"role":"model"},"index":0}]}\r\n\r\n');
      // Never ends on its own: only the client going away closes it.
    };
    const adapter = createGeminiAdapter(endpoint());
    const stream = await adapter.stream('gemini-2.5-flash', request);
    for await (const event of stream.events) {
      expect(event).toEqual({ type: 'text-delta', text: 'first' });
      break;
    }
    await expect.poll(() => closedEarly).toBe(1);
    await adapter.close();
  });

  it('rethrows the abort reason when the signal aborts mid-stream', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"candidates":[{"content":{"parts":[{"text":"first"}],"role":"model"},"index":0}]}\r\n\r\n');
    };
    const adapter = createGeminiAdapter(endpoint());
    const controller = new AbortController();
    const reason = new Error('caller went away');
    const stream = await adapter.stream('gemini-2.5-flash', request, { signal: controller.signal });
    const failure = await (async () => {
      try {
        for await (const event of stream.events) {
          void event;
          controller.abort(reason);
        }
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(failure).toBe(reason);
    await adapter.close();
  });

  it('reports a refused connection as network', async () => {
    const adapter = createGeminiAdapter({ ...endpoint(), baseUrl: 'http://127.0.0.1:1' });
    await expect(adapter.generate('gemini-2.5-flash', request)).rejects.toMatchObject({
      class: 'network',
      provider: 'gemini-main',
    });
    await adapter.close();
  });
});
