/**
 * The bare pass-through proxy of `bench/gateway.ts`: node:http in, one keep-alive undici Pool out.
 *
 * `node --import tsx bench/bare-proxy.ts --upstream http://127.0.0.1:PORT/openai [--port 0]`
 *
 * It is the practical limit for a Node gateway: read the request body, forward it with the client's
 * `authorization`/`content-type` to `UPSTREAM + path`, then stream the answer back chunk by chunk
 * (status, `content-type`, body). No parsing, no policy, no translation. Prints
 * `listening on http://HOST:PORT` when ready; exits on SIGTERM.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';

const { values: flags } = parseArgs({
  options: { upstream: { type: 'string' }, port: { type: 'string', default: '0' } },
});
if (flags.upstream === undefined) throw new Error('--upstream URL is required');
const upstream = new URL(flags.upstream);
const prefix = upstream.pathname.replace(/\/$/, '');
const pool = new Pool(upstream.origin, { connections: 128, keepAliveTimeout: 60_000, pipelining: 1 });

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

async function forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  const headers: Record<string, string> = { 'content-type': req.headers['content-type'] ?? 'application/json' };
  if (req.headers.authorization !== undefined) headers.authorization = req.headers.authorization;
  const answer = await pool.request({
    origin: upstream.origin,
    path: prefix + (req.url ?? '/'),
    method: (req.method ?? 'GET') as 'POST',
    headers,
    body,
  });
  const type = answer.headers['content-type'];
  res.writeHead(answer.statusCode, typeof type === 'string' ? { 'content-type': type } : {});
  for await (const chunk of answer.body) {
    if (!res.write(chunk as Buffer)) await new Promise((resolve) => res.once('drain', resolve));
  }
  res.end();
}

const server = createServer({ keepAliveTimeout: 65_000, noDelay: true }, (req, res) => {
  forward(req, res).catch(() => {
    if (!res.headersSent) res.writeHead(502).end();
    else res.destroy();
  });
});
server.listen(Number(flags.port), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.close();
});
