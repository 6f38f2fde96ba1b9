import { IMAGE_TOKENS, estimateTokens } from '../../model/token-estimate.js';
import type { SimHttpReply, SimParsedRequest, SimRequestInfo, SimRoute, SimTool } from '../sim-protocol.js';
import {
  contextLengthReply,
  GEMINI_MAX_INPUT_TOKENS,
  invalidKeyReply,
  missingKeyReply,
  notFoundReply,
} from './gemini-sim-errors.js';
import {
  GeminiValidationError,
  unparsableBodyReply,
  validateGeminiRequest,
  type ValidGeminiRequest,
} from './gemini-sim-validate.js';

/** Output tokens a request gets when its generationConfig names no `maxOutputTokens`. */
export const GEMINI_DEFAULT_MAX_OUTPUT_TOKENS = 4096;

const METHOD_PATH = /^\/(v1|v1beta|v1alpha)\/((?:models|tunedModels)\/[^/:]+):(generateContent|streamGenerateContent)$/;
const LIST_PATH = /^\/(v1|v1beta|v1alpha)\/models\/?$/;

/**
 * Maps a request to an operation: `POST /v1beta/models/{model}:generateContent` and
 * `:streamGenerateContent` (SSE with `?alt=sse`, which the SDKs add; without it, as Google does, one JSON
 * array streamed element by element),
 * `GET /v1beta/models`; anything else gets Google's 404 NOT_FOUND. `v1` and `v1alpha` work too.
 */
export function routeGemini(info: SimRequestInfo): SimRoute | SimHttpReply {
  if (info.method === 'GET' && LIST_PATH.test(info.path)) return { operation: 'list-models' };
  const match = METHOD_PATH.exec(info.path);
  if (match === null || info.method !== 'POST') return notFoundReply();
  const resource = decodeURIComponent(match[2] ?? '');
  const model = resource.startsWith('models/') ? resource.slice('models/'.length) : resource;
  if (match[3] !== 'streamGenerateContent') return { operation: 'generate', model };
  return info.query.get('alt') === 'sse'
    ? { operation: 'stream', model }
    : { operation: 'stream', model, jsonArray: true };
}

/**
 * Key check as Google does it: `x-goog-api-key` header or `?key=`; none → 403 PERMISSION_DENIED,
 * a wrong one → 400 INVALID_ARGUMENT with reason API_KEY_INVALID.
 */
export function authenticateGemini(info: SimRequestInfo, acceptedKey: string | undefined): SimHttpReply | undefined {
  const header = info.headers['x-goog-api-key'];
  const fromHeader = (Array.isArray(header) ? header[0] : header)?.trim();
  const key = fromHeader !== undefined && fromHeader !== '' ? fromHeader : info.query.get('key')?.trim();
  if (key === undefined || key === '') return missingKeyReply();
  if (acceptedKey !== undefined && key !== acceptedKey) return invalidKeyReply();
  return undefined;
}

/** Parses and validates a `GenerateContentRequest` into what the core derives answers from. */
export function parseGeminiRequest(
  route: SimRoute & { operation: 'generate' | 'stream' },
  body: string,
): SimParsedRequest | SimHttpReply {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return unparsableBodyReply(body);
  }
  let request: ValidGeminiRequest;
  try {
    request = validateGeminiRequest(json);
  } catch (error) {
    if (error instanceof GeminiValidationError) return error.reply;
    throw error;
  }
  const parsed = toParsedRequest(request, route.model ?? '', route.operation === 'stream');
  if (route.operation === 'stream' && route.jsonArray === true) parsed.jsonArrayStream = true;
  if (parsed.inputTokens > GEMINI_MAX_INPUT_TOKENS) return contextLengthReply(parsed.inputTokens);
  return parsed;
}

function toParsedRequest(request: ValidGeminiRequest, model: string, stream: boolean): SimParsedRequest {
  let text = request.systemText;
  let images = 0;
  for (const content of request.contents) {
    for (const part of content.parts) {
      if (part.kind === 'media' && part.image) images += 1;
      if (part.kind === 'text') text += part.text;
      else if (part.kind === 'call') text += part.name + JSON.stringify(part.args);
      else if (part.kind === 'response') text += JSON.stringify(part.response);
    }
  }
  for (const tool of request.tools) text += tool.name + (tool.description ?? '') + JSON.stringify(tool.schema ?? {});
  if (request.json?.schema !== undefined) text += JSON.stringify(request.json.schema);
  const last = request.contents[request.contents.length - 1];
  const lastUser = [...request.contents]
    .reverse()
    .find((c) => c.role === 'user' && c.parts.some((p) => p.kind === 'text' || p.kind === 'media'));
  const lastUserImages = lastUser?.parts.filter((p) => p.kind === 'media' && p.image).length ?? 0;
  const allowed =
    request.mode === 'ANY' && request.allowedFunctionNames.length > 0
      ? new Set(request.allowedFunctionNames)
      : undefined;
  const tools: SimTool[] = request.tools
    .filter((tool) => allowed === undefined || allowed.has(tool.name))
    .map((tool) =>
      tool.schema === undefined ? { name: tool.name } : { name: tool.name, inputSchema: lowerCaseTypes(tool.schema) },
    );
  return {
    model,
    stream,
    inputTokens: estimateTokens(text) + images * IMAGE_TOKENS,
    maxOutputTokens: request.maxOutputTokens ?? GEMINI_DEFAULT_MAX_OUTPUT_TOKENS,
    includeUsage: true,
    lastUserText: lastUser?.parts.map((p) => (p.kind === 'text' ? p.text : '')).join('') ?? '',
    lastIsToolResult: last?.parts.some((p) => p.kind === 'response') ?? false,
    ...(lastUserImages > 0 ? { images: lastUserImages } : {}),
    tools,
    toolChoice: toolChoiceOf(request, tools),
    ...(request.json === undefined ? {} : { json: request.json }),
  };
}

function toolChoiceOf(request: ValidGeminiRequest, tools: readonly SimTool[]): SimParsedRequest['toolChoice'] {
  if (tools.length === 0 || request.mode === 'NONE') return request.mode === 'NONE' ? 'none' : 'auto';
  if (request.mode !== 'ANY') return 'auto';
  const only = tools.length === 1 ? tools[0] : undefined;
  return only === undefined ? 'required' : { name: only.name };
}

/** `parameters` uses OpenAPI's upper-case types (`OBJECT`, `STRING`); answer derivation reads JSON Schema's. */
function lowerCaseTypes(schema: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'type' && typeof value === 'string') out[key] = value.toLowerCase();
    else if (key === 'properties' && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [
          name,
          typeof sub === 'object' && sub !== null && !Array.isArray(sub)
            ? lowerCaseTypes(sub as Record<string, unknown>)
            : sub,
        ]),
      );
    } else out[key] = value;
  }
  return out;
}
