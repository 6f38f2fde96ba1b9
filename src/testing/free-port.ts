import { createServer } from 'node:net';

/**
 * A TCP port free on 127.0.0.1 right now (the OS picks it; it is released before this resolves), for a
 * server a test or benchmark starts in another process, e.g. a Redis of its own or `failsoft serve --port`.
 * @example const port = await freePort(); spawn('redis-server', ['--port', String(port)]);
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('the OS gave no port')),
      );
    });
  });
}
