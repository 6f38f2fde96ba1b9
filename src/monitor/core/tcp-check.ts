import { connect } from 'node:net';
import { networkErrorText } from './network-error-text.js';

/**
 * Connects to `host:port` and closes at once; resolves to undefined when accepted, else the reason in one line.
 * Gives up at `signal` (the check's timeout).
 * @example await tcpProbe('127.0.0.1', 5432, AbortSignal.timeout(2000)) // undefined | 'connection refused (127.0.0.1:5432)'
 */
export function tcpProbe(host: string, port: number, signal: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (problem: string | undefined): void => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(problem);
    };
    const onAbort = (): void => done(`no answer (${host}:${port})`);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => done(undefined));
    socket.once('error', (error) => done(networkErrorText(error, `${host}:${port}`)));
  });
}
