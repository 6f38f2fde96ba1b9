import type { SimProtocol } from '../sim-protocol.js';
import { authenticateAnthropic, parseAnthropic, routeAnthropic } from './anthropic-sim-request.js';
import {
  anthropicStreamHeaders,
  renderAnthropicAnswer,
  renderAnthropicModels,
  renderAnthropicStream,
  renderAnthropicStreamError,
} from './anthropic-sim-render.js';
import {
  anthropicRateLimitHeaders,
  renderAnthropicFault,
  renderAnthropicOverLimit,
  requestTooLarge,
} from './anthropic-sim-errors.js';

/**
 * The Anthropic Messages API as the simulator speaks it: faithful enough that the official
 * `@anthropic-ai/sdk` cannot tell it from api.anthropic.com.
 * @example const sim = await startSimulator({ port: 0 }); new Anthropic({ baseURL: sim.urlFor('anthropic'), apiKey: 'k' });
 */
export const anthropicSimProtocol: SimProtocol = {
  protocol: 'anthropic',
  route: routeAnthropic,
  authenticate: authenticateAnthropic,
  parse: (_route, body) => parseAnthropic(body),
  listModels: renderAnthropicModels,
  renderAnswer: renderAnthropicAnswer,
  streamHeaders: anthropicStreamHeaders,
  renderStream: renderAnthropicStream,
  renderStreamError: renderAnthropicStreamError,
  renderFault: renderAnthropicFault,
  rateLimitHeaders: (context) => anthropicRateLimitHeaders(context),
  renderOverLimit: renderAnthropicOverLimit,
  renderBodyTooLarge: requestTooLarge,
};
