import type { AnswerPart } from './message.js';

/**
 * Why generation stopped, in canonical form. Adapters map every wire value onto one of these and
 * keep the provider's own word in `rawFinishReason`.
 */
export type FinishReason = 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'error' | 'other';

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

/** What a provider answered, translated to canonical form. */
export interface ProviderResponse {
  /** Provider's id for the answer (msg_…, chatcmpl-…, responseId), when it sent one. */
  id?: string;
  /** The model that actually answered, as the provider named it. */
  model: string;
  content: AnswerPart[];
  /** All text parts joined. */
  text: string;
  finishReason: FinishReason;
  rawFinishReason?: string;
  usage: Usage;
}

/** Sums two usages; used when reconciling streamed usage deltas. */
export function addUsage(a: Usage, b: Partial<Usage>): Usage {
  const inputTokens = a.inputTokens + (b.inputTokens ?? 0);
  const outputTokens = a.outputTokens + (b.outputTokens ?? 0);
  return { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
}

export const EMPTY_USAGE: Usage = Object.freeze({ inputTokens: 0, outputTokens: 0, totalTokens: 0 });
