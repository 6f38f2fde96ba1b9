import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import { providerError, type ProviderError } from '../model/errors.js';
import type { CancelSignal } from '../model/cancel-signal.js';

/** A response whose status and headers have arrived; the body is still streaming. */
export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
}

export interface HttpTransportOptions {
  /** TCP/TLS connect deadline (default 10 s). */
  connectTimeoutMs?: number;
  /** Max idle time between body chunks (default 5 min, streams can pause). */
  bodyTimeoutMs?: number;
  /** Max sockets per origin (default unlimited). */
  connections?: number;
}

/**
 * The one `send` every adapter uses: a keep-alive undici Pool per origin of a provider (an Agent would
 * look the pool up on every call; a provider talks to one or two origins). Connection failures come back
 * as classified `ProviderError`s (`network` or `timeout`); an aborted signal rethrows the signal's reason
 * so the router knows why it stopped the attempt.
 */
export class HttpTransport {
  private readonly pools = new Map<string, Pool>();
  /** Each URL split once into its origin's pool and path: parsing a URL is measurable per call. */
  private readonly targets = new Map<string, { pool: Pool; path: string }>();
  private readonly poolOptions: Pool.Options;

  constructor(private readonly provider: string, options: HttpTransportOptions = {}) {
    this.poolOptions = {
      connect: { timeout: options.connectTimeoutMs ?? 10_000 },
      bodyTimeout: options.bodyTimeoutMs ?? 300_000,
      keepAliveTimeout: 10_000,
    };
    if (options.connections !== undefined) this.poolOptions.connections = options.connections;
  }

  private target(url: string): { pool: Pool; path: string } {
    let target = this.targets.get(url);
    if (target === undefined) {
      const parsed = new URL(url);
      let pool = this.pools.get(parsed.origin);
      if (pool === undefined) this.pools.set(parsed.origin, (pool = new Pool(parsed.origin, this.poolOptions)));
      target = { pool, path: `${parsed.pathname}${parsed.search}` };
      if (this.targets.size < 1_000) this.targets.set(url, target);
    }
    return target;
  }

  /** POSTs a JSON body; resolves when headers arrive. */
  async post(
    url: string,
    headers: Record<string, string>,
    body: string,
    options: { signal?: CancelSignal; headersTimeoutMs?: number; model?: string } = {},
  ): Promise<HttpReply> {
    try {
      const target = this.target(url);
      const request: Dispatcher.RequestOptions = { path: target.path, method: 'POST', headers, body };
      if (options.signal) request.signal = options.signal;
      if (options.headersTimeoutMs !== undefined) request.headersTimeout = options.headersTimeoutMs;
      const res = await target.pool.request(request);
      return { status: res.statusCode, headers: res.headers, body: res.body };
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      throw classifyTransportError(error, this.provider, options.model);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
    this.pools.clear();
    this.targets.clear();
  }
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

/**
 * Classifies a failure below HTTP (refused, reset, DNS, TLS, undici timeouts) into the taxonomy.
 * Also used by adapters while reading a streamed body.
 */
export function classifyTransportError(error: unknown, provider: string, model?: string): ProviderError {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  const cls = code !== undefined && TIMEOUT_CODES.has(code) ? 'timeout' : 'network';
  return providerError({
    class: cls,
    message: `${provider}: ${cls === 'timeout' ? 'timed out' : 'connection failed'} (${code ?? 'error'}): ${message}`,
    provider,
    ...(model === undefined ? {} : { model }),
    ...(code === undefined ? {} : { code }),
    cause: error,
  });
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** First value of a header that may repeat. */
export function headerValue(headers: HttpReply['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
