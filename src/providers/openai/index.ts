/** The OpenAI Chat Completions adapter and its pieces (translation, stream reader, classifier). */
export {
  createOpenAIAdapter,
  createOpenAIProtocolAdapter,
  type OpenAIProtocolFlavor,
  type OpenAIAdapterOptions,
} from './openai-adapter.js';
export { classifyOpenAIError, type OpenAIErrorInput } from './classify-openai-error.js';
export { openaiRateLimitFromHeaders } from './openai-rate-limit-headers.js';
export { openaiStreamEvents, type OpenAIStreamContext, type OpenAIStreamBody } from './openai-stream.js';
export { toOpenAIRequest, type OpenAIRequestOptions } from './to-openai-request.js';
export { fromOpenAIResponse, mapOpenAIFinishReason, parseToolArguments } from './from-openai-response.js';
