/**
 * The on-call end of the demo's webhook channel: an HTTP server on 127.0.0.1 that keeps every alert body it
 * receives, so the report counts what was delivered (not what was meant to be sent).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One alert as the webhook received it. */
export interface ReceivedAlert {
  /** Real time of arrival (epoch ms). */
  at: number;
  status: 'firing' | 'resolved';
  severity: string;
  incidentId: string;
  summary: string;
}

/** A running sink. */
export interface AlertSink {
  url: string;
  /** What arrived so far, in order. */
  received(): readonly ReceivedAlert[];
  /** Resolves true once an alert matching `predicate` has arrived, or false after `timeoutMs`. */
  waitFor(predicate: (alert: ReceivedAlert) => boolean, timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Reads a webhook body (`{ status, severity, incident: { id }, summary }`); undefined when it is not one.
 * @example parseAlertBody('{"status":"firing","severity":"warning","incident":{"id":"inc-1"},"summary":"…"}', 0)
 */
export function parseAlertBody(text: string, at: number): ReceivedAlert | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const { status, severity, incident, summary } = body as Record<string, unknown>;
  const id = typeof incident === 'object' && incident !== null ? (incident as Record<string, unknown>).id : undefined;
  if ((status !== 'firing' && status !== 'resolved') || typeof id !== 'string') return undefined;
  return {
    at,
    status,
    severity: typeof severity === 'string' ? severity : 'unknown',
    incidentId: id,
    summary: typeof summary === 'string' ? summary : '',
  };
}

/** Starts the sink on any free port; a body that is not an alert gets a 400 (and is not kept). */
export async function startAlertSink(): Promise<AlertSink> {
  const alerts: ReceivedAlert[] = [];
  const waiters = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const alert =
        req.method === 'POST' ? parseAlertBody(Buffer.concat(chunks).toString('utf8'), Date.now()) : undefined;
      if (!alert) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('expected POST with a failsoft webhook alert body\n');
        return;
      }
      alerts.push(alert);
      res.writeHead(204).end();
      for (const wake of waiters) wake();
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
  return {
    url: `http://127.0.0.1:${port}/alerts`,
    received: () => alerts,
    waitFor(predicate, timeoutMs) {
      if (alerts.some(predicate)) return Promise.resolve(true);
      return new Promise((resolve) => {
        const wake = (): void => {
          if (!alerts.some(predicate)) return;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(true);
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          resolve(false);
        }, timeoutMs);
        waiters.add(wake);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
