/** The Gemini adapter: canonical requests ⇄ the Generative Language API (v1beta). */
export { createGeminiAdapter } from './gemini-adapter.js';
export { classifyGeminiError, type GeminiErrorInput } from './classify-gemini-error.js';
export {
  toGeminiRequest,
  syntheticToolCallId,
  SKIP_THOUGHT_SIGNATURE,
  type ToGeminiOptions,
} from './to-gemini-request.js';
export {
  fromGeminiResponse,
  mapGeminiFinishReason,
  geminiUsage,
  type GeminiCallContext,
} from './from-gemini-response.js';
export { geminiStreamEvents, type GeminiStreamContext } from './gemini-stream.js';
export { geminiRateLimitFromHeaders } from './gemini-rate-limit-headers.js';
