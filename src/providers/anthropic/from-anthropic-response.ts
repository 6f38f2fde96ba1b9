import type { AnswerPart } from '../../model/message.js';
import type { FinishReason, ProviderResponse, Usage } from '../../model/response.js';
import type {
  AnthropicContentBlock,
  AnthropicMessage,
  AnthropicTextBlock,
  AnthropicToolUseBlock,
} from './anthropic-api.js';

// The block schema refuses other shapes for these two types, so the type name decides.
/** True for a `text` block. */
export function isTextBlock(block: AnthropicContentBlock): block is AnthropicTextBlock {
  return block.type === 'text';
}

/** True for a `tool_use` block. */
export function isToolUseBlock(block: AnthropicContentBlock): block is AnthropicToolUseBlock {
  return block.type === 'tool_use';
}

/**
 * Maps `stop_reason` to the canonical finish reason. `refusal` is `content-filter` (a finish
 * reason, not an error: the call succeeded and the feature decides what a refusal means);
 * `model_context_window_exceeded` is `length`; `pause_turn` and unknown values are `other`.
 * @example anthropicFinishReason('tool_use') // 'tool-calls'
 */
export function anthropicFinishReason(raw: string | null | undefined): FinishReason {
  switch (raw) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool-calls';
    case 'refusal':
      return 'content-filter';
    default:
      return 'other';
  }
}

/** Canonical usage: input counts cached tokens too (the API's total input is the sum of all three). */
export function anthropicUsage(usage: {
  input_tokens: number;
  output_tokens?: number | null | undefined;
  cache_creation_input_tokens?: number | null | undefined;
  cache_read_input_tokens?: number | null | undefined;
}): Usage {
  const inputTokens =
    usage.input_tokens + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0);
  const outputTokens = usage.output_tokens ?? 0;
  return { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
}

/**
 * Translates a validated `message` into a canonical response (text and tool calls; other blocks,
 * such as thinking, are not part of the canonical answer).
 * @example fromAnthropicMessage(message).finishReason // 'stop'
 */
export function fromAnthropicMessage(message: AnthropicMessage): ProviderResponse {
  const content: AnswerPart[] = [];
  let text = '';
  for (const block of message.content) {
    if (isTextBlock(block)) {
      content.push({ type: 'text', text: block.text });
      text += block.text;
    } else if (isToolUseBlock(block)) {
      content.push({ type: 'tool-call', id: block.id, name: block.name, input: block.input ?? {} });
    }
  }
  return {
    id: message.id,
    model: message.model,
    content,
    text,
    finishReason: anthropicFinishReason(message.stop_reason),
    ...(message.stop_reason === null ? {} : { rawFinishReason: message.stop_reason }),
    usage: anthropicUsage(message.usage),
  };
}
