/**
 * The record store the CLI commands open, by the config and the environment: PostgreSQL when
 * `DATABASE_URL` is set, else PGlite in `store.dir` (default `./.failsoft`).
 *
 * A seam until the store's own `createStore(config, env)` lands: this is the one place to switch to it.
 */
import type { ResolvedConfig } from '../engine/config/resolve-config.js';
import { DEFAULT_STORE_DIR, PgliteStore } from '../store/pglite-store.js';
import { PostgresStore } from '../store/postgres-store.js';
import type { Store } from '../store/store.js';

/**
 * The PGlite directory the config names (`store.dir`), else `FAILSOFT_STORE_DIR`, else `./.failsoft`.
 * @example storeDirOf(undefined) // './.failsoft'
 */
export function storeDirOf(config: ResolvedConfig | undefined, env: Record<string, string | undefined> = process.env): string {
  const fromConfig = (config as { store?: { dir?: unknown } } | undefined)?.store?.dir;
  if (typeof fromConfig === 'string' && fromConfig !== '') return fromConfig;
  const fromEnv = env.FAILSOFT_STORE_DIR?.trim();
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : DEFAULT_STORE_DIR;
}

/**
 * Opens (lazily: nothing connects before the first call, typically `migrate()`) the store the config names.
 * @example const store = openRecordStore(config, process.env); await store.migrate();
 */
export function openRecordStore(config: ResolvedConfig | undefined, env: Record<string, string | undefined>): Store & { backend: 'pglite' | 'postgres' } {
  const url = env.DATABASE_URL?.trim();
  if (url !== undefined && url !== '') return new PostgresStore({ url });
  return new PgliteStore({ dir: storeDirOf(config, env) });
}
