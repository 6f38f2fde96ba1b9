import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import type { CancelSource } from '../../model/cancel-signal.js';
import { cancelOnDisconnect } from './cancel-on-disconnect.js';
import { startStepServer, type StepServer } from './step-server.test-helper.js';

let server: StepServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('step: cancel on disconnect', () => {
  it('cancels the call when the client leaves before the answer ended, saying why', async () => {
    let signal: CancelSource | undefined;
    server = await startStepServer((req, res) => {
      req.resume();
      signal = cancelOnDisconnect(res);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial'); // and never ends
    });
    const client = new AbortController();
    const pending = request(server.url, { method: 'POST', body: '{}', signal: client.signal })
      .then((r) => r.body.text())
      .catch((error: unknown) => error);
    await expect.poll(() => signal, { timeout: 2_000, interval: 5 }).toBeDefined();
    expect(signal?.aborted).toBe(false);
    client.abort();
    await pending;
    await expect.poll(() => signal?.aborted, { timeout: 2_000, interval: 5 }).toBe(true);
    expect(String(signal?.reason)).toMatch(/client closed the connection/);
    expect(server.responses[0]?.clientGone).toBe(signal);
  });

  it('leaves a call alone whose answer was sent in full', async () => {
    let signal: CancelSource | undefined;
    server = await startStepServer((req, res) => {
      req.resume();
      signal = cancelOnDisconnect(res);
      res.end('done');
    });
    const res = await request(server.url, { method: 'POST', body: '{}' });
    expect(await res.body.text()).toBe('done');
    await expect.poll(() => server?.responses[0]?.closed, { timeout: 2_000, interval: 5 }).toBe(true);
    expect(signal?.aborted).toBe(false);
  });
});
