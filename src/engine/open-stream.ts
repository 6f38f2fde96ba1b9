import type { RateLimitSnapshot } from '../model/errors.js';
import type { GenerateRequest } from '../model/message.js';
import type { ProviderResponse } from '../model/response.js';
import { isContentEvent, type StreamEvent } from '../model/stream-event.js';
import { StreamAccumulator } from './accumulate-stream.js';
import { LostRaceError } from './route-attempt.js';
import type { RouteTarget } from './route-target.js';
import type { Attempt, AttemptContext } from './route-types.js';

/** A provider stream that has produced its first content (or finished empty). */
export interface OpenedStream {
  iterator: AsyncIterator<StreamEvent>;
  /** The events read so far, up to and including the first content (or the finish). */
  head: StreamEvent[];
  rateLimit?: RateLimitSnapshot;
}

/**
 * Opens one attempt's stream and reads up to its first content event, telling the router when the
 * provider accepted the request and when content came (its liveness stages). If another attempt
 * answered first, closes the stream and throws `LostRaceError`.
 * @example const opened = await openUntilFirstContent(target, call, context);
 */
export async function openUntilFirstContent(
  target: RouteTarget,
  request: GenerateRequest,
  context: AttemptContext,
): Promise<OpenedStream> {
  let iterator: AsyncIterator<StreamEvent> | undefined;
  try {
    const stream = await target.adapter.stream(target.entry.model, request, { signal: context.signal });
    context.accepted();
    iterator = stream.events[Symbol.asyncIterator]();
    const head: StreamEvent[] = [];
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      head.push(next.value);
      if (isContentEvent(next.value) || next.value.type === 'finish') {
        if (!context.firstContent()) throw new LostRaceError();
        break;
      }
      context.progress();
    }
    return { iterator, head, ...(stream.rateLimit === undefined ? {} : { rateLimit: stream.rateLimit }) };
  } catch (error) {
    await iterator?.return?.().catch(() => undefined);
    throw error;
  }
}

/**
 * The attempt behind `ai.generate`: one answer, streamed from the provider unless the provider says
 * `streamUpstream: false`, so that a hang is seen at its first stage (no headers, no first token, a long
 * silence) instead of at the deadline, and an answer that stalls half-way can still fail over (nothing
 * has reached the caller yet).
 * @example route(deps, request, generateAttempt(call));
 */
export function generateAttempt(call: GenerateRequest): Attempt<ProviderResponse> {
  return async (target, context) => {
    if (!target.provider.streamUpstream) {
      const result = await target.adapter.generate(target.entry.model, call, { signal: context.signal });
      return {
        value: result.response,
        usage: result.response.usage,
        ...(result.rateLimit === undefined ? {} : { rateLimit: result.rateLimit }),
      };
    }
    const opened = await openUntilFirstContent(target, call, context);
    const answer = new StreamAccumulator(target.entry.model);
    for (const event of opened.head) answer.add(event);
    try {
      for (;;) {
        const next = await opened.iterator.next();
        if (next.done) break;
        context.progress();
        answer.add(next.value);
      }
    } catch (error) {
      await opened.iterator.return?.().catch(() => undefined);
      throw error;
    }
    const response = answer.response();
    return {
      value: response,
      usage: response.usage,
      ...(opened.rateLimit === undefined ? {} : { rateLimit: opened.rateLimit }),
    };
  };
}
