import type { SimHttpReply, SimParsedRequest, SimRequestInfo, SimRoute } from '../sim-protocol.js';
import { IMAGE_TOKENS, estimateTokens } from '../../model/token-estimate.js';
import { anthropicError, invalidRequest, notFound } from './anthropic-sim-errors.js';
import { validateAnthropicBody } from './anthropic-sim-validate.js';

/**
 * `POST /v1/messages` is the Messages API (streamed or not, decided by the body's `stream`);
 * `GET /v1/models` lists models. Anything else is Anthropic's 404 `not_found_error`.
 */
export function routeAnthropic(info: SimRequestInfo): SimRoute | SimHttpReply {
  const path = info.path.endsWith('/') && info.path.length > 1 ? info.path.slice(0, -1) : info.path;
  if (path === '/v1/messages' && info.method === 'POST') return { operation: 'generate' };
  if (path === '/v1/models' && info.method === 'GET') return { operation: 'list-models' };
  return notFound();
}

function header(info: SimRequestInfo, name: string): string | undefined {
  const value = info.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The key a request presents: `x-api-key`, or `Authorization: Bearer …` (what SDK 1.x sends). */
export function presentedKey(info: SimRequestInfo): string | undefined {
  const apiKey = header(info, 'x-api-key');
  if (apiKey !== undefined && apiKey !== '') return apiKey;
  const authorization = header(info, 'authorization');
  const match = authorization === undefined ? null : /^Bearer\s+(.+)$/i.exec(authorization.trim());
  return match?.[1];
}

/**
 * No key at all → 401 "x-api-key header is required"; a key other than `acceptedKey` → 401
 * "invalid x-api-key". `acceptedKey` undefined accepts any non-empty key.
 */
export function authenticateAnthropic(info: SimRequestInfo, acceptedKey: string | undefined): SimHttpReply | undefined {
  const key = presentedKey(info);
  if (key === undefined) return anthropicError(401, 'authentication_error', 'x-api-key header is required');
  if (acceptedKey !== undefined && key !== acceptedKey)
    return anthropicError(401, 'authentication_error', 'invalid x-api-key');
  return undefined;
}

/** Validates a Messages API body and reduces it to what answer derivation needs. */
export function parseAnthropic(body: string): SimParsedRequest | SimHttpReply {
  const valid = validateAnthropicBody(body);
  if ('error' in valid) return invalidRequest(valid.error);
  return {
    model: valid.model,
    stream: valid.stream,
    inputTokens: estimateTokens(valid.countedText) + valid.images * IMAGE_TOKENS,
    maxOutputTokens: valid.maxTokens,
    includeUsage: true,
    lastUserText: valid.lastUserText,
    lastIsToolResult: valid.lastIsToolResult,
    ...(valid.lastUserImages > 0 ? { images: valid.lastUserImages } : {}),
    tools: valid.tools.map((tool) =>
      tool.inputSchema === undefined ? { name: tool.name } : { name: tool.name, inputSchema: tool.inputSchema },
    ),
    toolChoice: valid.toolChoice,
  };
}
