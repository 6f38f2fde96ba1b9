import type { GenerateRequest } from '../../model/message.js';
import { providerError, type ProviderError } from '../../model/errors.js';
import { HttpTransport, readErrorBody, type HttpReply, type HttpTransportOptions } from '../http-transport.js';
import type { AttemptOptions, ProviderAdapter, ProviderCallResult, ProviderEndpoint, ProviderStream } from '../provider-adapter.js';
import { classifyOpenAIError } from './classify-openai-error.js';
import { chatCompletionSchema } from './openai-api.js';
import { openaiRateLimitFromHeaders } from './openai-rate-limit-headers.js';
import { openaiStreamEvents } from './openai-stream.js';
import { fromOpenAIResponse } from './from-openai-response.js';
import { toOpenAIRequest, type OpenAIRequestOptions } from './to-openai-request.js';
import type { CancelSignal } from '../../model/cancel-signal.js';

/** What differs between OpenAI itself and a vendor speaking its protocol: configuration, not code. */
export interface OpenAIProtocolFlavor {
  type: 'openai' | 'openai-compatible';
  maxTokensField: OpenAIRequestOptions['maxTokensField'];
}

export interface OpenAIAdapterOptions {
  transport?: HttpTransportOptions;
}

const OPENAI_FLAVOR: OpenAIProtocolFlavor = { type: 'openai', maxTokensField: 'max_completion_tokens' };

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/**
 * The adapter for any endpoint speaking OpenAI Chat Completions; `flavor` says which vendor it is.
 * `createOpenAIAdapter` and `createOpenAICompatibleAdapter` are this with their flavor.
 */
export function createOpenAIProtocolAdapter(
  endpoint: ProviderEndpoint,
  flavor: OpenAIProtocolFlavor,
  options: OpenAIAdapterOptions = {},
): ProviderAdapter {
  const transport = new HttpTransport(endpoint.name, options.transport);
  const url = `${endpoint.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const secrets = endpoint.apiKey === undefined ? [] : [endpoint.apiKey];
  const label = { provider: endpoint.name, protocol: flavor.type, secrets };

  function headers(stream: boolean): Record<string, string> {
    return {
      'content-type': 'application/json',
      accept: stream ? 'text/event-stream' : 'application/json',
      ...(endpoint.apiKey ? { authorization: `Bearer ${endpoint.apiKey}` } : {}),
      ...endpoint.headers,
    };
  }

  // Built once: the same headers go with every call.
  const answerHeaders = headers(false);
  const streamHeaders = headers(true);

  const answerOptions: OpenAIRequestOptions = { stream: false, maxTokensField: flavor.maxTokensField };
  const streamOptions: OpenAIRequestOptions = { stream: true, maxTokensField: flavor.maxTokensField };
  if (endpoint.defaultMaxOutputTokens !== undefined) answerOptions.defaultMaxOutputTokens = streamOptions.defaultMaxOutputTokens = endpoint.defaultMaxOutputTokens;

  function requestBody(model: string, request: GenerateRequest, stream: boolean): string {
    return JSON.stringify(toOpenAIRequest(model, request, stream ? streamOptions : answerOptions));
  }

  /** Streams only: non-streamed calls read the whole answer with `postText`. */
  async function send(model: string, request: GenerateRequest, attempt: AttemptOptions): Promise<HttpReply> {
    return transport.post(url, streamHeaders, requestBody(model, request, true), { model, signal: attempt.signal, headersTimeoutMs: attempt.headersTimeoutMs });
  }

  function readText(reply: HttpReply, model: string, signal: CancelSignal | undefined): Promise<string> {
    return readErrorBody(reply, endpoint.name, model, signal);
  }

  async function failure(reply: HttpReply, model: string, signal: CancelSignal | undefined): Promise<ProviderError> {
    const text = await readText(reply, model, signal);
    return classifyOpenAIError({ ...label, model, status: reply.status, body: text, headers: reply.headers });
  }

  function malformedBody(model: string, status: number, detail: string): ProviderError {
    return providerError({
      class: 'server_error',
      message: `${flavor.type} '${endpoint.name}': ${status} malformed response body: ${detail.slice(0, 200)}`,
      provider: endpoint.name,
      model,
      status,
    });
  }

  return {
    name: endpoint.name,
    type: flavor.type,

    async generate(model, request, attempt = {}): Promise<ProviderCallResult> {
      const reply = await transport.postText(url, answerHeaders, requestBody(model, request, false), { model, signal: attempt.signal, headersTimeoutMs: attempt.headersTimeoutMs });
      const text = reply.text;
      if (!isSuccess(reply.status)) throw classifyOpenAIError({ ...label, model, status: reply.status, body: text, headers: reply.headers });
      const rateLimit = openaiRateLimitFromHeaders(reply.headers);
      let json: unknown;
      try {
        json = JSON.parse(text) as unknown;
      } catch {
        throw malformedBody(model, reply.status, text);
      }
      const parsed = chatCompletionSchema.safeParse(json);
      if (!parsed.success) throw malformedBody(model, reply.status, parsed.error.message);
      const result: ProviderCallResult = { response: fromOpenAIResponse(parsed.data, model), status: reply.status };
      if (rateLimit !== undefined) result.rateLimit = rateLimit;
      return result;
    },

    async stream(model, request, attempt = {}): Promise<ProviderStream> {
      const reply = await send(model, request, attempt);
      if (!isSuccess(reply.status)) throw await failure(reply, model, attempt.signal);
      const rateLimit = openaiRateLimitFromHeaders(reply.headers);
      return {
        status: reply.status,
        ...(rateLimit === undefined ? {} : { rateLimit }),
        events: openaiStreamEvents(reply.body, {
          ...label,
          model,
          headers: reply.headers,
          ...(attempt.signal ? { signal: attempt.signal } : {}),
        }),
      };
    },

    close: () => transport.close(),
  };
}

/**
 * An adapter for OpenAI Chat Completions (`POST {baseUrl}/chat/completions`, bearer key,
 * `max_completion_tokens`, streamed usage). Every failure is a classified `ProviderError`.
 * @example
 * const gpt = createOpenAIAdapter({ name: 'gpt', type: 'openai', baseUrl: 'https://api.openai.com/v1', apiKey: process.env.OPENAI_API_KEY });
 * const { response } = await gpt.generate('gpt-4o-mini', { messages: [{ role: 'user', content: 'Hello' }] });
 */
export function createOpenAIAdapter(endpoint: ProviderEndpoint, options?: { transport?: HttpTransportOptions }): ProviderAdapter {
  return createOpenAIProtocolAdapter(endpoint, OPENAI_FLAVOR, options);
}
