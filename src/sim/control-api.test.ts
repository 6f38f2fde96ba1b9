import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../model/fake-clock.js';
import { fakeSimProtocol } from './fake-sim-protocol.test-helper.js';
import { startSimulator, type RunningSimulator } from './start-simulator.js';

let sim: RunningSimulator;

beforeEach(async () => {
  sim = await startSimulator({
    port: 0,
    clock: new FakeClock(0),
    providers: { alpha: fakeSimProtocol, beta: fakeSimProtocol },
  });
});

afterEach(async () => {
  await sim.close();
});

async function control(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${sim.url}/_sim${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

function generate(provider: string): Promise<Response> {
  return fetch(`${sim.urlFor(provider)}/v1/generate`, {
    method: 'POST',
    headers: { 'x-key': 'k' },
    body: JSON.stringify({ model: 'm', prompt: 'hi' }),
  });
}

describe('control API: faults', () => {
  it('replaces the named providers’ rules, keeps the others, and serves them back', async () => {
    expect(await control('PUT', '/faults', { alpha: [{ kind: 'overloaded' }], beta: [{ kind: 'auth' }] })).toEqual({
      status: 200,
      json: { alpha: [{ kind: 'overloaded' }], beta: [{ kind: 'auth' }] },
    });
    await control('PUT', '/faults', { alpha: [{ kind: 'server_error', count: 1 }] });
    expect((await control('GET', '/faults')).json).toEqual({
      alpha: [{ kind: 'server_error', count: 1 }],
      beta: [{ kind: 'auth' }],
    });
    expect((await generate('alpha')).status).toBe(500);
    expect((await generate('beta')).status).toBe(401);
  });

  it('clears one provider with an empty list and all with DELETE', async () => {
    await control('PUT', '/faults', { alpha: [{ kind: 'overloaded' }], beta: [{ kind: 'auth' }] });
    expect((await control('PUT', '/faults', { alpha: [] })).json).toEqual({ beta: [{ kind: 'auth' }] });
    expect(await control('DELETE', '/faults')).toEqual({ status: 200, json: {} });
    expect((await generate('beta')).status).toBe(200);
  });

  it('rejects a bad document with a 400 naming the path, leaving the rules unchanged', async () => {
    await control('PUT', '/faults', { alpha: [{ kind: 'overloaded' }] });
    expect(await control('PUT', '/faults', { alpha: [{ kind: 'slow' }, { kind: 'overloaded', rate: 1.5 }] })).toEqual({
      status: 400,
      json: { error: 'faults.alpha[1].rate: must be ≤ 1' },
    });
    expect(await control('PUT', '/faults', { gamma: [] })).toEqual({
      status: 400,
      json: { error: 'faults.gamma: unknown provider (known: alpha, beta)' },
    });
    expect(await control('PUT', '/faults', '{"alpha": [')).toEqual({
      status: 400,
      json: { error: 'faults: not valid JSON' },
    });
    expect((await control('GET', '/faults')).json).toEqual({ alpha: [{ kind: 'overloaded' }] });
  });
});

describe('control API: limits', () => {
  it('sets, removes with null, serves and clears limits', async () => {
    expect(await control('PUT', '/limits', { alpha: { rpm: 1 }, beta: { tpm: 1000 } })).toEqual({
      status: 200,
      json: { alpha: { rpm: 1 }, beta: { tpm: 1000 } },
    });
    expect((await generate('alpha')).status).toBe(200);
    expect((await generate('alpha')).status).toBe(429);
    expect((await control('PUT', '/limits', { beta: null })).json).toEqual({ alpha: { rpm: 1 } });
    expect((await control('GET', '/limits')).json).toEqual({ alpha: { rpm: 1 } });
    expect(await control('DELETE', '/limits')).toEqual({ status: 200, json: {} });
    expect((await generate('alpha')).status).toBe(200);
  });

  it('rejects a bad document with a 400 naming the path', async () => {
    expect(await control('PUT', '/limits', { alpha: { rpm: -5 } })).toEqual({
      status: 400,
      json: { error: 'limits.alpha.rpm: must be > 0' },
    });
    expect(await control('PUT', '/limits', { alpha: { rpm: 5, burst: 2 } })).toEqual({
      status: 400,
      json: { error: 'limits.alpha.burst: unknown key' },
    });
  });
});

const NO_STREAM_FAULTS = { mid_stream_error: 0, truncated_stream: 0, stall_stream: 0 };
const NO_SLOW_STREAMS = { started: 0, completed: 0, abandoned: 0 };

describe('control API: stats', () => {
  it('counts requests and outcomes per provider and resets them', async () => {
    await control('PUT', '/faults', { beta: [{ kind: 'overloaded', count: 1 }] });
    await generate('alpha');
    await generate('beta');
    await generate('beta');
    expect(await control('GET', '/stats')).toEqual({
      status: 200,
      json: {
        alpha: { requests: 1, statuses: { '200': 1 }, streamFaults: NO_STREAM_FAULTS, slowStreams: NO_SLOW_STREAMS },
        beta: {
          requests: 2,
          statuses: { '529': 1, '200': 1 },
          streamFaults: NO_STREAM_FAULTS,
          slowStreams: NO_SLOW_STREAMS,
        },
      },
    });
    await control('DELETE', '/stats');
    expect(sim.stats().beta).toEqual({
      requests: 0,
      statuses: {},
      streamFaults: NO_STREAM_FAULTS,
      slowStreams: NO_SLOW_STREAMS,
    });
  });
});

describe('control API: paths', () => {
  it('answers unknown control paths with 404 and wrong methods with 405', async () => {
    expect((await control('GET', '/nothing')).status).toBe(404);
    expect((await control('PUT', '/stats', {})).status).toBe(405);
    expect((await control('POST', '/faults', {})).status).toBe(405);
  });
});
