import { request } from 'undici';
import { networkErrorText } from './network-error-text.js';

/** Body read when `contains` is given, at most (a health page is small). */
const MAX_BODY_BYTES = 64 * 1024;

/** What an HTTP check expects. */
export interface HttpExpectation {
  /** Accepted statuses; default any 2xx. */
  status?: readonly number[];
  /** Text the body must contain. */
  contains?: string;
}

function statusText(expected: readonly number[] | undefined): string {
  return expected === undefined ? '2xx' : expected.join(' or ');
}

async function readCapped(body: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= MAX_BODY_BYTES) break;
  }
  return Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8');
}

/**
 * GETs `url`; resolves to undefined when the status is expected (and the body contains `contains`), else the reason.
 * @example await httpProbe('http://127.0.0.1:8000/health', {}, AbortSignal.timeout(5000)) // undefined | 'HTTP 500 (expected 2xx)'
 */
export async function httpProbe(
  url: string,
  expect: HttpExpectation,
  signal: AbortSignal,
): Promise<string | undefined> {
  let response;
  try {
    response = await request(url, { method: 'GET', signal, headers: { 'user-agent': 'failsoft-check' } });
  } catch (error) {
    if (signal.aborted) return 'no answer';
    const parsed = new URL(url);
    return networkErrorText(error, parsed.port === '' ? parsed.hostname : `${parsed.hostname}:${parsed.port}`);
  }
  const ok =
    expect.status === undefined
      ? response.statusCode >= 200 && response.statusCode < 300
      : expect.status.includes(response.statusCode);
  if (!ok) {
    await response.body.dump().catch(() => undefined);
    return `HTTP ${response.statusCode} (expected ${statusText(expect.status)})`;
  }
  if (expect.contains === undefined) {
    await response.body.dump().catch(() => undefined);
    return undefined;
  }
  const text = await readCapped(response.body);
  response.body.destroy();
  return text.includes(expect.contains)
    ? undefined
    : `HTTP ${response.statusCode} but the body does not contain "${expect.contains}"`;
}
