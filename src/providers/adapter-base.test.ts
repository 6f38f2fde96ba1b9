import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type ProviderError, providerError } from '../model/errors.js';
import { AdapterBase, type AdapterBaseConfig, type UpstreamFailure } from './adapter-base.js';
import type { ProviderEndpoint } from './provider-adapter.js';

let server: Server;
let baseUrl: string;
let next: (res: ServerResponse) => void = (res) => res.end('{}');
let seen: IncomingHttpHeaders = {};

beforeAll(async () => {
  server = createServer((req, res) => {
    seen = req.headers;
    req.resume();
    req.on('end', () => next(res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const classified: UpstreamFailure[] = [];

function base(endpoint: Partial<ProviderEndpoint> = {}, config: Partial<AdapterBaseConfig> = {}): AdapterBase {
  return new AdapterBase({
    endpoint: { name: 'p', type: 'openai', baseUrl, apiKey: 'key-123456', ...endpoint },
    protocol: 'proto',
    accept: true,
    authHeaders: (apiKey) => ({ authorization: `Key ${apiKey}` }),
    classify: (failure): ProviderError => {
      classified.push(failure);
      return providerError({
        class: failure.status === 429 ? 'rate_limited' : 'server_error',
        message: `classified ${String(failure.status)}`,
        provider: 'p',
        status: failure.status,
      });
    },
    rateLimit: (headers) =>
      headers['x-left'] === undefined ? undefined : { requests: { remaining: Number(headers['x-left']) } },
    ...config,
  });
}

const attempt = {};

describe('AdapterBase', () => {
  it('sends content type, accept by call kind, protocol headers, the key, then the endpoint headers (which win)', async () => {
    const b = base(
      { headers: { 'x-team': 'core', 'x-version': 'endpoint' } },
      { protocolHeaders: { 'x-version': '1' } },
    );
    next = (res) => res.end('{}');
    await b.answer(`${baseUrl}/a`, '{}', 'm', attempt);
    expect(seen).toMatchObject({
      'content-type': 'application/json',
      accept: 'application/json',
      authorization: 'Key key-123456',
      'x-team': 'core',
      'x-version': 'endpoint',
    });
    next = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('data: {}\n\n');
    };
    const reply = await b.openStream(`${baseUrl}/s`, '{}', 'm', attempt);
    expect(await reply.body.text()).toBe('data: {}\n\n');
    expect(seen.accept).toBe('text/event-stream');
    await b.close();
  });

  it('sends no key header for a missing or empty key, and no accept when the protocol sends none', async () => {
    next = (res) => res.end('{}');
    for (const apiKey of [undefined, '']) {
      const b = base({ apiKey }, { accept: false });
      await b.answer(`${baseUrl}/a`, '{}', 'm', attempt);
      expect(seen.authorization).toBeUndefined();
      expect(seen.accept).toBeUndefined();
      await b.close();
    }
  });

  it('hands a failed call to the classifier with status, body and headers; a stream too', async () => {
    const b = base();
    next = (res) => {
      res.writeHead(429, { 'retry-after': '3' });
      res.end('{"slow":"down"}');
    };
    classified.length = 0;
    await expect(b.answer(`${baseUrl}/a`, '{}', 'm-1', attempt)).rejects.toMatchObject({
      class: 'rate_limited',
      status: 429,
    });
    await expect(b.openStream(`${baseUrl}/s`, '{}', 'm-2', attempt)).rejects.toMatchObject({
      class: 'rate_limited',
      status: 429,
    });
    expect(
      classified.map(({ model, status, body, headers }) => ({ model, status, body, retry: headers['retry-after'] })),
    ).toEqual([
      { model: 'm-1', status: 429, body: '{"slow":"down"}', retry: '3' },
      { model: 'm-2', status: 429, body: '{"slow":"down"}', retry: '3' },
    ]);
    await b.close();
  });

  it('classifies an error whose body breaks off by its status, on both paths', async () => {
    const b = base();
    next = (res) => {
      res.writeHead(429, { 'content-length': '1000' });
      res.write('{"slow":');
      setTimeout(() => res.socket?.destroy(), 10);
    };
    classified.length = 0;
    await expect(b.answer(`${baseUrl}/a`, '{}', 'm', attempt)).rejects.toMatchObject({
      class: 'rate_limited',
      status: 429,
    });
    await expect(b.openStream(`${baseUrl}/s`, '{}', 'm', attempt)).rejects.toMatchObject({
      class: 'rate_limited',
      status: 429,
    });
    expect(classified.map((f) => f.body)).toEqual(['{"slow":', '{"slow":']);
    await b.close();
  });

  it('json and shape give the malformed-response error, key redacted', async () => {
    const b = base();
    const reply = { status: 200, headers: {}, text: '<p>key-123456</p>' };
    expect(() => b.json(reply, 'm')).toThrow("proto 'p': 200 malformed response body: not JSON: <p>[redacted]</p>");
    const schema = z.object({ items: z.array(z.string()) });
    expect(() => b.shape({ items: 'no' }, schema, 'a list', reply, 'm')).toThrow(
      /^proto 'p': 200 malformed response body: not a list: items: /,
    );
    expect(b.shape({ items: ['a'] }, schema, 'a list', reply, 'm')).toEqual({ items: ['a'] });
    await b.close();
  });

  it('attaches the rate-limit state only when the provider reported one', async () => {
    const b = base();
    const response = { text: 'hi' } as unknown as Parameters<AdapterBase['callResult']>[0];
    expect(b.callResult(response, { status: 200, headers: { 'x-left': '7' }, text: '' })).toEqual({
      response,
      status: 200,
      rateLimit: { requests: { remaining: 7 } },
    });
    expect(b.callResult(response, { status: 200, headers: {}, text: '' })).toEqual({ response, status: 200 });
    await b.close();
  });
});
