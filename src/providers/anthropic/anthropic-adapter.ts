import type { GenerateRequest } from '../../model/message.js';
import { HttpTransport, readErrorBody, type HttpReply, type HttpTransportOptions } from '../http-transport.js';
import type { AttemptOptions, ProviderAdapter, ProviderCallResult, ProviderEndpoint, ProviderStream } from '../provider-adapter.js';
import { anthropicErrorBodySchema, anthropicMessageSchema } from './anthropic-api.js';
import { readAnthropicRateLimit } from './anthropic-rate-limit-headers.js';
import { anthropicStreamEvents } from './anthropic-stream.js';
import { classifyAnthropicError, malformedAnthropicResponse } from './classify-anthropic-error.js';
import { fromAnthropicMessage } from './from-anthropic-response.js';
import { jsonAnswerEvents, jsonAnswerResponse } from './json-answer-tool.js';
import { toAnthropicRequest } from './to-anthropic-request.js';
import type { CancelSignal } from '../../model/cancel-signal.js';

/** The API version failsoft speaks (the one the official SDKs send). */
export const ANTHROPIC_VERSION = '2023-06-01';

/** Where the Messages API lives under a base URL (`https://api.anthropic.com` → `/v1/messages`). */
export function anthropicMessagesUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/v1/messages`;
}

/** An error reply's body as text (capped: see `readErrorBody`). */
function bodyText(reply: HttpReply, provider: string, model: string, signal: CancelSignal | undefined): Promise<string> {
  return readErrorBody(reply, provider, model, signal);
}

/**
 * The Anthropic Messages API adapter: canonical request ⇄ wire, one `send` over undici, every
 * failure classified (see classify-anthropic-error.ts). No retries or policy here.
 * @example
 * const claude = createAnthropicAdapter({ name: 'claude', type: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey });
 * const { response } = await claude.generate('claude-sonnet-4-5', { messages: [{ role: 'user', content: 'Hi' }] });
 */
export function createAnthropicAdapter(endpoint: ProviderEndpoint, options: { transport?: HttpTransportOptions } = {}): ProviderAdapter {
  const provider = endpoint.name;
  const transport = new HttpTransport(provider, options.transport);
  const url = anthropicMessagesUrl(endpoint.baseUrl);
  const redact = [endpoint.apiKey];

  function headers(stream: boolean): Record<string, string> {
    return {
      'content-type': 'application/json',
      accept: stream ? 'text/event-stream' : 'application/json',
      'anthropic-version': ANTHROPIC_VERSION,
      ...(endpoint.apiKey === undefined ? {} : { 'x-api-key': endpoint.apiKey }),
      ...endpoint.headers,
    };
  }

  // Built once: the same headers go with every call.
  const answerHeaders = headers(false);
  const streamHeaders = headers(true);

  const answerOptions = endpoint.defaultMaxOutputTokens === undefined ? { stream: false } : { stream: false, defaultMaxTokens: endpoint.defaultMaxOutputTokens };
  const streamOptions = Object.assign({}, answerOptions, { stream: true });

  /** Streams only: non-streamed calls read the whole answer with `postText`. */
  async function send(model: string, request: GenerateRequest, attempt: AttemptOptions): Promise<HttpReply> {
    const body = toAnthropicRequest(model, request, streamOptions);
    const reply = await transport.post(url, streamHeaders, JSON.stringify(body), { model, signal: attempt.signal, headersTimeoutMs: attempt.headersTimeoutMs });
    if (reply.status >= 200 && reply.status < 300) return reply;
    const text = await bodyText(reply, provider, model, attempt.signal);
    throw classifyAnthropicError({ provider, model, status: reply.status, body: text, headers: reply.headers, redact });
  }

  return {
    name: provider,
    type: 'anthropic',

    async generate(model, request, attempt = {}): Promise<ProviderCallResult> {
      const body = JSON.stringify(toAnthropicRequest(model, request, answerOptions));
      const reply = await transport.postText(url, answerHeaders, body, { model, signal: attempt.signal, headersTimeoutMs: attempt.headersTimeoutMs });
      const text = reply.text;
      if (reply.status < 200 || reply.status >= 300) throw classifyAnthropicError({ provider, model, status: reply.status, body: text, headers: reply.headers, redact });
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (error) {
        throw malformedAnthropicResponse(provider, model, 'body is not JSON', { cause: error });
      }
      // Some proxies answer 200 with an error body; classify it as the error it reports.
      if (anthropicErrorBodySchema.safeParse(json).success) {
        throw classifyAnthropicError({ provider, model, body: text, headers: reply.headers, redact });
      }
      const message = anthropicMessageSchema.safeParse(json);
      if (!message.success) throw malformedAnthropicResponse(provider, model, 'body is not a message', { cause: message.error });
      const rateLimit = readAnthropicRateLimit(reply.headers);
      const response = fromAnthropicMessage(message.data);
      return { response: request.responseFormat === undefined ? response : jsonAnswerResponse(response), status: reply.status, ...(rateLimit === undefined ? {} : { rateLimit }) };
    },

    async stream(model, request, attempt = {}): Promise<ProviderStream> {
      const reply = await send(model, request, attempt);
      const rateLimit = readAnthropicRateLimit(reply.headers);
      const events = anthropicStreamEvents(reply.body, {
        provider,
        model,
        redact,
        ...(attempt.signal === undefined ? {} : { signal: attempt.signal }),
      });
      return { status: reply.status, ...(rateLimit === undefined ? {} : { rateLimit }), events: request.responseFormat === undefined ? events : jsonAnswerEvents(events) };
    },

    close: () => transport.close(),
  };
}

