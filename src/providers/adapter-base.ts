import type { z } from 'zod';
import type { ProviderError, RateLimitSnapshot } from '../model/errors.js';
import type { StreamEvent } from '../model/stream-event.js';
import type { ProviderResponse } from '../model/response.js';
import {
  BodyTooLargeError,
  HttpTransport,
  isSuccessStatus,
  readErrorBody,
  type HttpReply,
  type HttpTextReply,
  type HttpTransportOptions,
} from './http-transport.js';
import { malformedResponse, type MalformedPlace } from './malformed-response.js';
import type { AttemptOptions, ProviderCallResult, ProviderEndpoint, ProviderStream } from './provider-adapter.js';

/** A non-2xx reply, its body already read (at most `MAX_ERROR_BODY_BYTES`), for the provider's classifier. */
export interface UpstreamFailure {
  model: string;
  status: number;
  body: string;
  headers: HttpReply['headers'];
  /** The URL called, for messages that must point at a wrong base URL. */
  url: string;
}

/** What makes one wire protocol's adapter differ from another's, as far as the HTTP exchange goes. */
export interface AdapterBaseConfig {
  endpoint: ProviderEndpoint;
  /** The wire protocol, first word of every message: `anthropic`, `openai`, `openai-compatible`, `gemini`. */
  protocol: string;
  /** The headers that carry the API key; called only when the endpoint has a non-empty key. */
  authHeaders(apiKey: string): Record<string, string>;
  /** Headers this protocol sends on every call besides content type and key (`anthropic-version`). */
  protocolHeaders?: Record<string, string>;
  /** Send `accept` (JSON or event stream)? Gemini's official SDK sends none, so neither does its adapter. */
  accept: boolean;
  /** The provider's classifier: a failed call's status, body and headers to a `ProviderError`. */
  classify(failure: UpstreamFailure): ProviderError;
  /** The provider's rate-limit headers, read from every successful reply. */
  rateLimit(headers: HttpReply['headers']): RateLimitSnapshot | undefined;
  transport?: HttpTransportOptions;
}

/**
 * The HTTP half every adapter shares, so each keeps only its provider's own translation and classification:
 * the request headers (content type, accept, key, the endpoint's extra headers), the attempt's signal and
 * headers timeout handed to the transport, bounded bodies (an answer up to `MAX_ANSWER_BYTES`, an error body
 * cut at `MAX_ERROR_BODY_BYTES` with the rest dropped unread), the error of a failed call by the provider's
 * classifier, one malformed-response error, and the rate-limit state attached to results.
 * @example
 * const base = new AdapterBase({ endpoint, protocol: 'openai', accept: true, authHeaders: (key) => ({ authorization: `Bearer ${key}` }), classify, rateLimit });
 * const reply = await base.answer(url, body, model, attempt);
 */
export class AdapterBase {
  /** The configured provider name. */
  readonly provider: string;
  /** Values that must never appear in a message: the API key. */
  readonly secrets: readonly string[];
  private readonly transport: HttpTransport;
  // Built once: the same headers go with every call.
  private readonly answerHeaders: Record<string, string>;
  private readonly streamHeaders: Record<string, string>;

  constructor(private readonly config: AdapterBaseConfig) {
    const { endpoint } = config;
    this.provider = endpoint.name;
    this.secrets = endpoint.apiKey ? [endpoint.apiKey] : [];
    this.transport = new HttpTransport(endpoint.name, config.transport);
    this.answerHeaders = this.headers('application/json');
    this.streamHeaders = this.headers('text/event-stream');
  }

  private headers(accept: string): Record<string, string> {
    const { endpoint } = this.config;
    return {
      'content-type': 'application/json',
      ...(this.config.accept ? { accept } : {}),
      ...this.config.protocolHeaders,
      ...(endpoint.apiKey ? this.config.authHeaders(endpoint.apiKey) : {}),
      ...endpoint.headers,
    };
  }

  /**
   * POSTs a non-streamed call and reads the whole answer. Resolves only with a 2xx; rejects with the
   * provider's classified error otherwise, or a malformed-response error for an answer over the bound.
   */
  async answer(url: string, body: string, model: string, attempt: AttemptOptions): Promise<HttpTextReply> {
    let reply: HttpTextReply;
    try {
      reply = await this.transport.postText(url, this.answerHeaders, body, {
        model,
        signal: attempt.signal,
        headersTimeoutMs: attempt.headersTimeoutMs,
      });
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        throw this.malformed(
          model,
          { status: error.status },
          `larger than ${String(error.limit)} bytes, not read further`,
          error,
        );
      }
      throw error;
    }
    if (!isSuccessStatus(reply.status))
      throw this.config.classify({ model, status: reply.status, body: reply.text, headers: reply.headers, url });
    return reply;
  }

  /**
   * POSTs a streamed call. Resolves with the accepted (2xx) reply, its body still streaming; rejects with the
   * provider's classified error otherwise, read from at most `MAX_ERROR_BODY_BYTES` of the body.
   */
  async openStream(url: string, body: string, model: string, attempt: AttemptOptions): Promise<HttpReply> {
    const reply = await this.transport.post(url, this.streamHeaders, body, {
      model,
      signal: attempt.signal,
      headersTimeoutMs: attempt.headersTimeoutMs,
    });
    if (isSuccessStatus(reply.status)) return reply;
    const text = await readErrorBody(reply, attempt.signal);
    throw this.config.classify({ model, status: reply.status, body: text, headers: reply.headers, url });
  }

  /** The answer's body as JSON, or the malformed-response error. */
  json(reply: HttpTextReply, model: string): unknown {
    try {
      return JSON.parse(reply.text) as unknown;
    } catch (error) {
      throw this.malformed(model, { status: reply.status }, `not JSON: ${reply.text.slice(0, 120)}`, error);
    }
  }

  /**
   * `json` checked against the API's schema, or the malformed-response error naming what it should have been
   * and the first thing wrong (`not a chat.completion: choices: Too small…`).
   */
  shape<T>(json: unknown, schema: z.ZodType<T>, what: string, reply: HttpTextReply, model: string): T {
    const parsed = schema.safeParse(json);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? '' : `${issue.path.join('.')}: `;
    throw this.malformed(
      model,
      { status: reply.status },
      `not ${what}: ${where}${issue?.message ?? 'unexpected shape'}`,
      parsed.error,
    );
  }

  /** A malformed-response error from this provider (see `malformedResponse`). */
  malformed(model: string, place: MalformedPlace, detail: string, cause?: unknown): ProviderError {
    return malformedResponse(
      { protocol: this.config.protocol, provider: this.provider, model, secrets: this.secrets },
      place,
      detail,
      cause,
    );
  }

  /** A non-streamed call's result, with the rate-limit state the provider reported. */
  callResult(response: ProviderResponse, reply: HttpTextReply): ProviderCallResult {
    const result: ProviderCallResult = { response, status: reply.status };
    const rateLimit = this.config.rateLimit(reply.headers);
    if (rateLimit !== undefined) result.rateLimit = rateLimit;
    return result;
  }

  /** An accepted stream, with the rate-limit state the provider reported. */
  streamResult(reply: HttpReply, events: AsyncIterable<StreamEvent>): ProviderStream {
    const result: ProviderStream = { status: reply.status, events };
    const rateLimit = this.config.rateLimit(reply.headers);
    if (rateLimit !== undefined) result.rateLimit = rateLimit;
    return result;
  }

  /** Closes pooled connections. */
  close(): Promise<void> {
    return this.transport.close();
  }
}
