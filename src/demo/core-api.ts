/**
 * The demo's "core": the part of a product that must never go down with its AI. A small HTTP API over its own
 * embedded PostgreSQL (PGlite in a temporary directory) that never calls a provider: `POST /api/orders` writes a
 * row, `GET /api/orders/:id` reads one, `GET /health` runs `select 1` (the monitor's core check).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { openPgliteClient } from '../store/pglite-store.js';
import type { SqlClient } from '../store/sql-client.js';

/** Where the demo keeps the core's database between runs: creating one costs seconds, reopening it one. */
export const KEPT_CORE_DIR = 'failsoft-demo-core';

/**
 * The core API on the database kept in `<tmpdir>/failsoft-demo-core` (about 40 MB), so a second demo starts in
 * about a second; when that one cannot be used (another demo holds it, it is damaged), on a new one in `freshDir`.
 * @example const core = await startKeptCoreApi(tmpdir(), join(runDir, 'core'));
 */
export async function startKeptCoreApi(tempRoot: string, freshDir: string): Promise<CoreApi> {
  try {
    return await startCoreApi(join(tempRoot, KEPT_CORE_DIR));
  } catch {
    return startCoreApi(freshDir);
  }
}

/** A running core API. */
export interface CoreApi {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  close(): Promise<void>;
}

/**
 * Opens the database in `dir` (created if new; a table `orders`) and serves the API on 127.0.0.1 (any free port).
 * @example const core = await startCoreApi(mkdtempSync(join(tmpdir(), 'core-'))); await fetch(`${core.url}/health`);
 */
export async function startCoreApi(dir: string): Promise<CoreApi> {
  const db = await openPgliteClient(dir);
  try {
    return await serveCoreApi(db);
  } catch (error) {
    await db.close();
    throw error;
  }
}

/**
 * Serves the API over an open database (its table created afresh); closing the API closes the database.
 * @example const core = await serveCoreApi(await openPgliteClient(dir));
 */
export async function serveCoreApi(db: SqlClient): Promise<CoreApi> {
  // Every run starts with no orders (the database may be one kept from an earlier run).
  await db.exec(
    'drop table if exists orders; create table orders (id serial primary key, item text not null, created_at timestamptz not null default now())',
  );
  const server = createServer((req, res) => {
    handle(db, req, res).catch((error: unknown) =>
      send(res, 500, { error: error instanceof Error ? error.message : String(error) }),
    );
  });
  server.keepAliveTimeout = 10_000;
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await db.close();
    },
  };
}

const ORDER_PATH = /^\/api\/orders\/(\d{1,12})$/;

async function handle(db: SqlClient, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (req.method === 'GET' && path === '/health') {
    await db.query('select 1');
    return send(res, 200, { status: 'ok' });
  }
  if (req.method === 'POST' && path === '/api/orders') {
    const body = await readJson(req);
    const item =
      typeof body === 'object' && body !== null && 'item' in body && typeof body.item === 'string'
        ? body.item
        : undefined;
    if (item === undefined || item.length === 0 || item.length > 200)
      return send(res, 400, { error: 'body: expected { "item": "<1 to 200 characters>" }' });
    const result = await db.query('insert into orders (item) values ($1) returning id', [item]);
    return send(res, 201, { id: Number(result.rows[0]?.id) });
  }
  const match = ORDER_PATH.exec(path);
  if (req.method === 'GET' && match) {
    const result = await db.query('select id, item from orders where id = $1', [Number(match[1])]);
    const row = result.rows[0];
    return row
      ? send(res, 200, { id: Number(row.id), item: String(row.item) })
      : send(res, 404, { error: `order ${match[1]} not found` });
  }
  send(res, 404, {
    error: `no route ${req.method ?? 'GET'} ${path} (try POST /api/orders, GET /api/orders/ID, GET /health)`,
  });
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 64 * 1024) chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        resolve(size > 64 * 1024 ? undefined : JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        resolve(undefined);
      }
    });
  });
}

function send(res: ServerResponse, status: number, body: object): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
