import type { AnswerPart } from '../../model/message.js';
import type { FinishReason, ProviderResponse, Usage } from '../../model/response.js';
import type { ChatCompletion } from './openai-api.js';

const FINISH_REASONS: Record<string, FinishReason> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool-calls',
  function_call: 'tool-calls',
  content_filter: 'content-filter',
};

/**
 * Maps OpenAI's `finish_reason` onto the canonical one (unknown values become `other`).
 * @example mapOpenAIFinishReason('tool_calls') // 'tool-calls'
 */
export function mapOpenAIFinishReason(raw: string): FinishReason {
  return FINISH_REASONS[raw] ?? 'other';
}

/**
 * Parses a tool call's JSON-string arguments; empty means `{}`. Arguments that are not valid JSON
 * (e.g. cut off by `length`) are kept as the raw string rather than lost.
 */
export function parseToolArguments(text: string | null | undefined): unknown {
  if (text === undefined || text === null || text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** OpenAI usage in canonical form; a vendor that sends none reports zeros. */
export function fromOpenAIUsage(usage: ChatCompletion['usage']): Usage {
  if (!usage) return { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
  return {
    inputTokens: usage.prompt_tokens,
    outputTokens: usage.completion_tokens,
    totalTokens: usage.total_tokens ?? usage.prompt_tokens + usage.completion_tokens,
  };
}

/**
 * Translates a validated `chat.completion` into the canonical response. A refusal (`message.refusal`
 * without content) becomes the answer's text with finish reason `content-filter`.
 * @example fromOpenAIResponse(chatCompletionSchema.parse(json), 'gpt-4o').text
 */
export function fromOpenAIResponse(body: ChatCompletion, requestedModel: string): ProviderResponse {
  const choice = body.choices[0];
  const message = choice?.message;
  const content: AnswerPart[] = [];
  const refused = !message?.content && typeof message?.refusal === 'string' && message.refusal !== '';
  const text = (refused ? message?.refusal : message?.content) ?? '';
  if (text !== '') content.push({ type: 'text', text });
  const toolCalls = message?.tool_calls;
  if (toolCalls) {
    for (const call of toolCalls)
      content.push({
        type: 'tool-call',
        id: call.id,
        name: call.function.name,
        input: parseToolArguments(call.function.arguments),
      });
  }
  const raw = choice?.finish_reason ?? undefined;
  // Plain assignments, not conditional spreads: this runs once per answer on the gateway's hot path.
  const response: ProviderResponse = {
    model: body.model ?? requestedModel,
    content,
    text,
    finishReason: refused
      ? 'content-filter'
      : raw === undefined
        ? toolCalls && toolCalls.length > 0
          ? 'tool-calls'
          : 'stop'
        : mapOpenAIFinishReason(raw),
    usage: fromOpenAIUsage(body.usage),
  };
  if (body.id !== undefined) response.id = body.id;
  if (raw !== undefined) response.rawFinishReason = raw;
  return response;
}
