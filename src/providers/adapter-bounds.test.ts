import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../model/errors.js';
import type { GenerateRequest } from '../model/message.js';
import { createAnthropicAdapter } from './anthropic/anthropic-adapter.js';
import { createGeminiAdapter } from './gemini/gemini-adapter.js';
import { MAX_ANSWER_BYTES } from './http-transport.js';
import { createOpenAIAdapter } from './openai/openai-adapter.js';
import type { ProviderAdapter } from './provider-adapter.js';

/**
 * What every adapter owes a misbehaving upstream, whatever its protocol: an error body of any size costs at
 * most 64 KiB and a dropped connection, an answer over 32 MiB is refused, and a malformed answer is the
 * same error, worded the same way, from all three.
 */

const MiB = 1024 * 1024;
const KEY = 'test-key-SECRET-1234';
const request: GenerateRequest = { messages: [{ role: 'user', content: 'Hi' }] };

/** What the upstream does with the next request. */
type Scripted = (res: ServerResponse) => void;

let server: Server;
let baseUrl: string;
let next: Scripted = (res) => res.end();
/** Bytes the upstream handed to its socket for the current request, and whether the client hung up first. */
let written = 0;
let droppedEarly = false;

beforeAll(async () => {
  server = createServer((req, res) => {
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

beforeEach(() => {
  written = 0;
  droppedEarly = false;
});

/** Answers `status` with `total` bytes, streamed 64 KiB at a time as fast as the client reads: never all in memory. */
function huge(status: number, contentType: string, total: number): Scripted {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  return (res) => {
    res.writeHead(status, { 'content-type': contentType });
    res.once('close', () => {
      if (written < total) droppedEarly = true;
    });
    const more = (): void => {
      while (written < total && !res.destroyed) {
        written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', more);
      }
      if (!res.destroyed) res.end();
    };
    more();
  };
}

function answer(status: number, contentType: string, body: string): Scripted {
  return (res) => {
    res.writeHead(status, { 'content-type': contentType });
    res.end(body);
  };
}

interface Case {
  protocol: string;
  name: string;
  create(): ProviderAdapter;
  /** A stream whose first event's data is not JSON, in this protocol's framing. */
  brokenStream: string;
}

const cases: Case[] = [
  {
    protocol: 'anthropic',
    name: 'claude',
    create: () => createAnthropicAdapter({ name: 'claude', type: 'anthropic', baseUrl, apiKey: KEY }),
    brokenStream: 'event: message_start\ndata: {oops\n\n',
  },
  {
    protocol: 'openai',
    name: 'gpt',
    create: () => createOpenAIAdapter({ name: 'gpt', type: 'openai', baseUrl, apiKey: KEY }),
    brokenStream: 'data: {oops\n\n',
  },
  {
    protocol: 'gemini',
    name: 'gem',
    create: () => createGeminiAdapter({ name: 'gem', type: 'gemini', baseUrl, apiKey: KEY }),
    brokenStream: 'data: {oops\n\n',
  },
];

async function failure(call: Promise<unknown>): Promise<ProviderError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!ProviderError.isInstance(error)) throw new Error(`expected a ProviderError, got ${String(error)}`);
  return error;
}

/** Runs `call` while sampling the process's ArrayBuffer memory; returns the error and the peak growth. */
async function watchMemory(
  call: () => Promise<unknown>,
): Promise<{ error: ProviderError; peakGrowth: number; ms: number }> {
  const start = process.memoryUsage().arrayBuffers;
  let peak = start;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().arrayBuffers);
  }, 2);
  const began = performance.now();
  try {
    const error = await failure(call());
    peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    return { error, peakGrowth: peak - start, ms: performance.now() - began };
  } finally {
    clearInterval(sampler);
  }
}

