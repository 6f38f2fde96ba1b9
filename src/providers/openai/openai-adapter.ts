import type { GenerateRequest } from '../../model/message.js';
import { AdapterBase } from '../adapter-base.js';
import type { HttpTransportOptions } from '../http-transport.js';
import type {
  AttemptOptions,
  ProviderAdapter,
  ProviderCallResult,
  ProviderEndpoint,
  ProviderStream,
} from '../provider-adapter.js';
import { classifyOpenAIError } from './classify-openai-error.js';
import { chatCompletionSchema } from './openai-api.js';
import { openaiRateLimitFromHeaders } from './openai-rate-limit-headers.js';
import { openaiStreamEvents } from './openai-stream.js';
import { fromOpenAIResponse } from './from-openai-response.js';
import { toOpenAIRequest, type OpenAIRequestOptions } from './to-openai-request.js';

/** What differs between OpenAI itself and a vendor speaking its protocol: configuration, not code. */
export interface OpenAIProtocolFlavor {
  type: 'openai' | 'openai-compatible';
  maxTokensField: OpenAIRequestOptions['maxTokensField'];
}

export interface OpenAIAdapterOptions {
  transport?: HttpTransportOptions;
}

const OPENAI_FLAVOR: OpenAIProtocolFlavor = { type: 'openai', maxTokensField: 'max_completion_tokens' };

/**
 * The adapter for any endpoint speaking OpenAI Chat Completions; `flavor` says which vendor it is.
 * `createOpenAIAdapter` and `createOpenAICompatibleAdapter` are this with their flavor.
 */
export function createOpenAIProtocolAdapter(
  endpoint: ProviderEndpoint,
  flavor: OpenAIProtocolFlavor,
  options: OpenAIAdapterOptions = {},
): ProviderAdapter {
  const url = `${endpoint.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const secrets = endpoint.apiKey ? [endpoint.apiKey] : [];
  const label = { provider: endpoint.name, protocol: flavor.type, secrets };
  const base = new AdapterBase({
    endpoint,
    protocol: flavor.type,
    accept: true,
    authHeaders: (apiKey) => ({ authorization: `Bearer ${apiKey}` }),
    classify: ({ model, status, body, headers, url }) =>
      classifyOpenAIError({ ...label, model, status, body, headers, url }),
    rateLimit: openaiRateLimitFromHeaders,
    ...(options.transport === undefined ? {} : { transport: options.transport }),
  });

  const answerOptions: OpenAIRequestOptions = { stream: false, maxTokensField: flavor.maxTokensField };
  const streamOptions: OpenAIRequestOptions = { stream: true, maxTokensField: flavor.maxTokensField };
  if (endpoint.defaultMaxOutputTokens !== undefined)
    answerOptions.defaultMaxOutputTokens = streamOptions.defaultMaxOutputTokens = endpoint.defaultMaxOutputTokens;

  function requestBody(model: string, request: GenerateRequest, stream: boolean): string {
    return JSON.stringify(toOpenAIRequest(model, request, stream ? streamOptions : answerOptions));
  }

  return {
    name: endpoint.name,
    type: flavor.type,

    async generate(model, request, attempt: AttemptOptions = {}): Promise<ProviderCallResult> {
      const reply = await base.answer(url, requestBody(model, request, false), model, attempt);
      const completion = base.shape(base.json(reply, model), chatCompletionSchema, 'a chat.completion', reply, model);
      return base.callResult(fromOpenAIResponse(completion, model), reply);
    },

    async stream(model, request, attempt: AttemptOptions = {}): Promise<ProviderStream> {
      const reply = await base.openStream(url, requestBody(model, request, true), model, attempt);
      return base.streamResult(
        reply,
        openaiStreamEvents(reply.body, {
          ...label,
          model,
          headers: reply.headers,
          ...(attempt.signal ? { signal: attempt.signal } : {}),
        }),
      );
    },

    close: () => base.close(),
  };
}

/**
 * An adapter for OpenAI Chat Completions (`POST {baseUrl}/chat/completions`, bearer key,
 * `max_completion_tokens`, streamed usage). Every failure is a classified `ProviderError`.
 * @example
 * const gpt = createOpenAIAdapter({ name: 'gpt', type: 'openai', baseUrl: 'https://api.openai.com/v1', apiKey: process.env.OPENAI_API_KEY });
 * const { response } = await gpt.generate('gpt-4o-mini', { messages: [{ role: 'user', content: 'Hello' }] });
 */
export function createOpenAIAdapter(
  endpoint: ProviderEndpoint,
  options?: { transport?: HttpTransportOptions },
): ProviderAdapter {
  return createOpenAIProtocolAdapter(endpoint, OPENAI_FLAVOR, options);
}
