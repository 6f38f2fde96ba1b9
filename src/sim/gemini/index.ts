import type { SimProtocol } from '../sim-protocol.js';
import {
  bodyTooLargeReply,
  renderGeminiFault,
  renderGeminiOverLimit,
  renderGeminiStreamError,
} from './gemini-sim-errors.js';
import {
  geminiStreamHeaders,
  renderGeminiAnswer,
  renderGeminiModels,
  renderGeminiStream,
} from './gemini-sim-render.js';
import { authenticateGemini, parseGeminiRequest, routeGemini } from './gemini-sim-request.js';

/**
 * The simulator's Gemini protocol (Generative Language API v1beta): `:generateContent` and
 * `:streamGenerateContent?alt=sse` with the model in the path, `x-goog-api-key` or `?key=` auth,
 * Google's own 400/403/404/429/500/503 bodies, SSE chunks without a terminator and the raw JSON
 * error tail of a stream that fails; without `alt=sse`, the stream as one JSON array. Gemini sends no
 * rate-limit headers.
 * @example startSimulator({ port: 0 }) // serves it as `/gemini/v1beta/models/gemini-2.5-flash:generateContent`
 */
export const geminiSimProtocol: SimProtocol = {
  protocol: 'gemini',
  route: routeGemini,
  authenticate: authenticateGemini,
  parse: parseGeminiRequest,
  listModels: renderGeminiModels,
  renderAnswer: renderGeminiAnswer,
  streamHeaders: geminiStreamHeaders,
  renderStream: renderGeminiStream,
  renderStreamError: (_model, request) => renderGeminiStreamError(request?.jsonArrayStream === true),
  renderFault: renderGeminiFault,
  rateLimitHeaders: () => ({}),
  renderOverLimit: renderGeminiOverLimit,
  renderBodyTooLarge: bodyTooLargeReply,
};

export { GEMINI_DEFAULT_MAX_OUTPUT_TOKENS } from './gemini-sim-request.js';
export { formatProtoDuration, GEMINI_MAX_INPUT_TOKENS } from './gemini-sim-errors.js';
