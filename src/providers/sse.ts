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
 * events and raw lines, handling `\n`, `\r\n` separators and events split across chunks.
 * @example for await (const item of readSse(reply.body)) if (item.kind === 'event') handle(item.data);
 */
export async function* readSse(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<SseItem> {
  const queue: SseItem[] = [];
  const parser = createParser({
    onEvent: (message) => queue.push({ kind: 'event', event: message.event, data: message.data }),
    onError: (error) => {
      if (error.type === 'unknown-field' && error.line !== undefined) queue.push({ kind: 'raw', line: error.line });
    },
  });
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    while (queue.length > 0) yield queue.shift() as SseItem;
  }
  parser.feed(decoder.decode());
  parser.reset({ consume: true });
  while (queue.length > 0) yield queue.shift() as SseItem;
}
