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

/** A whole answer: status, headers and the body as text (calls that are not streamed). */
export interface HttpTextReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * Largest non-streamed answer body read into memory (32 MiB): a long answer is a few hundred KB, so this only
 * stops an upstream that never ends. A larger one fails the call with `BodyTooLargeError`.
 */
export const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

/**
 * Longest error body read into memory (64 KiB): providers' error bodies are a few KB; a proxy's HTML page may be
 * anything. The rest is not read: the connection is dropped.
 */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** A 2xx answer body over its bound: `postText` stopped reading and dropped the connection. */
export class BodyTooLargeError extends Error {
  constructor(
    readonly status: number,
    readonly limit: number,
  ) {
    super(`body is larger than ${String(limit)} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** True for the statuses whose body is an answer rather than an error report. */
export function isSuccessStatus(status: number): boolean {
  return status >= 200 && status < 300;
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

  constructor(
    private readonly provider: string,
    options: HttpTransportOptions = {},
  ) {
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

  /**
   * POSTs a JSON body and reads the whole answer as text. Built on undici's `dispatch` handler API rather
   * than `request()`: that spares each call an async resource, a Readable for the body and the body mixin's
   * promise chain, about a tenth of the CPU a proxied call costs the gateway (bench/README.md, 2026-12-03).
   * Both bodies are bounded: a 2xx answer over `maxBytes` (default `MAX_ANSWER_BYTES`) rejects with
   * `BodyTooLargeError`; an error body is cut at `maxErrorBytes` (default `MAX_ERROR_BODY_BYTES`) and the rest
   * dropped with the connection, and one that breaks off still resolves (its status is what matters).
   * Connection failures are classified like `post`'s; an aborted signal rejects with its reason at once.
   */
  postText(
    url: string,
    headers: Record<string, string>,
    body: string,
    options: {
      signal?: CancelSignal;
      headersTimeoutMs?: number;
      model?: string;
      maxBytes?: number;
      maxErrorBytes?: number;
    } = {},
  ): Promise<HttpTextReply> {
    const { signal, model } = options;
    const answerLimit = options.maxBytes ?? MAX_ANSWER_BYTES;
    const errorLimit = options.maxErrorBytes ?? MAX_ERROR_BODY_BYTES;
    if (signal?.aborted) return Promise.reject(signal.reason);
    let target: { pool: Pool; path: string };
    try {
      target = this.target(url);
    } catch (error) {
      return Promise.reject(classifyTransportError(error, this.provider, model));
    }
    const provider = this.provider;
    return new Promise<HttpTextReply>((resolve, reject) => {
      let controller: Dispatcher.DispatchController | undefined;
      let status = 0;
      let replyHeaders: HttpTextReply['headers'] = {};
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        return true;
      };
      const fail = (error: unknown): void => {
        if (settle()) reject(signal?.aborted ? signal.reason : classifyTransportError(error, provider, model));
      };
      const answer = (): void => {
        if (!settle()) return;
        const text =
          chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8');
        resolve({ status, headers: replyHeaders, text });
      };
      function onAbort(): void {
        controller?.abort(cancelledError(signal?.reason));
        fail(signal?.reason);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart(started) {
          controller = started;
          if (settled) started.abort(cancelledError(signal?.reason));
        },
        onResponseStart(_c, statusCode, responseHeaders) {
          if (statusCode < 200) return; // 1xx: the real answer follows
          status = statusCode;
          replyHeaders = responseHeaders;
        },
        onResponseData(data, chunk) {
          if (settled) return;
          if (!isSuccessStatus(status)) {
            // An error report: keep its head, drop the rest with the connection instead of buffering it.
            if (size + chunk.length <= errorLimit) {
              size += chunk.length;
              chunks.push(chunk);
              return;
            }
            chunks.push(chunk.subarray(0, errorLimit - size));
            size = errorLimit;
            answer();
            data.abort(new Error(`error body cut at ${String(errorLimit)} bytes`));
            return;
          }
          size += chunk.length;
          if (size > answerLimit) {
            // Settled before the abort: aborting reports the error back through onResponseError at once.
            const error = new BodyTooLargeError(status, answerLimit);
            if (settle()) reject(error);
            data.abort(error);
            return;
          }
          chunks.push(chunk);
        },
        onResponseEnd() {
          answer();
        },
        onResponseError(_c, error) {
          // An error report that breaks off is still classified by its status; an answer that does is not an answer.
          if (status !== 0 && !isSuccessStatus(status) && !signal?.aborted) answer();
          else fail(error);
        },
      };
      const dispatch: Dispatcher.DispatchOptions = { path: target.path, method: 'POST', headers, body };
      if (options.headersTimeoutMs !== undefined) dispatch.headersTimeout = options.headersTimeoutMs;
      target.pool.dispatch(dispatch, handler);
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
    this.pools.clear();
    this.targets.clear();
  }
}

/**
 * Reads a non-2xx reply's body as text, at most `limit` bytes (the rest is not read: the connection is
 * dropped), so a misbehaving upstream cannot make the gateway buffer any size. An abort rethrows the signal's
 * reason; a body that breaks off gives what arrived, because the status is what gets classified.
 * @example const text = await readErrorBody(reply, signal);
 */
export async function readErrorBody(
  reply: HttpReply,
  signal: CancelSignal | undefined,
  limit = MAX_ERROR_BODY_BYTES,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of reply.body as AsyncIterable<Uint8Array | string>) {
      const bytes =
        typeof chunk === 'string'
          ? Buffer.from(chunk, 'utf8')
          : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (size + bytes.length > limit) {
        chunks.push(bytes.subarray(0, limit - size));
        reply.body.destroy();
        break;
      }
      size += bytes.length;
      chunks.push(bytes);
    }
  } catch {
    if (signal?.aborted) throw signal.reason;
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** undici's controller takes an Error; a signal's reason may be anything. */
function cancelledError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error('request cancelled', { cause: reason });
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

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
