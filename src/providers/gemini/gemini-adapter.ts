import { providerError, type ProviderError } from '../../model/errors.js';
import type { GenerateRequest } from '../../model/message.js';
import { HttpTransport, MAX_ERROR_BODY_CHARS, readErrorBody, type HttpReply, type HttpTransportOptions } from '../http-transport.js';
import type { AttemptOptions, ProviderAdapter, ProviderCallResult, ProviderEndpoint, ProviderStream } from '../provider-adapter.js';
import { geminiResponseSchema } from './gemini-api.js';
import { classifyGeminiError } from './classify-gemini-error.js';
import { fromGeminiResponse } from './from-gemini-response.js';
import { geminiRateLimitFromHeaders } from './gemini-rate-limit-headers.js';
import { geminiStreamEvents } from './gemini-stream.js';
import { toGeminiRequest } from './to-gemini-request.js';


/**
 * The Gemini adapter (Generative Language API v1beta): `x-goog-api-key` auth, the model in the
 * path, `:generateContent` and `:streamGenerateContent?alt=sse`.
 * @example
 * const gemini = createGeminiAdapter({ name: 'gemini', type: 'gemini', baseUrl: 'https://generativelanguage.googleapis.com', apiKey: process.env.GEMINI_API_KEY });
 * const { response } = await gemini.generate('gemini-2.5-flash', { messages: [{ role: 'user', content: 'Hi' }] });
 */
export function createGeminiAdapter(endpoint: ProviderEndpoint, options: { transport?: HttpTransportOptions } = {}): ProviderAdapter {
  const transport = new HttpTransport(endpoint.name, options.transport);
  const base = endpoint.baseUrl.replace(/\/+$/, '');
  const secrets = endpoint.apiKey === undefined ? [] : [endpoint.apiKey];

  function urlFor(model: string, stream: boolean): string {
    const resource = /^(models|tunedModels)\//.test(model) ? model : `models/${model}`;
    const path = resource.split('/').map(encodeURIComponent).join('/');
    return `${base}/v1beta/${path}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;
  }

  function headers(): Record<string, string> {
    return {
      'content-type': 'application/json',
      ...(endpoint.apiKey === undefined ? {} : { 'x-goog-api-key': endpoint.apiKey }),
      ...endpoint.headers,
    };
  }

  // Built once: the same headers go with every call.
  const fixedHeaders = headers();

  function requestOptions(model: string): Parameters<typeof toGeminiRequest>[1] {
    return endpoint.defaultMaxOutputTokens === undefined ? { model } : { model, defaultMaxOutputTokens: endpoint.defaultMaxOutputTokens };
  }

  /** Streams only: non-streamed calls read the whole answer with `postText`. */
  async function send(model: string, request: GenerateRequest, attempt: AttemptOptions): Promise<HttpReply> {
    const body = toGeminiRequest(request, requestOptions(model));
    const reply = await transport.post(urlFor(model, true), fixedHeaders, JSON.stringify(body), { model, signal: attempt.signal, headersTimeoutMs: attempt.headersTimeoutMs });
    if (reply.status >= 200 && reply.status < 300) return reply;
    // A body that fails to arrive still leaves the status to classify by.
    const text = await readErrorBody(reply, endpoint.name, model, attempt.signal).catch(() => {
      if (attempt.signal?.aborted) throw attempt.signal.reason;
      return '';
    });
    throw classifyGeminiError({ provider: endpoint.name, model, status: reply.status, body: text, headers: reply.headers, secrets });
  }


  return {
    name: endpoint.name,
    type: 'gemini',

    async generate(model, request, attempt = {}): Promise<ProviderCallResult> {
      const body = JSON.stringify(toGeminiRequest(request, requestOptions(model)));
      const reply = await transport.postText(urlFor(model, false), fixedHeaders, body, { model, signal: attempt.signal, headersTimeoutMs: attempt.headersTimeoutMs });
      const text = reply.text;
      if (reply.status < 200 || reply.status >= 300) {
        throw classifyGeminiError({ provider: endpoint.name, model, status: reply.status, body: text.slice(0, MAX_ERROR_BODY_CHARS), headers: reply.headers, secrets });
      }
      const rateLimit = geminiRateLimitFromHeaders(reply.headers);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw malformedBody(model, reply.status, `not JSON: ${text.slice(0, 120)}`);
      }
      const parsed = geminiResponseSchema.safeParse(json);
      if (!parsed.success) throw malformedBody(model, reply.status, parsed.error.issues[0]?.message ?? 'unexpected shape');
      const response = fromGeminiResponse(parsed.data, { provider: endpoint.name, model });
      return { response, status: reply.status, ...(rateLimit === undefined ? {} : { rateLimit }) };
    },

    async stream(model, request, attempt = {}): Promise<ProviderStream> {
      const reply = await send(model, request, attempt);
      const rateLimit = geminiRateLimitFromHeaders(reply.headers);
      const events = geminiStreamEvents(reply.body, {
        provider: endpoint.name,
        model,
        secrets,
        release: () => reply.body.destroy(),
        ...(attempt.signal === undefined ? {} : { signal: attempt.signal }),
      });
      return { status: reply.status, events, ...(rateLimit === undefined ? {} : { rateLimit }) };
    },

    close: () => transport.close(),
  };

  function malformedBody(model: string, status: number, detail: string): ProviderError {
    return providerError({
      class: 'server_error',
      message: `gemini '${endpoint.name}': malformed ${status} response: ${detail}`,
      provider: endpoint.name,
      model,
      status,
    });
  }
}
