import { StringDecoder } from 'node:string_decoder';
import { createParser } from 'eventsource-parser';
import { MAX_ANSWER_BYTES, MAX_ERROR_BODY_BYTES } from './http-transport.js';

/** How `readSseBatches` bounds what it holds. */
export interface SseReadOptions {
  /**
   * Most bytes read without completing an event or a line (default `MAX_ANSWER_BYTES`): an upstream that never
   * ends its line or event would otherwise make the parser buffer any size.
   */
  maxPendingBytes?: number;
  /** The error to throw past that bound (the caller words it for its protocol); a plain Error otherwise. */
  tooLarge?: (limit: number) => Error;
}

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
 * Throws once more than `maxPendingBytes` arrive without completing an event (or an unframed line).
 * @example for await (const items of readSseBatches(reply.body)) for (const item of items) if (item.kind === 'event') handle(item.data);
 */
export async function* readSseBatches(
  body: AsyncIterable<Uint8Array | string>,
  options: SseReadOptions = {},
): AsyncGenerator<SseItem[]> {
  const limit = options.maxPendingBytes ?? MAX_ANSWER_BYTES;
  // Bytes fed since the parser last completed an item: what it may be holding as an unfinished line or event.
  let pending = 0;
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
    pending += chunk.length;
    parser.feed(typeof chunk === 'string' ? chunk : decoder.write(chunk));
    if (queue.length > 0) {
      pending = 0;
      const items = queue;
      queue = [];
      yield items;
    } else if (pending > limit) {
      throw options.tooLarge?.(limit) ?? new Error(`stream: no complete event in more than ${String(limit)} bytes`);
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
export async function* readSse(
  body: AsyncIterable<Uint8Array | string>,
  options: SseReadOptions = {},
): AsyncGenerator<SseItem> {
  for await (const items of readSseBatches(body, options)) yield* items;
}

/**
 * The unframed lines of a stream (`SseItem` kind `raw`), kept to parse an error tail such as Gemini's: at most
 * `MAX_ERROR_BODY_BYTES` characters of them, like any error body; later lines are dropped.
 * @example const tail = new UnframedTail(); tail.add(item.line); if (!tail.empty) parse(tail.text());
 */
export class UnframedTail {
  private readonly lines: string[] = [];
  private size = 0;

  add(line: string): void {
    if (this.size >= MAX_ERROR_BODY_BYTES) return;
    this.lines.push(line);
    this.size += line.length + 1;
  }

  get empty(): boolean {
    return this.lines.length === 0;
  }

  /** The lines kept, joined by newlines. */
  text(): string {
    return this.lines.join('\n');
  }
}
