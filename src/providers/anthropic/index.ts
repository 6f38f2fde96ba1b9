/** The Anthropic Messages API adapter and its pieces (translation, stream reader, classifier). */
export { createAnthropicAdapter, anthropicMessagesUrl, ANTHROPIC_VERSION } from './anthropic-adapter.js';
export {
  toAnthropicRequest,
  toAnthropicMessages,
  anthropicSystem,
  ANTHROPIC_DEFAULT_MAX_TOKENS,
} from './to-anthropic-request.js';
export type { AnthropicRequestBody, AnthropicRequestMessage, AnthropicRequestBlock } from './to-anthropic-request.js';
export { fromAnthropicMessage, anthropicFinishReason, anthropicUsage } from './from-anthropic-response.js';
export { anthropicStreamEvents } from './anthropic-stream.js';
export type { AnthropicStreamBody, AnthropicStreamContext } from './anthropic-stream.js';
export { classifyAnthropicError } from './classify-anthropic-error.js';
export type { AnthropicFailure } from './classify-anthropic-error.js';
export { readAnthropicRateLimit } from './anthropic-rate-limit-headers.js';
