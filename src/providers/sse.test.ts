import { describe, expect, it } from 'vitest';
import { MAX_ERROR_BODY_BYTES } from './http-transport.js';
import { readSse, UnframedTail, type SseItem, type SseReadOptions } from './sse.js';

async function collect(chunks: string[], options: SseReadOptions = {}): Promise<SseItem[]> {
  const items: SseItem[] = [];
  async function* source(): AsyncGenerator<Uint8Array> {
    for (const c of chunks) yield new TextEncoder().encode(c);
  }
  for await (const item of readSse(source(), options)) items.push(item);
  return items;
}

describe('readSse', () => {
  it('reads named events split across chunks', async () => {
    const items = await collect(['event: ping\nda', 'ta: {"type":"ping"}\n\nevent: message_stop\ndata: {}\n\n']);
    expect(items).toEqual([
      { kind: 'event', event: 'ping', data: '{"type":"ping"}' },
      { kind: 'event', event: 'message_stop', data: '{}' },
    ]);
  });

  it('accepts CRLF separators and unnamed events', async () => {
    const items = await collect(['data: {"a":1}\r\n\r\ndata: [DONE]\r\n\r\n']);
    expect(items).toEqual([
      { kind: 'event', event: undefined, data: '{"a":1}' },
      { kind: 'event', event: undefined, data: '[DONE]' },
    ]);
  });

  it('surfaces an unframed JSON tail as raw lines, even without a final newline', async () => {
    const items = await collect(['data: {"x":1}\n\n{\n  "error": {\n    "code": 503\n  }\n}']);
    expect(items[0]).toEqual({ kind: 'event', event: undefined, data: '{"x":1}' });
    const raw = items
      .filter((i) => i.kind === 'raw')
      .map((i) => (i.kind === 'raw' ? i.line : ''))
      .join('\n');
    expect(JSON.parse(raw)).toEqual({ error: { code: 503 } });
  });
});

describe('readSse bounds', () => {
  const kib = 'x'.repeat(1024);

  it('fails a line that never ends instead of buffering it', async () => {
    const chunks = ['data: {"ok":1}\n\n', ...Array.from({ length: 20 }, () => kib)];
    await expect(collect(chunks, { maxPendingBytes: 10 * 1024 })).rejects.toThrow(
      'stream: no complete event in more than 10240 bytes',
    );
  });

  it("fails data lines that never make an event, in the caller's words", async () => {
    const chunks = Array.from({ length: 20 }, () => `data: ${kib}\n`);
    const tooLarge = (limit: number): Error => new Error(`too big: ${String(limit)}`);
    await expect(collect(chunks, { maxPendingBytes: 10 * 1024, tooLarge })).rejects.toThrow('too big: 10240');
  });

  it('counts from the last complete event: a long stream of small events is never too large', async () => {
    const chunks = Array.from({ length: 50 }, (_, i) => `data: {"i":${String(i)},"pad":"${kib}"}\n\n`);
    const items = await collect(chunks, { maxPendingBytes: 4 * 1024 });
    expect(items).toHaveLength(50);
  });
});

describe('UnframedTail', () => {
  it('keeps the lines of an error tail, joined', () => {
    const tail = new UnframedTail();
    expect(tail.empty).toBe(true);
    for (const line of ['{', '  "error": {"code": 503}', '}']) tail.add(line);
    expect(tail.empty).toBe(false);
    expect(JSON.parse(tail.text())).toEqual({ error: { code: 503 } });
  });

  it("keeps at most an error body's worth of lines, whatever the upstream sends", () => {
    const tail = new UnframedTail();
    const line = 'y'.repeat(1000);
    for (let i = 0; i < 10_000; i++) tail.add(line);
    expect(tail.text().length).toBeLessThanOrEqual(MAX_ERROR_BODY_BYTES + line.length + 1);
    expect(tail.text().length).toBeGreaterThanOrEqual(MAX_ERROR_BODY_BYTES);
  });
});
