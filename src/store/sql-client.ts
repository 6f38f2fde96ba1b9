/**
 * The little a SQL store needs from a driver, so one `SqlStore` runs on PGlite and on node-postgres alike.
 * Parameters are `$1, $2…`; rows come back as plain objects keyed by column name.
 */

/** What a statement returned. */
export interface SqlResult {
  rows: Array<Record<string, unknown>>;
  /** Rows inserted, updated or deleted. */
  rowCount: number;
}

/** Something statements run on: the client itself, or one transaction. */
export interface SqlQueryable {
  /** One statement with parameters. */
  query(sql: string, params?: readonly unknown[]): Promise<SqlResult>;
  /** Several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/** A connection (PGlite) or a pool (PostgreSQL). */
export interface SqlClient extends SqlQueryable {
  /** Runs `fn` in one transaction: committed when it resolves, rolled back (and rethrown) when it rejects. */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
