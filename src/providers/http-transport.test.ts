import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../model/errors.js';
import { CancelSource } from '../model/cancel-signal.js';
import { BodyTooLargeError, HttpTransport, readErrorBody } from './http-transport.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

const servers: Server[] = [];
const transports: HttpTransport[] = [];

async function serve(handler: Handler): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Writes `total` bytes of 'x' in 64 KiB chunks, as fast as the client reads them, never all in memory at once. */
function pump(res: ServerResponse, total: number, wrote: (bytes: number) => void): void {
  const chunk = 'x'.repeat(64 * 1024);
  let sent = 0;
  const more = (): void => {
    while (sent < total && !res.destroyed) {
      sent += chunk.length;
      wrote(chunk.length);
      if (!res.write(chunk)) return void res.once('drain', more);
    }
    res.end();
  };
  more();
}

function transport(): HttpTransport {
  const t = new HttpTransport('sim');
  transports.push(t);
  return t;
}

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise((resolve) => {
          s.closeAllConnections();
          s.close(resolve);
        }),
    ),
  );
});

describe('HttpTransport.postText', () => {
  it('sends the body and headers, and reads status, headers and the whole text', async () => {
    const seen: { body?: string; auth?: string; path?: string } = {};
    const base = await serve((req, res, body) => {
      Object.assign(seen, { body, auth: req.headers.authorization, path: req.url });
      res.writeHead(200, { 'content-type': 'application/json', 'x-ratelimit-remaining-requests': '42' });
      res.end('{"ok":true}');
    });
    const reply = await transport().postText(
      `${base}/v1/chat/completions?x=1`,
      { authorization: 'Bearer k', 'content-type': 'application/json' },
      '{"q":1}',
    );
    expect(reply).toMatchObject({ status: 200, text: '{"ok":true}' });
    expect(reply.headers['x-ratelimit-remaining-requests']).toBe('42');
    expect(seen).toEqual({ body: '{"q":1}', auth: 'Bearer k', path: '/v1/chat/completions?x=1' });
  });

  it('joins a body that arrives in many chunks, a multi-byte character split across two of them included', async () => {
    const text = `{"text":"${'é'.repeat(50_000)}€"}`;
    const bytes = Buffer.from(text, 'utf8');
    const base = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // Split inside the 2-byte 'é' and the 3-byte '€'.
      res.write(bytes.subarray(0, 11));
      setTimeout(() => {
        res.write(bytes.subarray(11, bytes.length - 3));
        res.end(bytes.subarray(bytes.length - 3));
      }, 5);
    });
    const reply = await transport().postText(`${base}/x`, {}, '{}');
    expect(reply.text).toBe(text);
  });

  it('returns an error status with its body, for the adapter to classify', async () => {
    const base = await serve((_req, res) => {
      res.writeHead(529, { 'content-type': 'application/json', 'retry-after': '3' });
      res.end('{"type":"error","error":{"type":"overloaded_error"}}');
    });
    const reply = await transport().postText(`${base}/x`, {}, '{}');
    expect(reply.status).toBe(529);
    expect(reply.headers['retry-after']).toBe('3');
    expect(reply.text).toContain('overloaded_error');
  });

  it('a refused connection is a classified network ProviderError', async () => {
    const base = await serve((_req, res) => res.end());
    const port = new URL(base).port;
    await new Promise((resolve) => servers.pop()?.close(resolve));
    const error = await transport()
      .postText(`http://127.0.0.1:${port}/x`, {}, '{}', { model: 'm' })
      .catch((e: unknown) => e);
    expect(ProviderError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ class: 'network', provider: 'sim', model: 'm' });
  });

  it('cancelling mid-answer rejects at once with the signal reason and frees the connection', async () => {
    let closed = false;
    const base = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"partial":');
      req.socket.once('close', () => {
        closed = true;
      });
    });
    const source = new CancelSource();
    const pending = transport().postText(`${base}/x`, {}, '{}', { signal: source });
    await new Promise((resolve) => setTimeout(resolve, 30));
    const reason = new Error('deadline');
    source.cancel(reason);
    await expect(pending).rejects.toBe(reason);
    await expect.poll(() => closed).toBe(true);
  });

  it('an already-cancelled signal never sends the request', async () => {
    let calls = 0;
    const base = await serve((_req, res) => {
      calls++;
      res.end('{}');
    });
    const source = new CancelSource();
    source.cancel('gone');
    await expect(transport().postText(`${base}/x`, {}, '{}', { signal: source })).rejects.toBe('gone');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls).toBe(0);
  });

  it('an answer larger than maxBytes fails the call instead of filling memory', async () => {
    const base = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('x'.repeat(10_000));
    });
    const error = await transport()
      .postText(`${base}/x`, {}, '{}', { maxBytes: 1_000 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BodyTooLargeError);
    expect(error).toMatchObject({ status: 200, limit: 1_000, message: 'body is larger than 1000 bytes' });
  });

  it('an error body is cut at maxErrorBytes and the rest is not read: the connection is dropped', async () => {
    let written = 0;
    let closed = false;
    const base = await serve((req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      req.socket.once('close', () => {
        closed = true;
      });
      pump(res, 50 * 1024 * 1024, (n) => {
        written += n;
      });
    });
    const reply = await transport().postText(`${base}/x`, {}, '{}', { maxErrorBytes: 100_000 });
    expect(reply.status).toBe(502);
    expect(reply.text).toBe('x'.repeat(100_000));
    await expect.poll(() => closed).toBe(true);
    expect(written).toBeLessThan(10 * 1024 * 1024);
  });

  it('an error body that breaks off still resolves with its status and what arrived', async () => {
    const base = await serve((req, res) => {
      res.writeHead(503, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"error":');
      setTimeout(() => req.socket.destroy(), 10);
    });
    const reply = await transport().postText(`${base}/x`, {}, '{}');
    expect(reply).toMatchObject({ status: 503, text: '{"error":' });
  });

  it('an answer that breaks off is a network failure, not a short answer', async () => {
    const base = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"id":');
      setTimeout(() => req.socket.destroy(), 10);
    });
    const error = await transport()
      .postText(`${base}/x`, {}, '{}', { model: 'm' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ class: 'network', provider: 'sim', model: 'm' });
  });

  it('headersTimeoutMs, for adapters used on their own, fails a silent server as a timeout', async () => {
    const base = await serve(() => {
      /* never answers */
    });
    const error = await transport()
      .postText(`${base}/x`, {}, '{}', { headersTimeoutMs: 100 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ class: 'timeout' });
  });
});

