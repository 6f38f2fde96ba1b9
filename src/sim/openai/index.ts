import type { SimProtocol } from '../sim-protocol.js';
import {
  openaiRateLimitHeaders,
  renderOpenAIFault,
  renderOpenAIOverLimit,
  renderOpenAIStreamError,
} from './openai-sim-errors.js';
import {
  openaiStreamHeaders,
  renderOpenAIAnswer,
  renderOpenAIModels,
  renderOpenAIStream,
} from './openai-sim-render.js';
import { authenticateOpenAI, parseOpenAIRequest, routeOpenAI } from './openai-sim-request.js';

/**
 * The simulator's OpenAI Chat Completions protocol: routes, bearer auth, request validation with
 * OpenAI's own 400s, answers, `data:`-only streams ending in `[DONE]`, faults and rate-limit headers.
 * @example startSimulator({ port: 0 }) // serves it as `/openai/v1/chat/completions`
 */
export const openaiSimProtocol: SimProtocol = {
  protocol: 'openai',
  sdkBasePath: '/v1',
  route: routeOpenAI,
  authenticate: authenticateOpenAI,
  parse: (_route, body) => parseOpenAIRequest(body),
  listModels: renderOpenAIModels,
  renderAnswer: renderOpenAIAnswer,
  streamHeaders: openaiStreamHeaders,
  renderStream: renderOpenAIStream,
  renderStreamError: () => renderOpenAIStreamError(),
  renderFault: renderOpenAIFault,
  rateLimitHeaders: openaiRateLimitHeaders,
  renderOverLimit: renderOpenAIOverLimit,
};

export { OPENAI_DEFAULT_MAX_OUTPUT_TOKENS } from './openai-sim-request.js';
