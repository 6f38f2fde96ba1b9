import type { CancelSignal } from '../model/cancel-signal.js';
import type { AttemptRecord, FailsoftErrorData } from '../model/errors.js';
import type { AnswerPart } from '../model/message.js';
import type { FinishReason, Usage } from '../model/response.js';
import type { StreamEvent } from '../model/stream-event.js';

/** What `generate` answers. */
export interface GenerateResult {
  feature: string;
  text: string;
  content: AnswerPart[];
  finishReason: FinishReason;
  usage: Usage;
  /** The provider that answered; undefined for a fallback. */
  provider: string | undefined;
  /** The model that actually answered, as the provider named it; undefined for a fallback. */
  model: string | undefined;
  source: 'provider' | 'fallback';
  /** True for a fallback, and for an answer from a route entry other than the first. */
  degraded: boolean;
  attempts: AttemptRecord[];
  id?: string;
}

/** Per-call options beside the request itself. */
export interface CallOptions {
  /** Cancels the call (the caller went away). */
  signal?: CancelSignal;
  /** Overrides the feature's rate-budget priority (e.g. a batch client calling an interactive feature). */
  priority?: 'interactive' | 'batch';
}

/** The first event of every stream: who answers, decided before any content is sent. */
export interface StreamStartEvent {
  type: 'start';
  feature: string;
  provider: string | undefined;
  model: string | undefined;
  source: 'provider' | 'fallback';
  degraded: boolean;
  attempts: AttemptRecord[];
}

/**
 * Events of `ai.stream(...)`: `start`, then canonical content events, then `finish`; or, if the
 * provider fails after content was sent, a final `error` event (it cannot be silently replaced).
 */
export type FailsoftStreamEvent = StreamStartEvent | StreamEvent;

export type { FailsoftErrorData };
