/**
 * failsoft's answers in the AI SDK's terms: content parts, finish reason, usage, and the metadata that says
 * who answered (`providerMetadata.failsoft`).
 */
import type {
  LanguageModelV4Content,
  LanguageModelV4FinishReason,
  LanguageModelV4Usage,
  SharedV4ProviderMetadata,
} from '@ai-sdk/provider';
import type { GenerateResult, StreamStartEvent } from '../engine/results.js';
import type { AttemptRecord } from '../model/errors.js';
import type { AnswerPart } from '../model/message.js';
import type { FinishReason, Usage } from '../model/response.js';

/**
 * `providerMetadata.failsoft` of every answer: the feature, who answered (`provider` and `model` are null for
 * a fallback), `source` (`provider` | `fallback`), `degraded` (a fallback, or a route entry other than the
 * first) and the attempts made, in order.
 */
export interface FailsoftAnswerMetadata {
  feature: string;
  provider: string | null;
  model: string | null;
  source: 'provider' | 'fallback';
  degraded: boolean;
  attempts: AttemptRecord[];
}

/** Who answered, as `ai.generate`'s result or a stream's `start` event (plus the model the provider named) says. */
export function answerMetadata(
  answer: GenerateResult | StreamStartEvent,
  feature: string,
  model?: string,
): SharedV4ProviderMetadata {
  const failsoft: FailsoftAnswerMetadata = {
    feature,
    provider: answer.provider ?? null,
    model: model ?? answer.model ?? null,
    source: answer.source,
    degraded: answer.degraded,
    attempts: answer.attempts.map((attempt) => ({ ...attempt })),
  };
  // Plain JSON by construction (strings, numbers, booleans, null, arrays of such objects).
  return { failsoft: failsoft as unknown as SharedV4ProviderMetadata[string] };
}

/** failsoft's finish reasons are a subset of the spec's unified ones. */
export function finishReason(reason: FinishReason, raw?: string): LanguageModelV4FinishReason {
  return { unified: reason, raw };
}

/** Token counts; failsoft does not split cached or reasoning tokens, so those stay unknown. */
export function usage(counts: Usage | undefined): LanguageModelV4Usage {
  return {
    inputTokens: { total: counts?.inputTokens, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: counts?.outputTokens, text: undefined, reasoning: undefined },
  };
}

/** Answer parts as content; a tool call's input is sent as JSON text, as the spec asks. */
export function content(parts: readonly AnswerPart[]): LanguageModelV4Content[] {
  return parts.map((part) =>
    part.type === 'text'
      ? { type: 'text', text: part.text }
      : { type: 'tool-call', toolCallId: part.id, toolName: part.name, input: JSON.stringify(part.input ?? {}) },
  );
}
