import { describe, expect, it } from 'vitest';
import { createFailsoft } from '../index.js';
import { scriptedAdapter } from '../testing/index.js';
import { attachEventLog, LineLog, startGateway } from './index.js';

/** `failsoft/gateway` embedded in a program of one's own: the engine from `failsoft`, the gateway and its log from the subpath. */
describe('failsoft/gateway, embedded', () => {
  it('serves the OpenAI dialect in front of an engine and logs its state changes as JSON lines', async () => {
    const ai = createFailsoft(
      {
        providers: { claude: { type: 'anthropic', apiKey: 'k' }, gpt: { type: 'openai', apiKey: 'k' } },
        features: { chat: { tier: 'ai-only', route: ['claude/sonnet', 'gpt/mini'] } },
      },
      {
        env: {},
        adapters: {
          claude: scriptedAdapter('claude', () => ({ fail: 'auth', status: 401 }), 'anthropic'),
          gpt: scriptedAdapter('gpt', () => ({ text: 'hello from gpt' })),
        },
      },
    );
    const lines: Array<{ level: string; event?: string }> = [];
    const off = attachEventLog(
      ai,
      new LineLog('info', (line) => lines.push(JSON.parse(line) as { level: string; event?: string })),
    );
    const gateway = await startGateway({ ai, port: 0, env: {}, log: () => undefined });
    try {
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-failsoft-provider')).toBe('gpt');
      const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
      expect(body.choices[0]?.message.content).toBe('hello from gpt');
      // A 401 opens claude's breaker for long: the one state change of this request, logged at warn.
      expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', event: 'provider-opened' }));
    } finally {
      off();
      await gateway.close();
      await ai.close();
    }
  });
});
