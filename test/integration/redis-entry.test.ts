/**
 * `failsoft/redis` as the README shows it: `createFailsoft(config, { store })` with a `RedisPolicyState` from the
 * subpath, wrapped in the root's `FallbackPolicyState`. Two engines given such stores spend one budget.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { AIUnavailableError, createFailsoft, type FailsoftConfig, FallbackPolicyState } from '../../src/index.js';
import { RedisPolicyState } from '../../src/redis.js';
import { scriptedAdapter } from '../../src/testing/index.js';
import { describeWithRedis, redisUrl } from './services.js';

const PREFIX = `failsoft-test:${randomUUID()}:`;
const config: FailsoftConfig = {
  providers: { claude: { type: 'anthropic', apiKey: 'k', limits: { rpm: 1 } } },
  features: { chat: { tier: 'ai-only', route: ['claude/sonnet'], deadlineMs: 200, maxOutputTokens: 50 } },
};
const ask = { messages: [{ role: 'user' as const, content: 'hello' }] };

describeWithRedis('failsoft/redis', () => {
  const url = redisUrl ?? '';
  afterAll(async () => {
    const admin = new Redis(url);
    const keys = await admin.keys(`${PREFIX}*`);
    if (keys.length > 0) await admin.del(...keys);
    await admin.quit();
  });

  it('gives engines one shared budget: what one spent, the other cannot', async () => {
    // A store passed in stays the caller's: the engine does not close it.
    const stores = [0, 1].map(() => new FallbackPolicyState(new RedisPolicyState(url, { prefix: PREFIX })));
    const [a, b] = stores.map((store) =>
      createFailsoft(config, {
        env: {},
        store,
        adapters: { claude: scriptedAdapter('claude', () => ({ text: 'ok' }), 'anthropic') },
      }),
    );
    if (!a || !b) throw new Error('two engines expected');
    try {
      expect((await a.generate('chat', ask)).text).toBe('ok');
      await expect(b.generate('chat', ask)).rejects.toBeInstanceOf(AIUnavailableError);
      expect((await b.health()).sharedState).toMatchObject({ connected: true, operationsLost: 0 });
    } finally {
      await Promise.all([a.close(), b.close(), ...stores.map((store) => store.close())]);
    }
  });
});
