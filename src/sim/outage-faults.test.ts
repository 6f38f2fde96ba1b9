import { request as httpRequest, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeSimProtocol } from './fake-sim-protocol.test-helper.js';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from './start-simulator.js';

/**
 * The outage shapes on the wire (fake protocol, real sockets, real timers with short delays): a slow
 * but healthy stream, a stream that hangs mid-answer, a hang before any header, a slow first byte.
 */

let sim: RunningSimulator | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  sim = await startSimulator({ port: 0, providers: { fake: fakeSimProtocol }, ...options });
  return sim;
}

const PROMPT = 'one two three four five six seven eight nine';

/** A raw request: resolves with the response once its headers arrive (or never). */
function send(target: RunningSimulator, path: string, signal?: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${target.urlFor('fake')}${path}`,
      { method: 'POST', headers: { 'x-key': 'k', 'content-type': 'application/json' }, signal },
      resolve,
    );
    req.once('error', reject);
    req.end(JSON.stringify({ model: 'm1', prompt: PROMPT }));
  });
}

interface Timed {
  status: number;
  headersAtMs: number;
  chunks: { atMs: number; text: string }[];
  endedAtMs: number;
}

/** Sends a request and records when the headers, each body chunk and the end arrived. */
async function timed(target: RunningSimulator, path: string): Promise<Timed> {
  const started = performance.now();
  const res = await send(target, path);
  const headersAtMs = performance.now() - started;
  const chunks: { atMs: number; text: string }[] = [];
  for await (const chunk of res) chunks.push({ atMs: performance.now() - started, text: (chunk as Buffer).toString() });
  return { status: res.statusCode ?? 0, headersAtMs, chunks, endedAtMs: performance.now() - started };
}

function deltasOf(body: string): string[] {
  return body
    .split('\n')
    .filter((line) => line.startsWith('delta '))
    .map((line) => JSON.parse(line.slice('delta '.length)) as string);
}

describe('slow_stream: a long, healthy answer', () => {
  it('streams every delta chunkDelayMs apart for the whole duration, then ends normally', async () => {
    const s = await start({ faults: { fake: [{ kind: 'slow_stream', durationMs: 300, chunkDelayMs: 30 }] } });
    const result = await timed(s, '/v1/stream');
    const body = result.chunks.map((c) => c.text).join('');
    expect(deltasOf(body)).toHaveLength(11);
    expect(body.trimEnd().endsWith('end end')).toBe(true);
    expect(result.headersAtMs).toBeLessThan(100);
    expect(result.endedAtMs).toBeGreaterThanOrEqual(290);
    const gaps = result.chunks.slice(1).map((c, i) => c.atMs - (result.chunks[i]?.atMs ?? 0));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(20);
    expect(s.stats().fake?.slowStreams).toEqual({ started: 1, completed: 1, abandoned: 0 });
    expect(s.stats().fake?.statuses).toEqual({ '200': 1 });
  });

  it('delays a non-stream answer by the same total and sends the same long text', async () => {
    const s = await start({ faults: { fake: [{ kind: 'slow_stream', chunks: 8, chunkDelayMs: 40 }] } });
    const result = await timed(s, '/v1/generate');
    expect(result.status).toBe(200);
    expect(result.headersAtMs).toBeGreaterThanOrEqual(270);
    const answer = JSON.parse(result.chunks.map((c) => c.text).join('')) as { textChunks: string[]; stop: string };
    expect(answer.textChunks).toHaveLength(8);
    expect(answer.stop).toBe('end');
  });

  it('counts a slow stream the client leaves as abandoned, and stops writing to it', async () => {
    const s = await start({ faults: { fake: [{ kind: 'slow_stream', durationMs: 5_000, chunkDelayMs: 20 }] } });
    const abort = new AbortController();
    const res = await send(s, '/v1/stream', abort.signal);
    res.on('error', () => undefined);
    await new Promise((resolve) => res.once('data', resolve));
    abort.abort();
    await vi.waitFor(() => expect(s.stats().fake?.slowStreams).toEqual({ started: 1, completed: 0, abandoned: 1 }));
  });

  it('adds the latency of slow rules before it to its first byte', async () => {
    const s = await start({
      faults: {
        fake: [
          { kind: 'slow', latencyMs: 150 },
          { kind: 'slow_stream', chunks: 8, chunkDelayMs: 10 },
        ],
      },
    });
    const result = await timed(s, '/v1/stream');
    expect(result.headersAtMs).toBeGreaterThanOrEqual(140);
    expect(deltasOf(result.chunks.map((c) => c.text).join(''))).toHaveLength(8);
  });
});

describe('hangs', () => {
  it('stall_stream: headers and afterChunks deltas, then silence with the socket held open', async () => {
    const s = await start({ faults: { fake: [{ kind: 'stall_stream', afterChunks: 1 }] } });
    const res = await send(s, '/v1/stream');
    expect(res.statusCode).toBe(200);
    let received = '';
    let ended = false;
    res.on('data', (chunk: Buffer) => {
      received += chunk.toString();
    });
    res.on('end', () => {
      ended = true;
    });
    res.on('error', () => undefined);
    await vi.waitFor(() => expect(received).toBe('start\ndelta "Simulated reply from "\n'));
    await new Promise((resolve) => setTimeout(resolve, 150)); // deliberate: nothing more may arrive in 150 ms
    expect(received).toBe('start\ndelta "Simulated reply from "\n');
    expect(ended).toBe(false);
    expect(s.stats().fake?.streamFaults).toEqual({ mid_stream_error: 0, truncated_stream: 0, stall_stream: 1 });
    await s.close();
  });

  it('stall_stream passes non-stream requests by', async () => {
    const s = await start({ faults: { fake: [{ kind: 'stall_stream' }] } });
    expect((await timed(s, '/v1/generate')).status).toBe(200);
  });

  it('timeout holds a streamed request without sending a status or headers', async () => {
    const s = await start({ faults: { fake: [{ kind: 'timeout' }] } });
    let headers = false;
    const pending = send(s, '/v1/stream').then(
      () => {
        headers = true;
      },
      () => undefined,
    );
    await vi.waitFor(() => expect(s.stats().fake?.statuses['timeout']).toBe(1));
    await new Promise((resolve) => setTimeout(resolve, 150)); // deliberate: no headers may arrive in 150 ms
    expect(headers).toBe(false);
    await s.close();
    await pending;
    expect(headers).toBe(false);
  });

  it('slow delays a stream’s first byte, headers included, and a non-stream answer alike', async () => {
    const s = await start({ faults: { fake: [{ kind: 'slow', latencyMs: 120 }] } });
    const streamed = await timed(s, '/v1/stream');
    expect(streamed.headersAtMs).toBeGreaterThanOrEqual(110);
    expect(streamed.chunks[0]?.atMs).toBeGreaterThanOrEqual(110);
    expect((await timed(s, '/v1/generate')).headersAtMs).toBeGreaterThanOrEqual(110);
  });
});
