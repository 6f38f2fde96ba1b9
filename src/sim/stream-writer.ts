import type { ServerResponse } from 'node:http';

/** A stream to send: frames before the deltas, the deltas, and what ends it (tail, error frame or nothing). */
export interface StreamPlan {
  headers: Record<string, string>;
  head: readonly string[];
  deltas: readonly string[];
  ending: readonly string[];
  /**
   * Send the ending in a write of its own, a moment after the content: a provider's in-stream failure
   * arrives after its content, in a separate read, which is what clients' parsers expect (the Gemini SDK
   * only recognises an unframed error tail that arrives alone).
   */
  endingApart?: boolean;
  /**
   * Send nothing after the deltas and never end the body: the socket stays open until the client leaves
   * or the simulator closes (`stall_stream`, a provider that hangs mid-answer). `ending` is ignored.
   */
  hold?: boolean;
}

/** Pause before an ending written apart. */
const ENDING_APART_MS = 5;

/**
 * Writes a streamed answer. With no delay everything goes out in one `end`; otherwise the head and the
 * first delta are written at once, then one delta per `delayMs`, the ending with the last delta (or,
 * with `hold`, nothing more: the body stays open).
 * Pacing runs on real timers (a fake clock would stall the socket); it stops when the client leaves.
 */
export function writeStream(res: ServerResponse, plan: StreamPlan, delayMs: number): void {
  res.writeHead(200, plan.headers);
  const head = plan.head.join('');
  const ending = plan.ending.join('');
  const finish = (content: string): void => {
    if (plan.hold) {
      if (content !== '') res.write(content);
      return;
    }
    if (!plan.endingApart || ending === '') {
      res.end(content + ending);
      return;
    }
    res.write(content);
    const apart = setTimeout(() => {
      if (!res.destroyed && !res.writableEnded) res.end(ending);
    }, ENDING_APART_MS);
    res.once('close', () => clearTimeout(apart));
  };
  if (delayMs <= 0 || plan.deltas.length <= 1) {
    finish(head + plan.deltas.join(''));
    return;
  }
  res.write(head + (plan.deltas[0] ?? ''));
  let index = 1;
  let timer: NodeJS.Timeout | undefined;
  const next = (): void => {
    timer = undefined;
    if (res.destroyed || res.writableEnded) return;
    const delta = plan.deltas[index] ?? '';
    index += 1;
    if (index >= plan.deltas.length) {
      finish(delta);
      return;
    }
    res.write(delta);
    timer = setTimeout(next, delayMs);
  };
  res.once('close', () => {
    if (timer) clearTimeout(timer);
  });
  timer = setTimeout(next, delayMs);
}
