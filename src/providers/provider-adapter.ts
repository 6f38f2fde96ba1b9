import type { GenerateRequest } from '../model/message.js';
import type { ProviderResponse } from '../model/response.js';
import type { StreamEvent } from '../model/stream-event.js';
import type { RateLimitSnapshot } from '../model/errors.js';
import type { CancelSignal } from '../model/cancel-signal.js';

/** The wire protocols failsoft speaks. `openai-compatible` is the OpenAI adapter over another base URL. */
export type ProviderType = 'anthropic' | 'openai' | 'gemini' | 'openai-compatible';

/**
 * Where and how to reach one configured provider.
 * Base URLs follow the official SDKs: Anthropic `https://api.anthropic.com` (adapter adds
 * `/v1/messages`), OpenAI `https://api.openai.com/v1` (adds `/chat/completions`), Gemini
 * `https://generativelanguage.googleapis.com` (adds `/v1beta/models/{model}:generateContent`).
 */
export interface ProviderEndpoint {
  /** The configured provider name, e.g. `claude`; used in errors and events. */
  name: string;
  type: ProviderType;
  baseUrl: string;
  apiKey?: string;
  /** Extra headers sent on every request (e.g. an organisation id). */
  headers?: Record<string, string>;
  /** Output tokens to request when the caller gives none (Anthropic requires max_tokens). */
  defaultMaxOutputTokens?: number;
}

/** Per-attempt options the router passes in. */
export interface AttemptOptions {
  /** Aborts the attempt: deadline passed, caller gone, or another attempt won. */
  signal?: CancelSignal;
  /** Response headers must arrive within this many ms (first byte / first token for streams). */
  headersTimeoutMs?: number;
}

/** A successful non-streamed call. */
export interface ProviderCallResult {
  response: ProviderResponse;
  status: number;
  /** Rate-limit state the provider reported in its headers, if any. */
  rateLimit?: RateLimitSnapshot;
}

/** A stream that has been accepted (HTTP 200 received). */
export interface ProviderStream {
  status: number;
  rateLimit?: RateLimitSnapshot;
  /**
   * Canonical events. Iteration throws a classified `ProviderError` (with `inStream: true`) on an
   * in-stream error event, a malformed event, or a stream that ends without its terminator.
   * Breaking out of the loop early releases the connection.
   */
  events: AsyncIterable<StreamEvent>;
}

/**
 * One adapter per wire protocol: pure translation plus one `send` over undici. No policy here:
 * no retries, no breakers, no budgets. Every failure is thrown as a classified `ProviderError`.
 */
export interface ProviderAdapter {
  readonly name: string;
  readonly type: ProviderType;
  /** Non-streamed generation. Rejects with a classified `ProviderError`. */
  generate(model: string, request: GenerateRequest, options?: AttemptOptions): Promise<ProviderCallResult>;
  /** Streamed generation. Rejects (before any event) with a classified `ProviderError` on a non-200. */
  stream(model: string, request: GenerateRequest, options?: AttemptOptions): Promise<ProviderStream>;
  /** Closes pooled connections. */
  close(): Promise<void>;
  /**
   * Why this provider cannot take the request's content at all (e.g. an image form its API does not
   * accept), or undefined when it can. The router skips such an entry without calling it. Absent: takes all.
   */
  cannotTake?(request: GenerateRequest): string | undefined;
}
