import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimHttpReply } from './sim-protocol.js';

/** Sends a rendered reply in one `writeHead` + `end`, with an exact content-length. */
export function sendReply(res: ServerResponse, reply: SimHttpReply, extraHeaders?: Record<string, string>): void {
  const headers = extraHeaders ? { ...reply.headers, ...extraHeaders } : { ...reply.headers };
  headers['content-length'] = String(Buffer.byteLength(reply.body));
  res.writeHead(reply.status, headers);
  res.end(reply.body);
}

/** Sends a JSON body (the simulator's own answers: control API, unknown provider). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendReply(res, { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/**
 * Reads a request body as UTF-8 text. Calls `done(undefined)` as soon as it exceeds `maxBytes`
 * (and stops buffering). Nothing is called if the client aborts.
 */
export function readBody(req: IncomingMessage, maxBytes: number, done: (body: string | undefined) => void): void {
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) {
    done(undefined);
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  req.on('data', (chunk: Buffer) => {
    if (over) return;
    size += chunk.length;
    if (size > maxBytes) {
      over = true;
      chunks.length = 0;
      done(undefined);
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (over) return;
    const only = chunks.length === 1 ? chunks[0] : undefined;
    done(only ? only.toString('utf8') : Buffer.concat(chunks).toString('utf8'));
  });
}

/** Runs `fn` after `ms` unless the response closes first (client gone or simulator closing). */
export function afterDelay(res: ServerResponse, ms: number, fn: () => void): void {
  const timer = setTimeout(fn, ms);
  res.once('close', () => clearTimeout(timer));
}
