import { CHARS_PER_TOKEN, estimateTokens } from '../model/token-estimate.js';
import { objectFromSchema, valueFromSchema } from './schema-value.js';
import type { SimAnswer, SimParsedRequest, SimTool } from './sim-protocol.js';

/** The text of an answer that follows tool results. */
export const TOOL_RESULT_REPLY = 'Tool result received.';
const WORDS_PER_CHUNK = 3;
const MIN_CHUNKS = 3;

/**
 * Derives the simulator's answer to a request, deterministically: the same request always gives the
 * same text, tool call, id and usage. `created` is the only field taken from the clock. In JSON mode
 * (`request.json`) the text is JSON: a value built from the schema, or `{"reply": …}` without one;
 * like any text it is cut at the output cap, as a real model's would be.
 * @example deriveAnswer('openai', request, Date.now()).text // 'Simulated reply from openai (gpt-4o): Hello'
 */
export function deriveAnswer(providerName: string, request: SimParsedRequest, nowMs: number): SimAnswer {
  const id = requestHash(providerName, request);
  const created = Math.floor(nowMs / 1000);
  const tool = chooseTool(request);
  if (tool) {
    const input = buildToolInput(tool, request.lastUserText);
    return {
      id,
      model: request.model,
      created,
      textChunks: [],
      text: '',
      toolCall: { id: `${id}t`, name: tool.name, input },
      inputTokens: request.inputTokens,
      outputTokens: estimateTokens(tool.name + JSON.stringify(input)),
      stop: 'tool_use',
    };
  }
  const full =
    request.json === undefined
      ? replyText(providerName, request)
      : jsonText(providerName, request, request.json.schema);
  const maxChars = Math.max(0, request.maxOutputTokens) * CHARS_PER_TOKEN;
  const cut = full.length > maxChars;
  const text = cut ? full.slice(0, maxChars) : full;
  return {
    id,
    model: request.model,
    created,
    textChunks: splitIntoChunks(text),
    text,
    inputTokens: request.inputTokens,
    outputTokens: estimateTokens(text),
    stop: cut ? 'max_tokens' : 'end',
  };
}

/**
 * The echo of the last user message; with images, it says how many arrived, so a test can see that an
 * image reached the provider: `Simulated reply from openai (gpt-4o): I see 1 image. What is this?`.
 */
function replyText(providerName: string, request: SimParsedRequest): string {
  if (request.lastIsToolResult) return TOOL_RESULT_REPLY;
  const images = request.images ?? 0;
  const seen = images === 0 ? '' : `I see ${images} image${images === 1 ? '' : 's'}. `;
  return `Simulated reply from ${providerName} (${request.model}): ${seen}${request.lastUserText}`.trimEnd();
}

/** JSON-mode text: a value for the schema, or `{"reply": <the usual text>}` without one. */
function jsonText(
  providerName: string,
  request: SimParsedRequest,
  schema: Record<string, unknown> | undefined,
): string {
  const value =
    schema === undefined ? { reply: replyText(providerName, request) } : valueFromSchema(schema, request.lastUserText);
  return JSON.stringify(value);
}

/** Which tool the answer calls, if any (see the rules in the simulator docs). */
function chooseTool(request: SimParsedRequest): SimTool | undefined {
  const { tools, toolChoice } = request;
  if (toolChoice === 'none') return undefined;
  if (typeof toolChoice === 'object') {
    return tools.find((tool) => tool.name === toolChoice.name) ?? { name: toolChoice.name };
  }
  if (tools.length === 0) return undefined;
  const mentioned = tools.find((tool) => request.lastUserText.includes(tool.name));
  if (toolChoice === 'required') return mentioned ?? tools[0];
  return request.lastIsToolResult ? undefined : mentioned;
}

/**
 * Builds tool input from its JSON schema: strings from the prompt, numbers 1, booleans true, nested
 * objects filled recursively, arrays with `items` one element (see `objectFromSchema`).
 * @example buildToolInput({ name: 't', inputSchema: { properties: { q: { type: 'string' } } } }, 'hi') // { q: 'hi' }
 */
export function buildToolInput(tool: SimTool, prompt: string): Record<string, unknown> {
  return objectFromSchema(tool.inputSchema, prompt);
}

/**
 * Splits text into stream deltas of about three words, at least three when the text allows;
 * the chunks concatenate to exactly `text`.
 */
export function splitIntoChunks(text: string): string[] {
  if (text.length === 0) return [];
  // Word starts: a non-space at 0 or after a space. One pass, no regex: this runs per request.
  const starts: number[] = [];
  let previousIsSpace = true;
  for (let i = 0; i < text.length; i++) {
    const isSpace = isWhitespace(text.charCodeAt(i));
    if (!isSpace && previousIsSpace) starts.push(i);
    previousIsSpace = isSpace;
  }
  if (starts.length >= MIN_CHUNKS) {
    const size = Math.min(WORDS_PER_CHUNK, Math.floor(starts.length / MIN_CHUNKS));
    const chunks: string[] = [];
    let from = 0;
    for (let word = size; word < starts.length; word += size) {
      const to = starts[word] ?? text.length;
      chunks.push(text.slice(from, to));
      from = to;
    }
    chunks.push(text.slice(from));
    return chunks;
  }
  if (text.length < MIN_CHUNKS) return [text];
  const size = Math.ceil(text.length / MIN_CHUNKS);
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
  return chunks;
}

function isWhitespace(code: number): boolean {
  return (
    code === 32 || (code >= 9 && code <= 13) || code === 160 || (code > 255 && /\s/.test(String.fromCharCode(code)))
  );
}

function requestHash(providerName: string, request: SimParsedRequest): string {
  const choice = typeof request.toolChoice === 'object' ? request.toolChoice.name : request.toolChoice;
  let key = `${providerName}\u0000${request.model}\u0000${request.stream ? 's' : 'g'}${request.maxOutputTokens}\u0000${request.inputTokens}`;
  key += `\u0000${request.lastIsToolResult ? 'r' : 'u'}${choice}\u0000`;
  for (const tool of request.tools) key += `${tool.name},`;
  if (request.json !== undefined)
    key += `\u0000json${request.json.schema === undefined ? '' : JSON.stringify(request.json.schema)}`;
  if (request.images !== undefined && request.images > 0) key += `\u0000img${request.images}`;
  key += `\u0000${request.lastUserText}`;
  return fnv1aHex64(key);
}

/** Two FNV-1a (32-bit) hashes of a string from different offset bases, as 16 hex digits, in one pass. */
function fnv1aHex64(text: string): string {
  let first = 0x811c9dc5;
  let second = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    first = Math.imul(first ^ code, 0x01000193);
    second = Math.imul(second ^ code, 0x01000193);
  }
  return (first >>> 0).toString(16).padStart(8, '0') + (second >>> 0).toString(16).padStart(8, '0');
}