describe('readErrorBody', () => {
  it('reads a small error body whole, a multi-byte character split across chunks intact', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      const bytes = Buffer.from('{"error":"é"}');
      res.write(bytes.subarray(0, 11));
      setTimeout(() => res.end(bytes.subarray(11)), 10);
    });
    const reply = await transport().post(`${url}/x`, {}, '{}');
    expect(await readErrorBody(reply, undefined)).toBe('{"error":"é"}');
  });

  it('a body that breaks off gives what arrived: the status is what gets classified', async () => {
    const url = await serve((req, res) => {
      res.writeHead(500, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"error":');
      setTimeout(() => req.socket.destroy(), 10);
    });
    const reply = await transport().post(`${url}/x`, {}, '{}');
    expect(await readErrorBody(reply, undefined)).toBe('{"error":');
  });

  it('a cancelled read rethrows the signal reason', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.write('{"error":');
    });
    const reply = await transport().post(`${url}/x`, {}, '{}');
    const source = new CancelSource();
    const pending = readErrorBody(reply, source);
    const reason = new Error('deadline');
    setTimeout(() => {
      source.cancel(reason);
      reply.body.destroy(reason);
    }, 20);
    await expect(pending).rejects.toBe(reason);
  });

  it('stops at the cap: an upstream sending a huge error page is not buffered whole', async () => {
    let written = 0;
    const url = await serve((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      pump(res, 50 * 1024 * 1024, (n) => {
        written += n;
      });
    });
    const reply = await transport().post(`${url}/x`, {}, '{}');
    const text = await readErrorBody(reply, undefined, 100_000);
    expect(text.length).toBe(100_000);
    // The connection was dropped long before the 50 MB were sent.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(written).toBeLessThan(10 * 1024 * 1024);
  });
});
