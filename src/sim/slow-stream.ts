import { CHARS_PER_TOKEN, estimateTokens } from '../model/token-estimate.js';
import { DEFAULT_SLOW_STREAM_CHUNK_DELAY_MS, type FaultRule } from './fault-rules.js';
import type { SimAnswer, SimParsedRequest } from './sim-protocol.js';

/**
 * A `slow_stream` answer: a healthy generation that takes long. The point is to tell "slow" from
 * "down": the deltas keep coming, steadily, for as long as the rule says, so a client (or a gateway)
 * that cuts it has cut a working answer.
 */

/** What a `slow_stream` rule makes of an answer. */
export interface SlowStreamPlan {
  /** The answer to send: a plain-text answer lengthened to the wanted number of deltas. */
  answer: SimAnswer;
  /** How long the answer takes: the stream from first to last delta, or the wait before a non-stream answer. */
  totalMs: number;
}

/**
 * Lengthens the answer and works out how long it takes (see the fault-rules module comment).
 * @example planSlowStream({ kind: 'slow_stream', durationMs: 20_000 }, answer, request).totalMs // 20000
 */
export function planSlowStream(rule: FaultRule, answer: SimAnswer, request: SimParsedRequest): SlowStreamPlan {
  const chunkDelayMs = rule.chunkDelayMs ?? DEFAULT_SLOW_STREAM_CHUNK_DELAY_MS;
  const natural = answer.textChunks.length;
  const wanted =
    rule.chunks ?? (rule.durationMs === undefined ? natural : Math.floor(rule.durationMs / chunkDelayMs) + 1);
  if (!canLengthen(answer, request)) {
    // Tool calls and JSON text cannot grow: their own deltas carry the same total.
    return { answer, totalMs: Math.max(0, wanted - 1) * chunkDelayMs };
  }
  const long = lengthenAnswer(answer, wanted, request.maxOutputTokens * CHARS_PER_TOKEN);
  return { answer: long, totalMs: Math.max(0, long.textChunks.length - 1) * chunkDelayMs };
}

/** The pause between a stream's deltas that spreads `totalMs` over them (0 with fewer than two). */
export function spacingOver(deltaCount: number, totalMs: number): number {
  return deltaCount > 1 ? totalMs / (deltaCount - 1) : 0;
}

function canLengthen(answer: SimAnswer, request: SimParsedRequest): boolean {
  return (
    answer.toolCall === undefined && request.json === undefined && answer.stop === 'end' && answer.textChunks.length > 0
  );
}

/**
 * The answer with its text repeated (a space between repetitions) until it has `chunks` deltas, or
 * until the output cap (`maxChars`) cuts it, which then ends it with `max_tokens` as a real model would.
 */
function lengthenAnswer(answer: SimAnswer, chunks: number, maxChars: number): SimAnswer {
  const own = answer.textChunks;
  if (chunks <= own.length) return answer;
  const textChunks = [...own];
  let length = answer.text.length;
  let stop: SimAnswer['stop'] = 'end';
  for (let index = own.length; index < chunks; index++) {
    const piece = (index % own.length === 0 ? ' ' : '') + (own[index % own.length] ?? '');
    if (length + piece.length > maxChars) {
      const fits = piece.slice(0, Math.max(0, maxChars - length));
      if (fits !== '') textChunks.push(fits);
      length += fits.length;
      stop = 'max_tokens';
      break;
    }
    textChunks.push(piece);
    length += piece.length;
  }
  const text = textChunks.join('');
  return { ...answer, textChunks, text, outputTokens: estimateTokens(text), stop };
}
