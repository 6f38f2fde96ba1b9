import type { GenerateRequest, Message } from './message.js';

/**
 * Token counting at ≈ 4 characters a token. The simulator counts usage this way, and the engine
 * estimates input tokens the same way (plus a small per-message overhead, so the estimate errs
 * high) before reserving rate budget. Real usage from the provider replaces the estimate afterwards.
 */
export const CHARS_PER_TOKEN = 4;

/** Tokens in a piece of text (≈ 4 characters a token, at least 1 for non-empty text). */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / CHARS_PER_TOKEN);
}

const PER_MESSAGE_OVERHEAD = 4;

/**
 * Input tokens counted for one image, whatever its size: 1,600, Anthropic's published figure for a
 * ~1 megapixel image (width × height / 750, ≈ 1,590 for 1092 × 1092). It is the highest of the three
 * providers for that size (OpenAI's gpt-4o counts 765 at high detail for 1024 × 1024; Gemini 258 per
 * 768 × 768 tile, ≈ 1,032), so the estimate errs high, as the rest of this file does; the provider's real
 * usage replaces it afterwards. Image bytes are never counted as text.
 */
export const IMAGE_TOKENS = 1_600;

function messageChars(message: Message): number {
  if (typeof message.content === 'string') return message.content.length;
  let chars = 0;
  for (const part of message.content) {
    if (part.type === 'text') chars += part.text.length;
    else if (part.type === 'tool-result') chars += part.content.length;
    else if (part.type === 'image') chars += IMAGE_TOKENS * CHARS_PER_TOKEN;
    else chars += part.name.length + JSON.stringify(part.input ?? {}).length;
  }
  return chars;
}

/**
 * Estimated input tokens of a canonical request: text, tool results, tool calls, tool schemas, and
 * `IMAGE_TOKENS` per image.
 * @example estimateInputTokens({ messages: [{ role: 'user', content: 'Hello there' }] }) // 7
 */
export function estimateInputTokens(request: GenerateRequest): number {
  let chars = request.system?.length ?? 0;
  for (const message of request.messages) chars += messageChars(message);
  for (const tool of request.tools ?? []) {
    chars += tool.name.length + (tool.description?.length ?? 0) + JSON.stringify(tool.inputSchema).length;
  }
  return Math.ceil(chars / CHARS_PER_TOKEN) + PER_MESSAGE_OVERHEAD * request.messages.length;
}
