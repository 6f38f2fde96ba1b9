import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../model/fake-clock.js';
import { fakeSimProtocol } from './fake-sim-protocol.test-helper.js';
import { SimDocumentError } from './sim-document-error.js';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from './start-simulator.js';

let sim: RunningSimulator | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  sim = await startSimulator({ port: 0, providers: { fake: fakeSimProtocol }, ...options });
  return sim;
}

function call(
  target: RunningSimulator,
  path: string,
  body: unknown = { model: 'm1', prompt: 'Hello there' },
  key = 'k',
): Promise<Response> {
  return fetch(`${target.urlFor('fake')}${path}`, {
    method: 'POST',
    headers: { 'x-key': key, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('startSimulator', () => {
  it('listens on a free port and serves each provider under its own prefix', async () => {
    const s = await start();
    expect(s.url).toBe(`http://127.0.0.1:${s.port}`);
    expect(s.urlFor('fake')).toBe(`${s.url}/fake`);
    expect(() => s.urlFor('nope')).toThrow(/unknown simulator provider "nope"/);
    const res = await call(s, '/v1/generate');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { text: string; stop: string };
    expect(body.text).toBe('Simulated reply from fake (m1): Hello there');
    expect(res.headers.get('content-length')).toBe(String(JSON.stringify(body).length));
  });

  it("urlFor is the base URL each SDK takes: OpenAI's with /v1, Anthropic's and Gemini's without", async () => {
    const s = await start({
      providers: { anthropic: 'anthropic', openai: 'openai', gemini: 'gemini', local: 'openai' },
    });
    expect(s.urlFor('anthropic')).toBe(`${s.url}/anthropic`);
    expect(s.urlFor('openai')).toBe(`${s.url}/openai/v1`);
    expect(s.urlFor('local')).toBe(`${s.url}/local/v1`);
    expect(s.urlFor('gemini')).toBe(`${s.url}/gemini`);
    // What the OpenAI SDK and failsoft's adapter do with it: append /chat/completions.
    const res = await fetch(`${s.urlFor('openai')}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
  });

  it('answers an unknown provider prefix with a JSON 404 naming the known providers', async () => {
    const s = await start();
    const res = await fetch(`${s.url}/mistral/v1/chat/completions`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: 'unknown provider "mistral": this simulator serves /fake and /_sim',
      providers: ['fake'],
    });
  });

  it('passes the configured API key to the protocol and counts rejected requests', async () => {
    const s = await start({ apiKeys: { fake: 'right' } });
    expect((await call(s, '/v1/generate', undefined, 'wrong')).status).toBe(401);
    expect((await call(s, '/v1/generate', undefined, 'right')).status).toBe(200);
    expect((await call(s, '/v1/nowhere', undefined, 'right')).status).toBe(404);
    expect((await call(s, '/v1/generate', '{not json', 'right')).status).toBe(400);
    expect(s.stats().fake).toEqual({
      requests: 4,
      statuses: { '200': 1, '401': 1, '404': 1, '400': 1 },
      streamFaults: { mid_stream_error: 0, truncated_stream: 0, stall_stream: 0 },
      slowStreams: { started: 0, completed: 0, abandoned: 0 },
    });
  });

  it('serves the configured model list', async () => {
    const s = await start({ models: { fake: ['alpha', 'beta'] } });
    const res = await fetch(`${s.urlFor('fake')}/v1/models`, { headers: { 'x-key': 'k' } });
    expect(await res.json()).toEqual({ models: ['alpha', 'beta'] });
  });

  it('rejects options that name unknown providers', async () => {
    await expect(start({ faults: { other: [{ kind: 'overloaded' }] } })).rejects.toThrow(SimDocumentError);
    await expect(start({ apiKeys: { other: 'k' } })).rejects.toThrow('apiKeys.other: unknown provider (known: fake)');
    await expect(startSimulator({ port: 0, providers: { x: 'cohere' as 'openai' } })).rejects.toThrow(
      /unknown protocol "cohere"/,
    );
    await expect(start({ keyless: ['other'] })).rejects.toThrow('keyless: unknown provider "other" (known: fake)');
    await expect(start({ keyless: ['fake'], apiKeys: { fake: 'k' } })).rejects.toThrow(
      'keyless: "fake" also has apiKeys.fake: a provider either needs that key or none',
    );
  });

  it('a keyless provider answers without a key, as local servers do; the others keep their 401', async () => {
    const s = await start({ providers: { openai: 'openai', local: 'openai' }, keyless: ['local'] });
    const post = (name: string): Promise<Response> =>
      fetch(`${s.urlFor(name)}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'llama3.1:8b', messages: [{ role: 'user', content: 'hi' }] }),
      });
    expect((await post('local')).status).toBe(200);
    const refused = await post('openai');
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({
      error: { message: expect.stringMatching(/^You didn't provide an API key/) as unknown },
    });
  });

  it('answers a body over the size limit with the protocol error and closes the connection', async () => {
    const s = await start({ maxBodyBytes: 100 });
    const res = await call(s, '/v1/generate', { model: 'm1', prompt: 'x'.repeat(200) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ fault: 'bad_request' });
    expect(res.headers.get('connection')).toBe('close');
  });
});

describe('faults on the wire', () => {
  it('renders an HTTP fault for the next n requests, then answers normally', async () => {
    const s = await start({ faults: { fake: [{ kind: 'overloaded', count: 2, retryAfterS: 3 }] } });
    const first = await call(s, '/v1/generate');
    expect(first.status).toBe(529);
    expect(first.headers.get('retry-after')).toBe('3');
    expect(await first.json()).toEqual({ fault: 'overloaded', model: 'm1' });
    expect((await call(s, '/v1/generate')).status).toBe(529);
    expect((await call(s, '/v1/generate')).status).toBe(200);
    expect(s.stats().fake?.statuses).toEqual({ '529': 2, '200': 1 });
  });

  it('delays the answer by a slow rule', async () => {
    const s = await start({ faults: { fake: [{ kind: 'slow', latencyMs: 120 }] } });
    const started = performance.now();
    const res = await call(s, '/v1/generate');
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
  });

  it('destroys the socket without an answer on reset', async () => {
    const s = await start({ faults: { fake: [{ kind: 'reset', count: 1 }] } });
    await expect(call(s, '/v1/generate')).rejects.toThrow();
    expect((await call(s, '/v1/generate')).status).toBe(200);
    expect(s.stats().fake?.statuses).toEqual({ reset: 1, '200': 1 });
  });

  it('holds a timeout request open and still closes promptly', async () => {
    const s = await start({ faults: { fake: [{ kind: 'timeout' }] } });
    const pending = call(s, '/v1/generate').then(
      () => 'answered',
      () => 'failed',
    );
    await vi.waitFor(() => expect(s.stats().fake?.statuses['timeout']).toBe(1));
    await s.close();
    expect(await pending).toBe('failed');
  });

  it('cuts a stream with an error frame after afterChunks deltas', async () => {
    const s = await start({ faults: { fake: [{ kind: 'mid_stream_error', afterChunks: 1 }] } });
    const res = await call(s, '/v1/stream', { model: 'm1', prompt: 'one two three four five six seven' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('start\ndelta "Simulated reply from "\nerror\n');
    expect(s.stats().fake?.streamFaults).toEqual({ mid_stream_error: 1, truncated_stream: 0, stall_stream: 0 });
  });

  it('ends a truncated stream without its tail, and leaves non-stream requests alone', async () => {
    const s = await start({ faults: { fake: [{ kind: 'truncated_stream' }] } });
    expect((await call(s, '/v1/generate')).status).toBe(200);
    const text = await (await call(s, '/v1/stream', { model: 'm1', prompt: 'one two three four five six' })).text();
    expect(text).toBe('start\ndelta "Simulated reply from "\ndelta "fake (m1): one "\n');
    expect(s.stats().fake?.streamFaults.truncated_stream).toBe(1);
  });

  it('paces stream deltas and sends the whole stream in order', async () => {
    const s = await start({ chunkDelayMs: 5 });
    const res = await call(s, '/v1/stream', { model: 'm1', prompt: 'one two three four five six seven eight nine' });
    const lines = (await res.text()).trim().split('\n');
    expect(lines[0]).toBe('start');
    expect(lines.at(-1)).toBe('end end');
    expect(
      lines
        .slice(1, -1)
        .map((line) => JSON.parse(line.slice('delta '.length)) as string)
        .join(''),
    ).toBe('Simulated reply from fake (m1): one two three four five six seven eight nine');
  });

  it('applies rules set at run time and clears them', async () => {
    const s = await start();
    s.setFaults({ fake: [{ kind: 'server_error' }] });
    expect((await call(s, '/v1/generate')).status).toBe(500);
    expect(s.faults()).toEqual({ fake: [{ kind: 'server_error' }] });
    s.clearFaults();
    expect((await call(s, '/v1/generate')).status).toBe(200);
    expect(() => s.setFaults({ fake: [{ kind: 'server_error', rate: 3 }] })).toThrow(
      'faults.fake[0].rate: must be ≤ 1',
    );
  });
});

describe('limits on the wire', () => {
  it('refuses over the rpm limit with the protocol 429 and admits again after refill', async () => {
    const clock = new FakeClock(0);
    const s = await start({ clock, limits: { fake: { rpm: 1 } } });
    const first = await call(s, '/v1/generate');
    expect(first.status).toBe(200);
    expect(first.headers.get('x-remaining-requests')).toBe('0');
    const refused = await call(s, '/v1/generate');
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({ dimension: 'requests', limit: 1, requested: 1, retryAfterMs: 60_000 });
    await clock.advance(60_000);
    expect((await call(s, '/v1/generate')).status).toBe(200);
    expect(s.stats().fake?.statuses).toEqual({ '200': 2, '429': 1 });
  });

  it('checks faults before limits: a faulted request uses no budget but carries the headers', async () => {
    const s = await start({
      clock: new FakeClock(0),
      limits: { fake: { rpm: 1 } },
      faults: { fake: [{ kind: 'overloaded', count: 1 }] },
    });
    const faulted = await call(s, '/v1/generate');
    expect(faulted.status).toBe(529);
    expect(faulted.headers.get('x-remaining-requests')).toBe('1');
    expect((await call(s, '/v1/generate')).status).toBe(200);
  });

  it('charges streamed output to otpm and sends the headers on streams', async () => {
    const s = await start({ clock: new FakeClock(0), limits: { fake: { otpm: 5 } } });
    const res = await call(s, '/v1/stream');
    expect(res.headers.get('x-remaining-output-tokens')).toBe('0');
    await res.text();
    expect((await call(s, '/v1/stream')).status).toBe(429);
  });

  it('removes limits with null and with clearLimits', async () => {
    const s = await start({ clock: new FakeClock(0), limits: { fake: { rpm: 1 } } });
    await call(s, '/v1/generate');
    s.setLimits({ fake: null });
    expect(s.limits()).toEqual({});
    const res = await call(s, '/v1/generate');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-remaining-requests')).toBeNull();
    s.setLimits({ fake: { tpm: 10 } });
    s.clearLimits();
    expect((await call(s, '/v1/generate')).status).toBe(200);
  });
});
