import { StringDecoder } from 'node:string_decoder';
import { createParser } from 'eventsource-parser';

/** One item read from a server-sent-events body. */
export type SseItem =
  /** A complete SSE event (`event:` is undefined when the server sent none). */
  | { kind: 'event'; event: string | undefined; data: string }
  /**
   * A line that is not SSE at all. Gemini ends a failed stream with a raw, unframed JSON error
   * (often pretty-printed over several lines); adapters collect these lines and parse them.
   */
  | { kind: 'raw'; line: string };

/**
 * The one SSE reader for every provider (eventsource-parser underneath): turns a byte stream into
 * events and raw lines, handling `\n`, `\r\n` separators and events split across chunks. Yields the
 * items of each network chunk together: one await per chunk, not per event, because a non-streamed
 * call is streamed from the provider too (to watch its liveness) and a long answer has hundreds of events.
 * @example for await (const items of readSseBatches(reply.body)) for (const item of items) if (item.kind === 'event') handle(item.data);
 */
export async function* readSseBatches(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<SseItem[]> {
  let queue: SseItem[] = [];
  const parser = createParser({
    onEvent: (message) => queue.push({ kind: 'event', event: message.event, data: message.data }),
    onError: (error) => {
      if (error.type === 'unknown-field' && error.line !== undefined) queue.push({ kind: 'raw', line: error.line });
    },
  });
  // node's StringDecoder, not TextDecoder: constructing a TextDecoder costs microseconds, and every stream needs its own.
  const decoder = new StringDecoder('utf8');
  for await (const chunk of body) {
    parser.feed(typeof chunk === 'string' ? chunk : decoder.write(chunk));
    if (queue.length > 0) {
      const items = queue;
      queue = [];
      yield items;
    }
  }
  parser.feed(decoder.end());
  parser.reset({ consume: true });
  if (queue.length > 0) yield queue;
}

/**
 * The items of {@link readSseBatches} one by one.
 * @example for await (const item of readSse(reply.body)) if (item.kind === 'event') handle(item.data);
 */
export async function* readSse(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<SseItem> {
  for await (const items of readSseBatches(body)) yield* items;
}
