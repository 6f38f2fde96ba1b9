import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../sim/start-simulator.js';
import { ListenError, listenFailure } from './listen-failure.js';
import { DEFAULT_SERVE_SIM_PORT, startServeSimulator } from './serve-simulator.js';

/** A port this test holds, so "taken" does not depend on what else runs on the machine. */
async function holdPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return { server, port: address.port };
}

describe('the simulator under failsoft serve', () => {
  const open: { close(): unknown }[] = [];
  afterEach(async () => {
    for (const item of open.splice(0)) await item.close();
  });
  const track = (sim: RunningSimulator): RunningSimulator => {
    open.push(sim);
    return sim;
  };

  it("listens on 8700 by default, where README's fault examples point", () => {
    expect(DEFAULT_SERVE_SIM_PORT).toBe(8700);
  });

  it('takes its default port when free', async () => {
    const held = await holdPort();
    await new Promise((resolve) => held.server.close(resolve));
    const { sim, warnings } = await startServeSimulator(undefined, held.port);
    track(sim);
    expect(sim.port).toBe(held.port);
    expect(warnings).toEqual([]);
  });

  it('when its default port is taken, takes any free one and says where', async () => {
    const held = await holdPort();
    open.push({ close: () => new Promise((resolve) => held.server.close(resolve)) });
    const { sim, warnings } = await startServeSimulator(undefined, held.port);
    track(sim);
    expect(sim.port).not.toBe(held.port);
    expect(warnings).toEqual([
      `failsoft serve: warning: port ${held.port} is in use, so the simulator listens on ${sim.url} instead: use that in its fault and stats URLs, or pick a port with --sim-port`,
    ]);
    expect((await fetch(`${sim.url}/_sim/stats`)).status).toBe(200);
  });

  it('a --sim-port that is taken is an error naming the flag', async () => {
    const held = await holdPort();
    open.push({ close: () => new Promise((resolve) => held.server.close(resolve)) });
    const failure = await startServeSimulator(held.port).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ListenError);
    expect((failure as Error).message).toBe(`port ${held.port} is in use: pick another with --sim-port`);
  });
});

describe('listenFailure', () => {
  it('names the port and the flag for a taken or privileged port, and passes anything else through', () => {
    const inUse = Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:8787'), {
      code: 'EADDRINUSE',
    });
    const failure = listenFailure(inUse, 8787, '--port');
    expect(failure).toBeInstanceOf(ListenError);
    expect((failure as Error).message).toBe('port 8787 is in use: pick another with --port');
    expect((failure as Error).cause).toBe(inUse);
    expect(
      (listenFailure(Object.assign(new Error('listen EACCES'), { code: 'EACCES' }), 80, '--port') as Error).message,
    ).toBe('port 80 needs privileges to listen on (ports below 1024 do): pick another with --port');
    const other = new Error('boom');
    expect(listenFailure(other, 8787, '--port')).toBe(other);
    expect(listenFailure('text', 8787, '--port')).toBe('text');
  });
});
