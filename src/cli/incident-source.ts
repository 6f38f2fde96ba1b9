/**
 * Where `failsoft incidents` and `failsoft incident` read: the store the config names (`DATABASE_URL` →
 * PostgreSQL, else PGlite in `store.dir`), or, when a running `failsoft serve` holds the PGlite directory
 * (one process per directory), that server's admin API (`--url`, token from `FAILSOFT_ADMIN_TOKEN`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigFile, type ResolvedConfig } from '../engine/config/resolve-config.js';
import type { IncidentDetailJson, IncidentSummaryJson } from '../store/timeline-json.js';
import { storeIncidentReader, type IncidentReader } from '../store/incident-reader.js';
import type { Store } from '../store/store.js';
import { StoreDirInUseError } from '../store/dir-lock.js';
import { createStore } from '../store/create-store.js';
import { DEFAULT_STORE_DIR } from '../store/pglite-store.js';

/** The admin API a CLI reads through by default. */
export const DEFAULT_SERVE_URL = 'http://127.0.0.1:8787';

/** A reader, where it reads, and how to let go of it. */
export interface IncidentSource {
  reader: IncidentReader;
  /** e.g. `PGlite store in ./.failsoft`, `failsoft serve at http://127.0.0.1:8787 (admin API)`. */
  from: string;
  close(): Promise<void>;
}

/** Reading failed for a reason a person can act on (printed as is, exit code 1). */
export class IncidentSourceError extends Error {
  override readonly name = 'IncidentSourceError';
  /** `unreachable`: no server answered at the URL; `refused`: it answered with an error. */
  constructor(
    message: string,
    readonly reason: 'unreachable' | 'refused' = 'refused',
  ) {
    super(message);
  }
}

/** How to open a source: the flags, and seams for tests. */
export interface IncidentSourceOptions {
  configFile: string | undefined;
  /** `--url`: the running server read through when it holds the store (default http://127.0.0.1:8787), or when there is no store here. */
  url: string | undefined;
  env: Record<string, string | undefined>;
  /** Opens the store the config names (default: `createStore(config.store, env)`). */
  openStore?: (config: ResolvedConfig | undefined, env: Record<string, string | undefined>) => Store;
}

/** `{ error: { message } }` bodies of the admin API, or the HTTP status. */
async function failureOf(res: Response): Promise<string> {
  try {
    const body: unknown = await res.json();
    const message = (body as { error?: { message?: unknown } }).error?.message;
    if (typeof message === 'string') return `${res.status}: ${message}`;
  } catch {
    /* not JSON */
  }
  return `HTTP ${res.status}`;
}

/**
 * An `IncidentReader` over a running server's `/admin/incidents` (bearer token when one is given).
 * @example await adminIncidentReader('http://127.0.0.1:8787', process.env.FAILSOFT_ADMIN_TOKEN).list({})
 */
export function adminIncidentReader(url: string, token: string | undefined, sinceText?: string): IncidentReader {
  const base = url.replace(/\/+$/, '');
  const headers: Record<string, string> =
    token === undefined || token.trim() === '' ? {} : { authorization: `Bearer ${token.trim()}` };
  const get = async (path: string): Promise<Response> => {
    try {
      return await fetch(`${base}${path}`, { headers, signal: AbortSignal.timeout(10_000) });
    } catch (error) {
      const cause =
        (error as { cause?: { code?: string } }).cause?.code ??
        (error instanceof Error ? error.message : String(error));
      throw new IncidentSourceError(
        `cannot reach failsoft serve at ${base} (${cause}): is it running? (--url names another)`,
        'unreachable',
      );
    }
  };
  const refused = async (res: Response): Promise<never> => {
    const why = await failureOf(res);
    const hint = res.status === 401 ? " (set FAILSOFT_ADMIN_TOKEN to the server's admin token)" : '';
    throw new IncidentSourceError(`failsoft serve at ${base} refused: ${why}${hint}`);
  };
  return {
    async list(query) {
      const params = new URLSearchParams();
      params.set(
        'since',
        sinceText ??
          (query.since === undefined ? '24h' : `${Math.max(1, Math.ceil((Date.now() - query.since) / 1000))}s`),
      );
      if (query.limit !== undefined) params.set('limit', String(query.limit));
      const res = await get(`/admin/incidents?${params}`);
      if (!res.ok) return refused(res);
      const body = (await res.json()) as { incidents?: IncidentSummaryJson[] };
      return body.incidents ?? [];
    },
    async get(id) {
      const res = await get(`/admin/incidents/${encodeURIComponent(id)}`);
      if (res.status === 404) {
        const why = await failureOf(res);
        if (why.includes('no incident')) return undefined;
        throw new IncidentSourceError(`failsoft serve at ${base}: ${why}`);
      }
      if (!res.ok) return refused(res);
      return (await res.json()) as IncidentDetailJson;
    },
  };
}

/** A server's reader where no server answering means nothing to show (there is no store here either). */
function orNothing(reader: IncidentReader): IncidentReader {
  const quiet = async <T>(read: () => Promise<T>, nothing: T): Promise<T> => {
    try {
      return await read();
    } catch (error) {
      if (error instanceof IncidentSourceError && error.reason === 'unreachable') return nothing;
      throw error;
    }
  };
  return { list: (query) => quiet(() => reader.list(query), []), get: (id) => quiet(() => reader.get(id), undefined) };
}

/**
 * Opens where incidents are read: the config's store; a PGlite directory held by a running `failsoft serve`
 * → that server's admin API (`--url`, default http://127.0.0.1:8787); no PGlite store here and `--url` given →
 * that server.
 * @example const source = await openIncidentSource({ configFile: undefined, url: undefined, env: process.env });
 */
export async function openIncidentSource(options: IncidentSourceOptions, sinceText?: string): Promise<IncidentSource> {
  const token = options.env.FAILSOFT_ADMIN_TOKEN;
  const url = options.url ?? DEFAULT_SERVE_URL;
  const config = options.configFile === undefined ? undefined : await loadConfigFile(options.configFile, options.env);
  const postgres = (options.env.DATABASE_URL ?? '').trim() !== '';
  const dir = config?.store?.dir ?? DEFAULT_STORE_DIR;
  if (!postgres && options.openStore === undefined && !existsSync(join(dir, 'pgdata'))) {
    // No record here: a running serve may keep one elsewhere (or in memory, for the built-in example).
    const server = adminIncidentReader(url, token, sinceText);
    if (options.url !== undefined)
      return { reader: server, from: `failsoft serve at ${url} (admin API)`, close: async () => undefined };
    return {
      reader: orNothing(server),
      from: `${dir} (no record written there yet) or failsoft serve at ${url}`,
      close: async () => undefined,
    };
  }
  let store: Store;
  try {
    store = options.openStore ? options.openStore(config, options.env) : createStore(config?.store, options.env).store;
  } catch (error) {
    throw new IncidentSourceError(error instanceof Error ? error.message : String(error));
  }
  try {
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => undefined);
    if (error instanceof StoreDirInUseError || (error instanceof Error && error.name === 'StoreDirInUseError')) {
      // PGlite is one process per directory: the running server reads it for us.
      return {
        reader: adminIncidentReader(url, token, sinceText),
        from: `failsoft serve at ${url} (admin API: it holds ${dir})`,
        close: async () => undefined,
      };
    }
    throw new IncidentSourceError(
      `cannot open the record store (${postgres ? 'DATABASE_URL' : dir}): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return {
    reader: storeIncidentReader(store),
    from: postgres ? 'PostgreSQL at DATABASE_URL' : `PGlite store in ${dir}`,
    close: () => store.close(),
  };
}
