import {
  isInlineImage,
  type ContentPart,
  type GenerateRequest,
  type ImagePart,
  type Message,
  type ResponseFormat,
  type ToolChoice,
} from '../../model/message.js';
import type {
  OpenAIChatRequest,
  OpenAIWireMessage,
  OpenAIWireResponseFormat,
  OpenAIWireToolCall,
  OpenAIWireToolChoice,
  OpenAIWireUserPart,
} from './openai-api.js';

/** How one OpenAI-protocol vendor wants its body. */
export interface OpenAIRequestOptions {
  stream: boolean;
  /** OpenAI wants `max_completion_tokens`; many compatible vendors only know `max_tokens`. */
  maxTokensField: 'max_completion_tokens' | 'max_tokens';
  /** Sent when the request names no cap (OpenAI needs none, so none is sent unless configured). */
  defaultMaxOutputTokens?: number;
}

function toolArguments(input: unknown): string {
  // An input kept as a raw string (arguments that were not valid JSON) goes back exactly as received.
  return typeof input === 'string' ? input : JSON.stringify(input ?? {});
}

function partsOf(content: Message['content']): ContentPart[] {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : content;
}

function textOf(parts: readonly ContentPart[]): string {
  let text = '';
  for (const part of parts) if (part.type === 'text') text += part.text;
  return text;
}

/** An image as Chat Completions takes it: its URL, or its bytes as a `data:` URL. */
export function openAIImageUrl(part: ImagePart): string {
  return isInlineImage(part) ? `data:${part.mediaType};base64,${part.data}` : part.url;
}

/** A user turn with images: its parts in order, text and `image_url` (empty text parts dropped). */
function userParts(parts: readonly ContentPart[]): OpenAIWireUserPart[] {
  const out: OpenAIWireUserPart[] = [];
  for (const part of parts) {
    if (part.type === 'text' && part.text !== '') out.push({ type: 'text', text: part.text });
    else if (part.type === 'image') out.push({ type: 'image_url', image_url: { url: openAIImageUrl(part) } });
  }
  return out;
}

/** One canonical message becomes one or more wire messages (each tool result is its own `tool` message). */
function toWireMessages(message: Message): OpenAIWireMessage[] {
  const parts = partsOf(message.content);
  const wire: OpenAIWireMessage[] = [];
  for (const part of parts) {
    if (part.type === 'tool-result') wire.push({ role: 'tool', tool_call_id: part.toolCallId, content: part.content });
  }
  const hasText = parts.some((part) => part.type === 'text');
  switch (message.role) {
    case 'system':
      if (hasText) wire.push({ role: 'system', content: textOf(parts) });
      break;
    case 'user':
    case 'tool':
      if (parts.some((part) => part.type === 'image')) wire.push({ role: 'user', content: userParts(parts) });
      else if (hasText)
        wire.push({ role: 'user', content: typeof message.content === 'string' ? message.content : textOf(parts) });
      break;
    case 'assistant': {
      const toolCalls: OpenAIWireToolCall[] = [];
      for (const part of parts) {
        if (part.type === 'tool-call') {
          toolCalls.push({
            id: part.id,
            type: 'function',
            function: { name: part.name, arguments: toolArguments(part.input) },
          });
        }
      }
      const text = textOf(parts);
      if (toolCalls.length > 0)
        wire.push({ role: 'assistant', content: text === '' ? null : text, tool_calls: toolCalls });
      else if (hasText) wire.push({ role: 'assistant', content: text });
      break;
    }
  }
  return wire;
}

function toWireToolChoice(choice: ToolChoice): OpenAIWireToolChoice {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

/**
 * OpenAI refuses `json_object` unless some message says "json" (400 "'messages' must contain the word
 * 'json'"): a request that Claude or Gemini would answer must not become a bad request when the route fails
 * over to OpenAI, so this system line is added when no message says it.
 */
export const JSON_OBJECT_HINT = 'Respond with a JSON object.';

function mentionsJson(messages: readonly OpenAIWireMessage[]): boolean {
  return messages.some((m) => {
    if (typeof m.content === 'string') return /json/i.test(m.content);
    return Array.isArray(m.content) && m.content.some((part) => part.type === 'text' && /json/i.test(part.text));
  });
}

/** JSON mode: `json_object` without a schema, else `json_schema` (named `response` unless the caller named it). */
export function toWireResponseFormat(format: ResponseFormat): OpenAIWireResponseFormat {
  if (format.schema === undefined) return { type: 'json_object' };
  return {
    type: 'json_schema',
    json_schema: {
      name: format.name ?? 'response',
      schema: format.schema,
      ...(format.description === undefined ? {} : { description: format.description }),
      ...(format.strict === undefined ? {} : { strict: format.strict }),
    },
  };
}

/**
 * Translates a canonical request into a Chat Completions body: the system prompt as a leading
 * `system` message (in-line system messages stay where they are, as the wire allows), tool calls as
 * assistant `tool_calls` with JSON-string arguments, tool results as `role: tool` messages.
 * @example toOpenAIRequest('gpt-4o', { messages: [{ role: 'user', content: 'Hi' }] }, { stream: false, maxTokensField: 'max_completion_tokens' })
 */
export function toOpenAIRequest(
  model: string,
  request: GenerateRequest,
  options: OpenAIRequestOptions,
): OpenAIChatRequest {
  const messages: OpenAIWireMessage[] = [];
  if (request.system !== undefined && request.system !== '') messages.push({ role: 'system', content: request.system });
  for (const message of request.messages) messages.push(...toWireMessages(message));
  const body: OpenAIChatRequest = { model, messages };
  const maxTokens = request.maxOutputTokens ?? options.defaultMaxOutputTokens;
  if (maxTokens !== undefined) body[options.maxTokensField] = maxTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stopSequences !== undefined && request.stopSequences.length > 0) body.stop = request.stopSequences;
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        parameters: tool.inputSchema,
      },
    }));
    if (request.toolChoice !== undefined) body.tool_choice = toWireToolChoice(request.toolChoice);
  }
  if (request.responseFormat !== undefined) {
    body.response_format = toWireResponseFormat(request.responseFormat);
    if (body.response_format.type === 'json_object' && !mentionsJson(messages))
      messages.unshift({ role: 'system', content: JSON_OBJECT_HINT });
  }
  if (options.stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return body;
}
