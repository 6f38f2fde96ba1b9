import { hostname } from 'node:os';
import type { Clock } from '../model/clock.js';
import type { ResolvedStore } from '../engine/config/resolve-config.js';
import { MemoryStore } from './memory-store.js';
import { DEFAULT_STORE_DIR, PgliteStore } from './pglite-store.js';
import { PostgresStore } from './postgres-store.js';
import { RecordWriter, type RecordWriterLog } from './record-writer.js';
import type { RecordWriterStatus, Store } from './store.js';
import { DEFAULT_RETAIN_DAYS, startStorePruner, type StorePruner } from './store-pruner.js';

/** A store and what it is, for a start-up line and `/health/ready`. */
export interface CreatedStore {
  store: Store;
  backend: RecordWriterStatus['backend'];
  /** Where it is, without secrets: `pglite /abs/.failsoft` or `postgres 127.0.0.1:5432/app`. */
  where: string;
}

/** Thrown for a DATABASE_URL that is not a PostgreSQL URL (the message names the variable, never the password). */
export class StoreConfigError extends Error {
  override readonly name = 'StoreConfigError';
}

/** `postgres://user:secret@host:5432/db` → `host:5432/db`; throws naming DATABASE_URL when it is not a PostgreSQL URL. */
export function describeDatabaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StoreConfigError('DATABASE_URL (environment) is not a URL: expected postgres://user@host:5432/database');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new StoreConfigError(
      `DATABASE_URL (environment) must start with postgres:// or postgresql://, got ${parsed.protocol}//`,
    );
  }
  return `${parsed.host}${parsed.pathname}`;
}

/**
 * The store the configuration asks for: PostgreSQL when `DATABASE_URL` is set in `env`, otherwise the
 * embedded PGlite database in `store.dir` (default `./.failsoft`); `memory: true` for tests. Nothing is
 * opened or loaded yet: the first call (normally `migrate()`) does that.
 * @example const { store } = createStore(config.store, process.env); await store.migrate();
 */
export function createStore(
  config: ResolvedStore | undefined,
  env: Record<string, string | undefined> = process.env,
  options: { memory?: boolean } = {},
): CreatedStore {
  if (options.memory || config?.memory === true)
    return { store: new MemoryStore(), backend: 'memory', where: 'memory' };
  const url = env.DATABASE_URL?.trim();
  if (url)
    return { store: new PostgresStore({ url }), backend: 'postgres', where: `postgres ${describeDatabaseUrl(url)}` };
  const dir = config?.dir ?? DEFAULT_STORE_DIR;
  return { store: new PgliteStore({ dir }), backend: 'pglite', where: `pglite ${dir}` };
}

/** The record side of a running failsoft: the store, the writer the request side enqueues into, the pruner. */
export interface RecordStore extends CreatedStore {
  writer: RecordWriter;
  pruner: StorePruner;
  /** Which instance this process writes as (every row carries it). */
  instance: string;
  /** Final flush (time-bounded), stops the pruner, closes the store. */
  close(): Promise<void>;
}

/**
 * Opens the configured store, migrates it, and starts the batching writer (buffer `store.bufferRecords`)
 * and the hourly pruner (`store.retainDays`). Rejects when the store cannot be opened at start (e.g. the
 * directory is held by another process, or the database refuses), so `serve` can say why.
 * @example const records = await openRecordStore(config.store, process.env, { log }); records.writer.appendEvent(e);
 */
export async function openRecordStore(
  config: ResolvedStore | undefined,
  env: Record<string, string | undefined> = process.env,
  options: { clock?: Clock; log?: RecordWriterLog; memory?: boolean; instance?: string } = {},
): Promise<RecordStore> {
  const created = createStore(config, env, options.memory === undefined ? {} : { memory: options.memory });
  try {
    await created.store.migrate();
  } catch (error) {
    await created.store.close().catch(() => undefined);
    throw error;
  }
  const clock = options.clock === undefined ? {} : { clock: options.clock };
  const writer = new RecordWriter(created.store, {
    backend: created.backend,
    ...(config === undefined ? {} : { bufferRecords: config.bufferRecords }),
    ...clock,
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  const pruner = startStorePruner(created.store, {
    retainDays: config?.retainDays ?? DEFAULT_RETAIN_DAYS,
    ...clock,
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  return {
    ...created,
    writer,
    pruner,
    instance: options.instance ?? (env.FAILSOFT_INSTANCE?.trim() || `${hostname()}:${process.pid}`),
    async close() {
      pruner.stop();
      await writer.close();
      await created.store.close();
    },
  };
}
