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
import { geminiResponseSchema } from './gemini-api.js';
import { classifyGeminiError } from './classify-gemini-error.js';
import { fromGeminiResponse } from './from-gemini-response.js';
import { geminiRateLimitFromHeaders } from './gemini-rate-limit-headers.js';
import { geminiStreamEvents } from './gemini-stream.js';
import { geminiCannotTake, toGeminiRequest } from './to-gemini-request.js';

/**
 * The Gemini adapter (Generative Language API v1beta): `x-goog-api-key` auth, the model in the
 * path, `:generateContent` and `:streamGenerateContent?alt=sse`.
 * @example
 * const gemini = createGeminiAdapter({ name: 'gemini', type: 'gemini', baseUrl: 'https://generativelanguage.googleapis.com', apiKey: process.env.GEMINI_API_KEY });
 * const { response } = await gemini.generate('gemini-2.5-flash', { messages: [{ role: 'user', content: 'Hi' }] });
 */
export function createGeminiAdapter(
  endpoint: ProviderEndpoint,
  options: { transport?: HttpTransportOptions } = {},
): ProviderAdapter {
  const provider = endpoint.name;
  const root = endpoint.baseUrl.replace(/\/+$/, '');
  const secrets = endpoint.apiKey ? [endpoint.apiKey] : [];
  const base = new AdapterBase({
    endpoint,
    protocol: 'gemini',
    accept: false,
    authHeaders: (apiKey) => ({ 'x-goog-api-key': apiKey }),
    classify: ({ model, status, body, headers }) =>
      classifyGeminiError({ provider, model, status, body, headers, secrets }),
    rateLimit: geminiRateLimitFromHeaders,
    ...(options.transport === undefined ? {} : { transport: options.transport }),
  });

  function urlFor(model: string, stream: boolean): string {
    const resource = /^(models|tunedModels)\//.test(model) ? model : `models/${model}`;
    const path = resource.split('/').map(encodeURIComponent).join('/');
    return `${root}/v1beta/${path}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;
  }

  function requestBody(model: string, request: GenerateRequest): string {
    const defaults =
      endpoint.defaultMaxOutputTokens === undefined
        ? { model }
        : { model, defaultMaxOutputTokens: endpoint.defaultMaxOutputTokens };
    return JSON.stringify(toGeminiRequest(request, defaults));
  }

  return {
    name: provider,
    type: 'gemini',
    cannotTake: geminiCannotTake,

    async generate(model, request, attempt: AttemptOptions = {}): Promise<ProviderCallResult> {
      const reply = await base.answer(urlFor(model, false), requestBody(model, request), model, attempt);
      const answer = base.shape(
        base.json(reply, model),
        geminiResponseSchema,
        'a GenerateContentResponse',
        reply,
        model,
      );
      return base.callResult(fromGeminiResponse(answer, { provider, model }), reply);
    },

    async stream(model, request, attempt: AttemptOptions = {}): Promise<ProviderStream> {
      const reply = await base.openStream(urlFor(model, true), requestBody(model, request), model, attempt);
      return base.streamResult(
        reply,
        geminiStreamEvents(reply.body, {
          provider,
          model,
          secrets,
          release: () => reply.body.destroy(),
          ...(attempt.signal === undefined ? {} : { signal: attempt.signal }),
        }),
      );
    },

    close: () => base.close(),
  };
}
