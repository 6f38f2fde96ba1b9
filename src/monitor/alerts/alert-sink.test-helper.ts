/**
 * Local alert receivers for tests: a generic webhook sink and a Slack-shaped one that validates each payload
 * as Slack's incoming webhooks would (`text` a non-empty string; `blocks` an array of valid header, section or
 * context blocks) and answers 400 `invalid_blocks` otherwise, like Slack.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A receiving sink. */
export interface AlertSink {
  url: string;
  /** Bodies received (parsed JSON), in order. */
  received: unknown[];
  /** Payloads a Slack-shaped sink refused, with why. */
  rejected: string[];
  /** Requests answered with `failWith` (a sink that is down). */
  refused: number;
  close(): Promise<void>;
}

const isText = (value: unknown, type: string): boolean =>
  typeof value === 'object' &&
  value !== null &&
  (value as { type?: unknown }).type === type &&
  typeof (value as { text?: unknown }).text === 'string' &&
  (value as { text: string }).text.length > 0;

/** Why a Slack payload is invalid, or undefined when it is valid. */
export function slackPayloadProblem(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return 'not an object';
  const { text, blocks } = body as { text?: unknown; blocks?: unknown };
  if (typeof text !== 'string' || text === '') return 'text must be a non-empty string';
  if (!Array.isArray(blocks) || blocks.length === 0 || blocks.length > 50)
    return 'blocks must be an array of 1 to 50 blocks';
  for (const [i, block] of blocks.entries()) {
    const b = block as { type?: unknown; text?: unknown; elements?: unknown };
    if (b.type === 'header') {
      if (!isText(b.text, 'plain_text') || (b.text as { text: string }).text.length > 150)
        return `blocks[${i}]: header needs plain_text of at most 150 characters`;
    } else if (b.type === 'section') {
      if (!isText(b.text, 'mrkdwn') && !isText(b.text, 'plain_text'))
        return `blocks[${i}]: section needs a text object`;
      if ((b.text as { text: string }).text.length > 3000) return `blocks[${i}]: section text over 3000 characters`;
    } else if (b.type === 'context') {
      if (
        !Array.isArray(b.elements) ||
        b.elements.length === 0 ||
        b.elements.length > 10 ||
        !b.elements.every((e) => isText(e, 'mrkdwn') || isText(e, 'plain_text'))
      )
        return `blocks[${i}]: context needs 1 to 10 text elements`;
    } else {
      return `blocks[${i}]: unexpected block type ${String(b.type)}`;
    }
  }
  return undefined;
}

/**
 * Starts a sink on 127.0.0.1 (`slack: true` validates Slack payloads; `failWith: 503` answers every request so).
 * @example const sink = await startAlertSink(); env.HOOK_URL = sink.url;
 */
export async function startAlertSink(options: { slack?: boolean; failWith?: number } = {}): Promise<AlertSink> {
  const received: unknown[] = [];
  const rejected: string[] = [];
  const server: Server = createServer((req, res) => {
    if (options.failWith !== undefined) {
      sink.refused++;
      req.resume();
      return void res.writeHead(options.failWith).end('down');
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        rejected.push('not JSON');
        return res.writeHead(400).end('invalid_payload');
      }
      const problem = options.slack === true ? slackPayloadProblem(body) : undefined;
      if (problem !== undefined) {
        rejected.push(problem);
        return res.writeHead(400).end('invalid_blocks');
      }
      received.push(body);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sink: AlertSink = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    rejected,
    refused: 0,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return sink;
}
