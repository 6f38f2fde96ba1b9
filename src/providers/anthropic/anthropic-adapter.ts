import { AdapterBase } from '../adapter-base.js';
import type { HttpTransportOptions } from '../http-transport.js';
import type {
  AttemptOptions,
  ProviderAdapter,
  ProviderCallResult,
  ProviderEndpoint,
  ProviderStream,
} from '../provider-adapter.js';
import { anthropicErrorBodySchema, anthropicMessageSchema } from './anthropic-api.js';
import { readAnthropicRateLimit } from './anthropic-rate-limit-headers.js';
import { anthropicStreamEvents } from './anthropic-stream.js';
import { classifyAnthropicError } from './classify-anthropic-error.js';
import { fromAnthropicMessage } from './from-anthropic-response.js';
import { jsonAnswerEvents, jsonAnswerResponse } from './json-answer-tool.js';
import { toAnthropicRequest } from './to-anthropic-request.js';

/** The API version failsoft speaks (the one the official SDKs send). */
export const ANTHROPIC_VERSION = '2023-06-01';

/** Where the Messages API lives under a base URL (`https://api.anthropic.com` → `/v1/messages`). */
export function anthropicMessagesUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/v1/messages`;
}

/**
 * The Anthropic Messages API adapter: canonical request ⇄ wire over the shared `AdapterBase`, every
 * failure classified (see classify-anthropic-error.ts). No retries or policy here.
 * @example
 * const claude = createAnthropicAdapter({ name: 'claude', type: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey });
 * const { response } = await claude.generate('claude-sonnet-4-5', { messages: [{ role: 'user', content: 'Hi' }] });
 */
export function createAnthropicAdapter(
  endpoint: ProviderEndpoint,
  options: { transport?: HttpTransportOptions } = {},
): ProviderAdapter {
  const provider = endpoint.name;
  const url = anthropicMessagesUrl(endpoint.baseUrl);
  const redact = [endpoint.apiKey];
  const base = new AdapterBase({
    endpoint,
    protocol: 'anthropic',
    accept: true,
    protocolHeaders: { 'anthropic-version': ANTHROPIC_VERSION },
    authHeaders: (apiKey) => ({ 'x-api-key': apiKey }),
    classify: ({ model, status, body, headers }) =>
      classifyAnthropicError({ provider, model, status, body, headers, redact }),
    rateLimit: (headers) => readAnthropicRateLimit(headers),
    ...(options.transport === undefined ? {} : { transport: options.transport }),
  });

  const answerOptions =
    endpoint.defaultMaxOutputTokens === undefined
      ? { stream: false }
      : { stream: false, defaultMaxTokens: endpoint.defaultMaxOutputTokens };
  const streamOptions = Object.assign({}, answerOptions, { stream: true });

  return {
    name: provider,
    type: 'anthropic',

    async generate(model, request, attempt: AttemptOptions = {}): Promise<ProviderCallResult> {
      const reply = await base.answer(
        url,
        JSON.stringify(toAnthropicRequest(model, request, answerOptions)),
        model,
        attempt,
      );
      const json = base.json(reply, model);
      // Some proxies answer 200 with an error body; classify it as the error it reports.
      if (anthropicErrorBodySchema.safeParse(json).success) {
        throw classifyAnthropicError({ provider, model, body: reply.text, headers: reply.headers, redact });
      }
      const response = fromAnthropicMessage(base.shape(json, anthropicMessageSchema, 'a message', reply, model));
      return base.callResult(request.responseFormat === undefined ? response : jsonAnswerResponse(response), reply);
    },

    async stream(model, request, attempt: AttemptOptions = {}): Promise<ProviderStream> {
      const reply = await base.openStream(
        url,
        JSON.stringify(toAnthropicRequest(model, request, streamOptions)),
        model,
        attempt,
      );
      const events = anthropicStreamEvents(reply.body, {
        provider,
        model,
        redact,
        ...(attempt.signal === undefined ? {} : { signal: attempt.signal }),
      });
      return base.streamResult(reply, request.responseFormat === undefined ? events : jsonAnswerEvents(events));
    },

    close: () => base.close(),
  };
}
