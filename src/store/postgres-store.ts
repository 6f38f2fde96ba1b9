import type { SqlClient, SqlQueryable, SqlResult } from './sql-client.js';
import { SqlStore } from './sql-store.js';

/** How the server store connects. */
export interface PostgresStoreOptions {
  /** `postgres://…` (from `DATABASE_URL`). */
  url: string;
  /** PostgreSQL schema for the tables (default `public`). */
  schema?: string;
  /** Connections in the pool (default 4: the writer flushes one batch at a time, readers are few). */
  poolSize?: number;
  /** A statement running longer is cancelled by the server (default 10 000 ms). */
  statementTimeoutMs?: number;
  /** Giving up on opening a connection (default 5 000 ms). */
  connectTimeoutMs?: number;
  /** Told about errors on idle connections (which would otherwise crash the process). */
  onError?: (error: Error) => void;
}

interface PgResultLike {
  rows: unknown[];
  rowCount: number | null;
}

interface PgQueryableLike {
  query(sql: string, params?: unknown[]): Promise<PgResultLike>;
}

interface PgPoolClientLike extends PgQueryableLike {
  release(destroy?: boolean | Error): void;
}

function queryable(db: PgQueryableLike): SqlQueryable {
  return {
    async query(sql, params = []): Promise<SqlResult> {
      const result = await db.query(sql, [...params]);
      return { rows: result.rows as Array<Record<string, unknown>>, rowCount: result.rowCount ?? 0 };
    },
    async exec(sql) {
      await db.query(sql);
    },
  };
}

/**
 * Opens a small node-postgres pool (loading `pg` only now). Connection failures and timeouts reject the
 * call that met them; an idle connection's error goes to `onError` and the pool replaces the connection.
 */
export async function openPostgresClient(options: PostgresStoreOptions): Promise<SqlClient> {
  const pg = await import('pg');
  const pool = new pg.default.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 4,
    statement_timeout: options.statementTimeoutMs ?? 10_000,
    query_timeout: (options.statementTimeoutMs ?? 10_000) + 2_000,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    application_name: 'failsoft',
    keepAlive: true, // a connection on the far side of a silent partition is found dead by TCP, not only by a timeout
  });
  pool.on('error', (error: Error) => options.onError?.(error));
  return {
    ...queryable(pool),
    async transaction(fn) {
      const client: PgPoolClientLike = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('begin');
        const result = await fn(queryable(client));
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch((rollbackError: unknown) => {
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        });
        throw error;
      } finally {
        client.release(broken ?? false);
      }
    },
    close: () => pool.end(),
  };
}

/**
 * The server store: PostgreSQL at `DATABASE_URL`, shared by every `failsoft serve` pointed at it (each row
 * names its instance; migrations take an advisory lock so two instances starting at once agree).
 * @example const store = new PostgresStore({ url: process.env.DATABASE_URL! }); await store.migrate();
 */
export class PostgresStore extends SqlStore {
  readonly backend = 'postgres' as const;

  constructor(options: PostgresStoreOptions) {
    super(() => openPostgresClient(options), options.schema === undefined ? {} : { schema: options.schema });
  }
}
