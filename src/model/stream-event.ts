import type { FinishReason, Usage } from './response.js';
import type { FailsoftErrorData } from './errors.js';

/**
 * Canonical stream events, a discriminated union like the AI SDK's stream parts.
 * A provider stream yields `text-delta` and tool events, then exactly one `finish`.
 * Failures are thrown by the adapter's iterator as `ProviderError`; the engine turns a failure
 * after the first content event into a final `error` event for the caller.
 */
export type StreamEvent =
  | { type: 'text-delta'; text: string }
  /** A tool call begins; `index` orders calls within the answer. */
  | { type: 'tool-call-start'; index: number; id: string; name: string }
  /** A piece of the tool call's JSON arguments. */
  | { type: 'tool-call-delta'; index: number; argumentsDelta: string }
  /** The tool call is complete; `input` is the parsed arguments. */
  | { type: 'tool-call'; index: number; id: string; name: string; input: unknown }
  | { type: 'finish'; finishReason: FinishReason; rawFinishReason?: string; usage: Usage; model?: string; id?: string }
  /** Only produced by the engine, after content was already sent. */
  | { type: 'error'; error: FailsoftErrorData };

/** True for events that carry answer content (the "first token" boundary for failover). */
export function isContentEvent(event: StreamEvent): boolean {
  return (
    event.type === 'text-delta' ||
    event.type === 'tool-call-start' ||
    event.type === 'tool-call-delta' ||
    event.type === 'tool-call'
  );
}
