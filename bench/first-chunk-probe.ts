/**
 * "A streamed answer's first chunk reaches the client within 1 ms of reaching the gateway", measured as
 * stated: an OpenAI-compatible SSE upstream in this process answers headers at once, waits `holdMs` (so the
 * gateway is idle, waiting), then writes the first content chunk and notes the time; the client, in this
 * process too (one clock), notes when the first body bytes arrive. The same client reading the probe
 * directly gives the two loopback hops' share; the difference is what the gateway adds to a chunk in transit.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Agent, request } from 'undici';

const chunk = (delta: Record<string, unknown>, finish: string | null): string =>
  `data: ${JSON.stringify({ id: 'chatcmpl-probe', object: 'chat.completion.chunk', created: 0, model: 'probe-model', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const FIRST = chunk({ role: 'assistant', content: 'Hello' }, null);
const REST = `${chunk({ content: ' there.' }, null)}${chunk({}, 'stop')}data: ${JSON.stringify({ id: 'chatcmpl-probe', object: 'chat.completion.chunk', created: 0, model: 'probe-model', choices: [], usage: { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 } })}\n\ndata: [DONE]\n\n`;

/** The probe upstream: `url` is its OpenAI base URL (`…/v1`). */
export interface FirstChunkProbe {
  url: string;
  /** performance.now() when the last first-chunk was written. */
  readonly lastSentAt: number;
  close(): Promise<void>;
}

/** Starts the probe upstream on 127.0.0.1. */
export async function startFirstChunkProbe(holdMs = 20): Promise<FirstChunkProbe> {
  let lastSentAt = Number.NaN;
  const server: Server = createServer({ noDelay: true }, (req, res) => {
    req.resume();
    req.once('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.flushHeaders();
      setTimeout(() => {
        lastSentAt = performance.now();
        res.write(FIRST);
        setTimeout(() => res.end(REST), 2);
      }, holdMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    get lastSentAt() {
      return lastSentAt;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Streams one answer from `url` and returns ms from the probe writing its first chunk to the client
 * holding the first body bytes that carry content.
 */
export async function firstChunkDelay(
  probe: FirstChunkProbe,
  url: string,
  headers: Record<string, string>,
  body: string,
  agent: Agent,
): Promise<number> {
  const res = await request(url, { method: 'POST', headers, body, dispatcher: agent });
  let delay = Number.NaN;
  for await (const part of res.body) {
    if (Number.isNaN(delay) && (part as Buffer).includes('Hello')) delay = performance.now() - probe.lastSentAt;
  }
  if (res.statusCode !== 200 || Number.isNaN(delay))
    throw new Error(`first-chunk probe via ${url}: status ${res.statusCode}, no content chunk`);
  return delay;
}
