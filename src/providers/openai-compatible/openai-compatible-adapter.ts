import type { HttpTransportOptions } from '../http-transport.js';
import type { ProviderAdapter, ProviderEndpoint } from '../provider-adapter.js';
import { createOpenAIProtocolAdapter, type OpenAIProtocolFlavor } from '../openai/openai-adapter.js';

/**
 * A vendor that speaks OpenAI's protocol (Groq, Together, Mistral, vLLM, Ollama, LM Studio, …): the
 * OpenAI adapter with another base URL. The key is optional (no Authorization header without one),
 * the cap goes out as `max_tokens` (many vendors do not know `max_completion_tokens`), and streams
 * that omit usage or never name a finish reason before `[DONE]` are accepted.
 */
const COMPATIBLE_FLAVOR: OpenAIProtocolFlavor = { type: 'openai-compatible', maxTokensField: 'max_tokens' };

/**
 * Creates an adapter for an OpenAI-compatible endpoint.
 * @example
 * const local = createOpenAICompatibleAdapter({ name: 'local', type: 'openai-compatible', baseUrl: 'http://127.0.0.1:11434/v1' });
 */
export function createOpenAICompatibleAdapter(
  endpoint: ProviderEndpoint,
  options?: { transport?: HttpTransportOptions },
): ProviderAdapter {
  return createOpenAIProtocolAdapter(endpoint, COMPATIBLE_FLAVOR, options);
}
