import type { ProviderAdapter, ProviderEndpoint } from './provider-adapter.js';
import type { HttpTransportOptions } from './http-transport.js';
import { createAnthropicAdapter } from './anthropic/index.js';
import { createOpenAIAdapter } from './openai/index.js';
import { createOpenAICompatibleAdapter } from './openai-compatible/index.js';
import { createGeminiAdapter } from './gemini/index.js';

/**
 * The adapter for an endpoint's wire protocol.
 * @example const adapter = createAdapter({ name: 'claude', type: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey });
 */
export function createAdapter(
  endpoint: ProviderEndpoint,
  options: { transport?: HttpTransportOptions } = {},
): ProviderAdapter {
  switch (endpoint.type) {
    case 'anthropic':
      return createAnthropicAdapter(endpoint, options);
    case 'openai':
      return createOpenAIAdapter(endpoint, options);
    case 'openai-compatible':
      return createOpenAICompatibleAdapter(endpoint, options);
    case 'gemini':
      return createGeminiAdapter(endpoint, options);
  }
}
