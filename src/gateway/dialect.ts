import type { GenerateRequest } from '../model/message.js';
import type { FailsoftStreamEvent, GenerateResult } from '../engine/results.js';

/**
 * The contract every client dialect (OpenAI chat completions, Anthropic messages) implements:
 * parse a wire body into the canonical request, render answers, stream frames and errors back.
 * Routes stay thin: parse → engine → render in the client's dialect.
 */

/** A parsed client call: which feature, the canonical request, and how to answer. */
export interface ParsedCall {
  /** The request's `model`: names a feature. */
  feature: string;
  request: GenerateRequest;
  stream: boolean;
  /** OpenAI `stream_options.include_usage`: send a final usage chunk. */
  includeUsage: boolean;
}

/** A body the dialect refused, with the path of the bad field. */
export interface ParseFailure {
  path: string;
  message: string;
}

export type ParseOutcome = { ok: true; call: ParsedCall } | { ok: false; failure: ParseFailure };

/** What went wrong, in dialect-neutral terms; each dialect maps it to its own status and type. */
export type GatewayErrorKind = 'invalid_request' | 'not_found' | 'too_large' | 'unavailable' | 'internal';

/** An error ready to send: status and JSON body in the client's dialect. */
export interface DialectError {
  status: number;
  body: unknown;
}

/** Turns engine stream events into the dialect's SSE frames, one call per event. */
export interface StreamRenderer {
  /** The SSE text to write for this event ('' when the event has no frame). */
  frames(event: FailsoftStreamEvent): string;
}

/** One client dialect. */
export interface Dialect {
  readonly name: 'openai' | 'anthropic';
  /** Validates a JSON body and converts it to the canonical request. */
  parse(body: unknown): ParseOutcome;
  /** A finished answer as the dialect's response body. */
  renderResult(result: GenerateResult): unknown;
  /** A renderer for one streamed answer. */
  streamRenderer(call: ParsedCall): StreamRenderer;
  /** An error as the dialect's status and body; `param` names the bad field when there is one. */
  renderError(kind: GatewayErrorKind, message: string, param?: string): DialectError;
}

/** The `model` an answer reports: the model that answered, or the feature name for a fallback. */
export function answerModel(result: { model: string | undefined; feature: string }): string {
  return result.model ?? result.feature;
}

/** One SSE frame: `data: …` (and `event: …` when named), blank-line terminated. */
export function sseFrame(data: unknown, event?: string): string {
  const json = JSON.stringify(data);
  return event === undefined ? `data: ${json}\n\n` : `event: ${event}\ndata: ${json}\n\n`;
}
