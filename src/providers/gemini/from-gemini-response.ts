import type { AnswerPart } from '../../model/message.js';
import type { FinishReason, ProviderResponse, Usage } from '../../model/response.js';
import { providerError, type ProviderError } from '../../model/errors.js';
import type { GeminiPart, GeminiResponse, GeminiUsage } from './gemini-api.js';
import { syntheticToolCallId } from './to-gemini-request.js';

/** Who answered: used to name the provider and model in errors. */
export interface GeminiCallContext {
  provider: string;
  model: string;
}

const CONTENT_FILTER_REASONS = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
]);

/**
 * Maps Gemini's `finishReason` to the canonical one. Gemini says `STOP` for a function call too,
 * so `hasToolCalls` turns that into `tool-calls`.
 * @example mapGeminiFinishReason('MAX_TOKENS', false) // 'length'
 */
export function mapGeminiFinishReason(raw: string | undefined, hasToolCalls: boolean): FinishReason {
  if (raw === 'STOP' || raw === undefined) return hasToolCalls ? 'tool-calls' : 'stop';
  if (raw === 'MAX_TOKENS') return 'length';
  if (CONTENT_FILTER_REASONS.has(raw)) return 'content-filter';
  return 'other';
}

/**
 * Canonical usage from `usageMetadata`: thinking tokens are billed as output, tool-use prompt
 * tokens as input.
 * @example geminiUsage({ promptTokenCount: 5, candidatesTokenCount: 3 }) // { inputTokens: 5, outputTokens: 3, totalTokens: 8 }
 */
export function geminiUsage(usage: GeminiUsage | undefined): Usage {
  const inputTokens = (usage?.promptTokenCount ?? 0) + (usage?.toolUsePromptTokenCount ?? 0);
  const outputTokens = (usage?.candidatesTokenCount ?? 0) + (usage?.thoughtsTokenCount ?? 0);
  return { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
}

/**
 * Canonical answer parts from Gemini parts, skipping thought summaries. Tool calls get the id the
 * API sent, else `call_<index>_<name>` where `index` counts calls from `firstCallIndex`.
 */
export function geminiAnswerParts(parts: readonly GeminiPart[], firstCallIndex = 0): AnswerPart[] {
  const out: AnswerPart[] = [];
  let callIndex = firstCallIndex;
  for (const part of parts) {
    if (part.thought === true) continue;
    if (part.functionCall !== undefined) {
      const { id, name, args } = part.functionCall;
      out.push({ type: 'tool-call', id: id ?? syntheticToolCallId(callIndex, name), name, input: args ?? {} });
      callIndex++;
    } else if (part.text !== undefined && part.text !== '') {
      const last = out[out.length - 1];
      if (last?.type === 'text') last.text += part.text;
      else out.push({ type: 'text', text: part.text });
    }
  }
  return out;
}

/**
 * The `content_filter` error for a prompt Gemini refused outright (no candidates, a block reason).
 * Returns undefined when the response is not a blocked prompt.
 */
export function blockedPromptError(
  body: GeminiResponse,
  context: GeminiCallContext,
  inStream = false,
): ProviderError | undefined {
  const reason = body.promptFeedback?.blockReason;
  if ((body.candidates?.length ?? 0) > 0 || reason === undefined) return undefined;
  const detail = body.promptFeedback?.blockReasonMessage;
  return providerError({
    class: 'content_filter',
    message: `gemini '${context.provider}': prompt blocked (${reason})${detail ? `: ${detail}` : ''}`,
    provider: context.provider,
    model: context.model,
    status: 200,
    code: reason,
    inStream,
  });
}

/**
 * Translates a parsed `GenerateContentResponse` into the canonical response.
 * Throws a `content_filter` ProviderError for a blocked prompt, `server_error` for an empty answer.
 * @example fromGeminiResponse(parsedBody, { provider: 'gemini', model: 'gemini-2.5-flash' }).text
 */
export function fromGeminiResponse(body: GeminiResponse, context: GeminiCallContext): ProviderResponse {
  const blocked = blockedPromptError(body, context);
  if (blocked !== undefined) throw blocked;
  const candidate = body.candidates?.[0];
  if (candidate === undefined) {
    throw providerError({
      class: 'server_error',
      message: `gemini '${context.provider}': 200 response without candidates`,
      provider: context.provider,
      model: context.model,
      status: 200,
    });
  }
  const content = geminiAnswerParts(candidate.content?.parts ?? []);
  const hasToolCalls = content.some((p) => p.type === 'tool-call');
  const response: ProviderResponse = {
    model: body.modelVersion ?? context.model,
    content,
    text: content.map((p) => (p.type === 'text' ? p.text : '')).join(''),
    finishReason: mapGeminiFinishReason(candidate.finishReason, hasToolCalls),
    usage: geminiUsage(body.usageMetadata),
  };
  if (body.responseId !== undefined) response.id = body.responseId;
  if (candidate.finishReason !== undefined) response.rawFinishReason = candidate.finishReason;
  return response;
}
