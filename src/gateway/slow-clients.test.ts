/**
 * Node's server timeouts against slow clients: a client that never finishes its headers, or its body,
 * is cut (408) close to the configured timeout, not at Node's 30 s sweep. Real time, short timeouts.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFailsoft, type Failsoft } from '../engine/failsoft.js';
import { startGateway, type RunningGateway } from './gateway-server.js';

let ai: Failsoft;
let gateway: RunningGateway;

beforeEach(async () => {
  // No provider is ever called here: the requests never complete.
  ai = createFailsoft(
    {
      providers: { gpt: { type: 'openai', baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'k' } },
      features: { chat: { tier: 'ai-only', route: ['gpt/gpt-4o'] } },
    },
    { env: {} },
  );
  gateway = await startGateway({
    ai,
    port: 0,
    host: '127.0.0.1',
    timeouts: { headersMs: 300, requestMs: 600, keepAliveMs: 200 },
  });
});

afterEach(async () => {
  await gateway.close();
  await ai.close();
});

/** Opens a raw connection, writes `text`, and resolves with what came back and when the server closed. */
function slowClient(text: string): Promise<{ reply: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket: Socket = connect(gateway.port, '127.0.0.1', () => socket.write(text));
    let reply = '';
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
    });
    socket.once('error', reject);
    socket.once('close', () => resolve({ reply, closedAfterMs: performance.now() - started }));
  });
}

describe('gateway: slow clients', () => {
  it('headers that never finish: 408 and closed soon after the headers timeout', async () => {
    const { reply, closedAfterMs } = await slowClient('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    expect(closedAfterMs).toBeGreaterThanOrEqual(250);
    expect(closedAfterMs).toBeLessThan(2_000);
  });

  it('a body that never finishes: closed soon after the request timeout', async () => {
    const head =
      'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"model":';
    const { closedAfterMs } = await slowClient(head);
    expect(closedAfterMs).toBeGreaterThanOrEqual(550);
    expect(closedAfterMs).toBeLessThan(2_500);
  });

  it('an idle keep-alive connection is closed after the keep-alive timeout', async () => {
    const { reply, closedAfterMs } = await slowClient('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 200/);
    expect(closedAfterMs).toBeGreaterThanOrEqual(150);
    expect(closedAfterMs).toBeLessThan(2_000);
  });
});
