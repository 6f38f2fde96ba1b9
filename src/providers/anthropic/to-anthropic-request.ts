import type {
  ContentPart,
  GenerateRequest,
  ImageMediaType,
  ImagePart,
  Message,
  ToolChoice,
} from '../../model/message.js';
import { contentText, isInlineImage } from '../../model/message.js';
import { withJsonAnswerTool } from './json-answer-tool.js';

/** Output tokens requested when neither the caller nor the endpoint sets any (the wire requires one). */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

/** The wire's content blocks that failsoft sends. */
export type AnthropicRequestBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; tool_use_id: string; content: string; is_error?: boolean }
  | { type: 'image'; source: AnthropicImageSource };

/** An image block's source (the SDK's `Base64ImageSource` and `URLImageSource`). */
export type AnthropicImageSource =
  | { type: 'base64'; media_type: ImageMediaType; data: string }
  | { type: 'url'; url: string };

/** A canonical image as the Messages API's image source: base64 bytes, or a URL Anthropic fetches. */
export function anthropicImageSource(part: ImagePart): AnthropicImageSource {
  return isInlineImage(part)
    ? { type: 'base64', media_type: part.mediaType, data: part.data }
    : { type: 'url', url: part.url };
}

export interface AnthropicRequestMessage {
  role: 'user' | 'assistant';
  content: AnthropicRequestBlock[];
}

/** A Messages API request body. */
export interface AnthropicRequestBody {
  model: string;
  max_tokens: number;
  messages: AnthropicRequestMessage[];
  system?: string;
  temperature?: number;
  top_p?: number;
  stop_sequences?: string[];
  tools?: { name: string; description?: string; input_schema: Record<string, unknown> }[];
  tool_choice?: { type: 'auto' | 'any' | 'none' } | { type: 'tool'; name: string };
  stream?: boolean;
}

function blocksOf(content: string | ContentPart[]): AnthropicRequestBlock[] {
  const parts: ContentPart[] = typeof content === 'string' ? [{ type: 'text', text: content }] : content;
  const blocks: AnthropicRequestBlock[] = [];
  for (const part of parts) {
    // The API rejects empty text blocks ("text content blocks must be non-empty").
    if (part.type === 'text') {
      if (part.text !== '') blocks.push({ type: 'text', text: part.text });
    } else if (part.type === 'tool-call') {
      blocks.push({ type: 'tool_use', id: part.id, name: part.name, input: part.input ?? {} });
    } else if (part.type === 'image') {
      blocks.push({ type: 'image', source: anthropicImageSource(part) });
    } else {
      blocks.push({
        type: 'tool_result',
        tool_use_id: part.toolCallId,
        content: part.content,
        ...(part.isError ? { is_error: true } : {}),
      });
    }
  }
  return blocks;
}

/** Tool results must come first in a user turn ("any text must come after all tool results"). */
function toolResultsFirst(blocks: AnthropicRequestBlock[]): AnthropicRequestBlock[] {
  return [...blocks.filter((b) => b.type === 'tool_result'), ...blocks.filter((b) => b.type !== 'tool_result')];
}

/**
 * Conversation turns for the wire: `tool` messages become user turns of `tool_result` blocks,
 * consecutive turns of the same role are merged (the API wants alternation), empty turns dropped.
 */
export function toAnthropicMessages(messages: readonly Message[]): AnthropicRequestMessage[] {
  const out: AnthropicRequestMessage[] = [];
  for (const message of messages) {
    if (message.role === 'system') continue;
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    const blocks = blocksOf(message.content);
    if (blocks.length === 0) continue;
    const previous = out.at(-1);
    if (previous?.role === role) previous.content.push(...blocks);
    else out.push({ role, content: blocks });
  }
  for (const message of out) if (message.role === 'user') message.content = toolResultsFirst(message.content);
  return out;
}

/** The system prompt and every `system` message, joined by blank lines (the wire has one `system`). */
export function anthropicSystem(request: GenerateRequest): string | undefined {
  const parts = [
    request.system ?? '',
    ...request.messages.filter((m) => m.role === 'system').map((m) => contentText(m.content)),
  ];
  const joined = parts.filter((p) => p !== '').join('\n\n');
  return joined === '' ? undefined : joined;
}

function toolChoiceOf(choice: ToolChoice): NonNullable<AnthropicRequestBody['tool_choice']> {
  if (choice === 'auto') return { type: 'auto' };
  if (choice === 'required') return { type: 'any' };
  if (choice === 'none') return { type: 'none' };
  return { type: 'tool', name: choice.name };
}

/**
 * Translates a canonical request to a Messages API body.
 * @example toAnthropicRequest('claude-sonnet-4-5', { messages: [{ role: 'user', content: 'Hi' }] }, { stream: false }).max_tokens // 4096
 */
export function toAnthropicRequest(
  model: string,
  request: GenerateRequest,
  options: { stream: boolean; defaultMaxTokens?: number },
): AnthropicRequestBody {
  const body: AnthropicRequestBody = {
    model,
    max_tokens: request.maxOutputTokens ?? options.defaultMaxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    messages: toAnthropicMessages(request.messages),
  };
  const system = anthropicSystem(request);
  if (system !== undefined) body.system = system;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stopSequences !== undefined && request.stopSequences.length > 0)
    body.stop_sequences = [...request.stopSequences];
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      name: tool.name,
      ...(tool.description === undefined ? {} : { description: tool.description }),
      input_schema: tool.inputSchema,
    }));
    if (request.toolChoice !== undefined) body.tool_choice = toolChoiceOf(request.toolChoice);
  }
  if (options.stream) body.stream = true;
  return withJsonAnswerTool(body, request);
}
