import type { ServerResponse } from 'node:http';

/** A stream to send: frames before the deltas, the deltas, and what ends it (tail, error frame or nothing). */
export interface StreamPlan {
  headers: Record<string, string>;
  head: readonly string[];
  deltas: readonly string[];
  ending: readonly string[];
}

/**
 * Writes a streamed answer. With no delay everything goes out in one `end`; otherwise the head and the
 * first delta are written at once, then one delta per `delayMs`, the ending with the last delta.
 * Pacing runs on real timers (a fake clock would stall the socket); it stops when the client leaves.
 */
export function writeStream(res: ServerResponse, plan: StreamPlan, delayMs: number): void {
  res.writeHead(200, plan.headers);
  const head = plan.head.join('');
  const ending = plan.ending.join('');
  if (delayMs <= 0 || plan.deltas.length <= 1) {
    res.end(head + plan.deltas.join('') + ending);
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
      res.end(delta + ending);
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
