import { join, resolve } from 'node:path';
import { acquireDirLock } from './dir-lock.js';
import type { SqlClient, SqlQueryable, SqlResult } from './sql-client.js';
import { SqlStore } from './sql-store.js';

/** Where and how the embedded store keeps its data. */
export interface PgliteStoreOptions {
  /** failsoft's directory (default `./.failsoft`): the database is in `<dir>/pgdata`, the process lock in `<dir>/failsoft.lock`. */
  dir?: string;
  /** PostgreSQL schema for the tables (default `public`; tests use one per test). */
  schema?: string;
}

/** The default store directory, relative to the working directory. */
export const DEFAULT_STORE_DIR = './.failsoft';

interface PgliteResultLike {
  rows: unknown[];
  affectedRows?: number;
}

interface PgliteLike {
  query(sql: string, params?: unknown[]): Promise<PgliteResultLike>;
  exec(sql: string): Promise<unknown>;
}

interface PgliteDbLike extends PgliteLike {
  transaction<T>(fn: (tx: PgliteLike) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

function queryable(db: PgliteLike): SqlQueryable {
  return {
    async query(sql, params = []): Promise<SqlResult> {
      const result = await db.query(sql, [...params]);
      return { rows: result.rows as Array<Record<string, unknown>>, rowCount: result.affectedRows ?? 0 };
    },
    async exec(sql) {
      await db.exec(sql);
    },
  };
}

/**
 * Opens the embedded database: takes the directory lock first (PGlite has none, and two processes on one
 * directory lose writes), then loads `@electric-sql/pglite` (only now: a process without a store never
 * loads it) and opens `<dir>/pgdata`. The lock is released when the client closes, or if opening fails.
 */
/** PostgreSQL settings of the embedded database, sized for batches of records, not for queries over them. */
const PGLITE_SETTINGS = ['shared_buffers = 16MB', 'wal_buffers = 1MB', 'work_mem = 2MB', 'maintenance_work_mem = 8MB'];

export async function openPgliteClient(dir: string): Promise<SqlClient> {
  const lock = acquireDirLock(dir);
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    const dataDir = join(resolve(dir), 'pgdata');
    let db: PgliteDbLike;
    try {
      // The record's work is small batches: PostgreSQL's default 128 MB of shared buffers only swells the
      // gateway's resident memory (measured: 845 → 718 MB with 16 MB; PGlite's WASM heap is most of the rest).
      db = await PGlite.create(dataDir, { postgresqlconf: PGLITE_SETTINGS });
    } catch (error) {
      // PGlite says only "Aborted()" for a damaged directory: name it, so a person knows what to move aside
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(
        `store directory ${resolve(dir)}: the embedded database in ${dataDir} cannot be opened (${reason}); ` +
          'if it is damaged, move it aside and failsoft starts a new one',
        { cause: error },
      );
    }
    return {
      ...queryable(db),
      transaction: (fn) => db.transaction((tx) => fn(queryable(tx))),
      async close() {
        try {
          await db.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}

/**
 * The embedded store: PostgreSQL in-process (PGlite), data in `store.dir`, nothing to install. One process
 * per directory: a second one gets a `StoreDirInUseError` naming the directory and the holder's pid. The
 * database opens on first use (typically `migrate()`).
 * @example const store = new PgliteStore({ dir: './.failsoft' }); await store.migrate();
 */
export class PgliteStore extends SqlStore {
  readonly backend = 'pglite' as const;
  readonly dir: string;

  constructor(options: PgliteStoreOptions = {}) {
    const dir = options.dir ?? DEFAULT_STORE_DIR;
    super(() => openPgliteClient(dir), options.schema === undefined ? {} : { schema: options.schema });
    this.dir = dir;
  }
}