describe.each(cases)('$protocol adapter against a misbehaving upstream', ({ protocol, name, create, brokenStream }) => {
  it.each(['generate', 'stream'] as const)(
    '%s: a 500 with a 50 MiB body fails as server_error after reading at most 64 KiB of it',
    async (method) => {
      next = huge(500, 'text/html', 50 * MiB);
      const adapter = create();
      try {
        const { error, peakGrowth, ms } = await watchMemory(() => adapter[method]('m-1', request));
        expect(error).toMatchObject({ class: 'server_error', status: 500, provider: name, model: 'm-1' });
        expect(error.message).toMatch(new RegExp(`^${protocol} '${name}': 500`));
        // The client hung up: what the upstream got rid of is its socket buffers' worth, not the body.
        await expect.poll(() => droppedEarly).toBe(true);
        expect(written).toBeLessThan(16 * MiB);
        // Loose (other test files share the process): nowhere near the body's 50 MiB.
        expect(peakGrowth).toBeLessThan(24 * MiB);
        expect(ms).toBeLessThan(5_000);
      } finally {
        await adapter.close();
      }
    },
  );

  it('generate: a 200 answer over 32 MiB is refused as a malformed response, not buffered further', async () => {
    next = huge(200, 'application/json', MAX_ANSWER_BYTES + 8 * MiB);
    const adapter = create();
    try {
      const error = await failure(adapter.generate('m-1', request));
      expect(error).toMatchObject({ class: 'server_error', status: 200, code: 'malformed_response', provider: name });
      expect(error.message).toBe(
        `${protocol} '${name}': 200 malformed response body: larger than 33554432 bytes, not read further`,
      );
      await expect.poll(() => droppedEarly).toBe(true);
    } finally {
      await adapter.close();
    }
  });

  it('generate: a 200 body that is not JSON gives the one malformed-response error', async () => {
    next = answer(200, 'application/json', '<html>oops</html>');
    const adapter = create();
    try {
      const error = await failure(adapter.generate('m-1', request));
      expect(error).toMatchObject({
        class: 'server_error',
        status: 200,
        code: 'malformed_response',
        provider: name,
        model: 'm-1',
      });
      expect(error.message).toBe(`${protocol} '${name}': 200 malformed response body: not JSON: <html>oops</html>`);
    } finally {
      await adapter.close();
    }
  });

  it('generate: JSON of the wrong shape names what it should have been and what was wrong', async () => {
    next = answer(200, 'application/json', '{"candidates":"nope","choices":7,"content":1}');
    const adapter = create();
    try {
      const error = await failure(adapter.generate('m-1', request));
      expect(error).toMatchObject({ class: 'server_error', status: 200, code: 'malformed_response' });
      expect(error.message).toMatch(
        new RegExp(`^${protocol} '${name}': 200 malformed response body: not an? [\\w.]+: \\w+: .+`),
      );
    } finally {
      await adapter.close();
    }
  });

  it('stream: an event that is not JSON gives the same error, in-stream', async () => {
    next = answer(200, 'text/event-stream', brokenStream);
    const adapter = create();
    try {
      const stream = await adapter.stream('m-1', request);
      const error = await failure(
        (async () => {
          for await (const event of stream.events) void event;
        })(),
      );
      expect(error).toMatchObject({
        class: 'server_error',
        code: 'malformed_response',
        inStream: true,
        provider: name,
      });
      expect(error.message).toMatch(new RegExp(`^${protocol} '${name}': malformed stream event: `));
    } finally {
      await adapter.close();
    }
  });

  it('stream: an accepted stream that never completes an event fails past 32 MiB, not buffered further', async () => {
    next = huge(200, 'text/event-stream', MAX_ANSWER_BYTES + 8 * MiB);
    const adapter = create();
    try {
      const stream = await adapter.stream('m-1', request);
      const error = await failure(
        (async () => {
          for await (const event of stream.events) void event;
        })(),
      );
      expect(error).toMatchObject({
        class: 'server_error',
        code: 'malformed_response',
        inStream: true,
        provider: name,
      });
      expect(error.message).toBe(
        `${protocol} '${name}': malformed stream event: no complete event in more than 33554432 bytes`,
      );
      await expect.poll(() => droppedEarly).toBe(true);
    } finally {
      await adapter.close();
    }
  });

  it('an error body that repeats the key never shows it', async () => {
    next = answer(401, 'text/plain', `bad key ${KEY}`);
    const adapter = create();
    try {
      const error = await failure(adapter.generate('m-1', request));
      expect(error).toMatchObject({ class: 'auth', status: 401 });
      expect(error.message).not.toContain(KEY);
    } finally {
      await adapter.close();
    }
  });
});
