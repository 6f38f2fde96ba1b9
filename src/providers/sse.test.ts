import { describe, expect, it } from 'vitest';
import { readSse, type SseItem } from './sse.js';

async function collect(chunks: string[]): Promise<SseItem[]> {
  const items: SseItem[] = [];
  async function* source(): AsyncGenerator<Uint8Array> {
    for (const c of chunks) yield new TextEncoder().encode(c);
  }
  for await (const item of readSse(source())) items.push(item);
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
    const raw = items.filter((i) => i.kind === 'raw').map((i) => (i.kind === 'raw' ? i.line : '')).join('\n');
    expect(JSON.parse(raw)).toEqual({ error: { code: 503 } });
  });
});
