import type { SimHttpReply, SimParsedRequest, SimRequestInfo, SimRoute } from '../sim-protocol.js';
import { IMAGE_TOKENS, estimateTokens } from '../../model/token-estimate.js';
import {
  contextLengthReply,
  invalidKeyReply,
  invalidMethodReply,
  invalidUrlReply,
  missingKeyReply,
  OPENAI_CONTEXT_WINDOW,
  openaiErrorReply,
} from './openai-sim-errors.js';
import {
  OpenAIValidationError,
  UNPARSABLE_BODY,
  validateChatRequest,
  type ValidChatRequest,
} from './openai-sim-validate.js';

/** Output tokens a request gets when it names no `max_completion_tokens` / `max_tokens`. */
export const OPENAI_DEFAULT_MAX_OUTPUT_TOKENS = 4096;

const ROUTES: Record<string, { method: string; route: SimRoute }> = {
  '/v1/chat/completions': { method: 'POST', route: { operation: 'generate' } },
  '/v1/models': { method: 'GET', route: { operation: 'list-models' } },
};

/**
 * Maps a request to an operation: `POST /v1/chat/completions` (streamed or not is decided by the
 * body's `stream`, as on the real API), `GET /v1/models`; anything else gets OpenAI's 404 or 405.
 */
export function routeOpenAI(info: SimRequestInfo): SimRoute | SimHttpReply {
  const known = ROUTES[info.path];
  if (known === undefined) return invalidUrlReply(info.method, info.path);
  if (known.method !== info.method) return invalidMethodReply(info.method, info.path);
  return known.route;
}

/** Bearer-key check: missing → "You didn't provide an API key…", wrong → `invalid_api_key`. */
export function authenticateOpenAI(info: SimRequestInfo, acceptedKey: string | undefined): SimHttpReply | undefined {
  const header = info.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S.*)$/i.exec(header.trim()) : null;
  const key = match?.[1]?.trim();
  if (key === undefined || key === '') return missingKeyReply();
  if (acceptedKey !== undefined && key !== acceptedKey) return invalidKeyReply(key);
  return undefined;
}

/** Parses and validates a Chat Completions body into what the core derives answers from; over-context messages get the 400. */
export function parseOpenAIRequest(body: string): SimParsedRequest | SimHttpReply {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return openaiErrorReply(400, UNPARSABLE_BODY);
  }
  let request: ValidChatRequest;
  try {
    request = validateChatRequest(json);
  } catch (error) {
    if (error instanceof OpenAIValidationError) return openaiErrorReply(400, error.wire);
    throw error;
  }
  const parsed = toParsedRequest(request);
  return parsed.inputTokens > OPENAI_CONTEXT_WINDOW ? contextLengthReply(parsed.inputTokens) : parsed;
}

function toParsedRequest(request: ValidChatRequest): SimParsedRequest {
  let text = '';
  let images = 0;
  for (const message of request.messages) {
    text += message.text;
    images += message.images;
  }
  for (const tool of request.tools) {
    text += tool.name + (tool.description ?? '') + JSON.stringify(tool.parameters ?? {});
  }
  if (request.json?.schema !== undefined) text += JSON.stringify(request.json.schema);
  const lastUser = [...request.messages].reverse().find((message) => message.role === 'user');
  const last = request.messages[request.messages.length - 1];
  return {
    model: request.model,
    stream: request.stream,
    inputTokens: estimateTokens(text) + images * IMAGE_TOKENS,
    maxOutputTokens: request.maxOutputTokens ?? OPENAI_DEFAULT_MAX_OUTPUT_TOKENS,
    includeUsage: request.includeUsage,
    lastUserText: lastUser?.text ?? '',
    lastIsToolResult: last?.role === 'tool',
    ...(lastUser !== undefined && lastUser.images > 0 ? { images: lastUser.images } : {}),
    tools: request.tools.map((tool) =>
      tool.parameters === undefined ? { name: tool.name } : { name: tool.name, inputSchema: tool.parameters },
    ),
    toolChoice: request.toolChoice ?? 'auto',
    ...(request.json === undefined ? {} : { json: request.json }),
  };
}
