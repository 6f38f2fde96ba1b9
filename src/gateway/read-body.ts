import type { IncomingMessage } from 'node:http';

/**
 * Largest request body the gateway accepts (8 MiB): one image at the 5 MB every provider takes is ~6.7 MB as
 * base64, plus the conversation around it.
 */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** Why a body could not be read. */
export type BodyFailure = 'too_large' | 'bad_json' | 'aborted';

export type BodyOutcome = { ok: true; value: unknown } | { ok: false; failure: BodyFailure; message: string };

/**
 * Reads a JSON request body up to `limit` bytes; refuses early on a larger `content-length`.
 * @example const body = await readJsonBody(req); if (!body.ok) return reply413or400(body.failure);
 */
export function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<BodyOutcome> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.resolve({ ok: false, failure: 'too_large', message: `request body is larger than ${limit} bytes` });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (outcome: BodyOutcome): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      resolve(outcome);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        req.resume();
        finish({ ok: false, failure: 'too_large', message: `request body is larger than ${limit} bytes` });
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('error', () => finish({ ok: false, failure: 'aborted', message: 'request body was not received' }));
    req.once('aborted', () => finish({ ok: false, failure: 'aborted', message: 'request body was not received' }));
    req.once('end', () => {
      const text =
        chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8');
      try {
        finish({ ok: true, value: JSON.parse(text) as unknown });
      } catch (error) {
        finish({
          ok: false,
          failure: 'bad_json',
          message: `request body is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
        });
      }
    });
  });
}
