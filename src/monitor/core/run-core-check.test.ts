import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreCheckTarget } from '../../engine/config/checks-config.js';
import { freePort } from '../../testing/free-port.js';
import { runCoreCheck } from './run-core-check.js';

let server: Server;
let base: string;
let closedPort: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/hang') return; // never answers
    if (req.url === '/fail') return res.writeHead(500).end('boom');
    res.writeHead(200, { 'content-type': 'text/plain' }).end('status: healthy');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  closedPort = await freePort();
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function check(target: CoreCheckTarget, timeoutMs = 2_000): Parameters<typeof runCoreCheck>[0] {
  return { name: 'c', path: 'checks.core[0]', timeoutMs, target };
}

describe('core checks', () => {
  it('http: ok on 2xx, critical on 500 naming the status, contains checked, a hang cut at the timeout', async () => {
    expect(await runCoreCheck(check({ kind: 'http', value: `${base}/` }), {})).toMatchObject({
      status: 'ok',
      detail: 'ok',
      group: 'core',
    });
    expect(await runCoreCheck(check({ kind: 'http', value: `${base}/fail` }), {})).toMatchObject({
      status: 'critical',
      detail: 'HTTP 500 (expected 2xx)',
    });
    expect(await runCoreCheck(check({ kind: 'http', value: `${base}/fail`, status: [500] }), {})).toMatchObject({
      status: 'ok',
    });
    expect(await runCoreCheck(check({ kind: 'http', value: `${base}/`, contains: 'healthy' }), {})).toMatchObject({
      status: 'ok',
    });
    expect((await runCoreCheck(check({ kind: 'http', value: `${base}/`, contains: 'sick' }), {})).detail).toContain(
      'does not contain "sick"',
    );
    const hang = await runCoreCheck(check({ kind: 'http', value: `${base}/hang` }, 200), {});
    expect(hang).toMatchObject({ status: 'critical', detail: 'timed out after 200 ms' });
    expect(hang.ms).toBeGreaterThanOrEqual(150);
    expect(hang.ms).toBeLessThan(1_500);
  });

  it('http from the environment: read at run time; unset says which variable and where', async () => {
    expect(await runCoreCheck(check({ kind: 'http', env: 'API_URL' }), { API_URL: `${base}/` })).toMatchObject({
      status: 'ok',
    });
    expect((await runCoreCheck(check({ kind: 'http', env: 'API_URL' }), {})).detail).toBe(
      'environment variable API_URL is not set (checks.core[0].httpEnv)',
    );
  });

  it('tcp, postgres and redis against a closed port: connection refused with the address, never the password', async () => {
    const port = Number(new URL(base).port);
    expect(await runCoreCheck(check({ kind: 'tcp', host: '127.0.0.1', port }), {})).toMatchObject({ status: 'ok' });
    expect(await runCoreCheck(check({ kind: 'tcp', host: '127.0.0.1', port: closedPort }), {})).toMatchObject({
      status: 'critical',
      detail: `connection refused (127.0.0.1:${closedPort})`,
    });
    const pg = await runCoreCheck(
      check({ kind: 'postgres', value: `postgres://app:s3cret@127.0.0.1:${closedPort}/app` }),
      {},
    );
    expect(pg).toMatchObject({ status: 'critical', detail: `connection refused (127.0.0.1:${closedPort})` });
    const redis = await runCoreCheck(check({ kind: 'redis', value: `redis://:s3cret@127.0.0.1:${closedPort}` }), {});
    expect(redis).toMatchObject({ status: 'critical', detail: `connection refused (127.0.0.1:${closedPort})` });
  });

  it('command: exit 0 ok; otherwise the exit code and the last stderr line; a missing program named', async () => {
    expect(
      await runCoreCheck(check({ kind: 'command', argv: [process.execPath, '-e', 'process.exit(0)'] }), {}),
    ).toMatchObject({ status: 'ok' });
    const failed = await runCoreCheck(
      check({ kind: 'command', argv: [process.execPath, '-e', 'console.error("db: no response"); process.exit(2)'] }),
      {},
    );
    expect(failed).toMatchObject({ status: 'critical', detail: 'exit 2: db: no response' });
    expect((await runCoreCheck(check({ kind: 'command', argv: ['/no/such/program'] }), {})).detail).toBe(
      '/no/such/program: command not found',
    );
  });
});
