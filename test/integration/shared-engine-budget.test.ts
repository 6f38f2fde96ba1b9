/**
 * Two engines with REDIS_URL set spend ONE provider budget (the LiteLLM per-pod bug, #27736, is what this
 * prevents): together they admit exactly what one engine alone admits.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { createFailsoft, type Failsoft } from '../../src/engine/failsoft.js';
import type { FailsoftConfig } from '../../src/engine/config/config-schema.js';
import { scriptedAdapter } from '../../src/testing/scripted-adapter.js';
import { describeWithRedis, redisUrl } from './services.js';

const RUN = `failsoft-test:${randomUUID()}:`;

const config: FailsoftConfig = {
  providers: { claude: { type: 'anthropic', apiKey: 'k', limits: { rpm: 12 } } },
  features: { chat: { tier: 'ai-only', route: ['claude/sonnet'], deadlineMs: 50, maxOutputTokens: 50 } },
};
const ask = { messages: [{ role: 'user' as const, content: 'hello' }] };

function engine(prefix: string, env: Record<string, string>): Failsoft {
  return createFailsoft(config, {
    env: { ...env, FAILSOFT_REDIS_PREFIX: prefix },
    adapters: { claude: scriptedAdapter('claude', () => ({ text: 'ok' })) },
  });
}

async function served(engines: Failsoft[], requests: number): Promise<number> {
  const results = await Promise.allSettled(
    Array.from({ length: requests }, (_, i) => (engines[i % engines.length] as Failsoft).generate('chat', ask)),
  );
  return results.filter((r) => r.status === 'fulfilled').length;
}

describeWithRedis('engines sharing a budget through REDIS_URL', () => {
  const url = redisUrl ?? '';
  afterAll(async () => {
    const admin = new Redis(url);
    const keys = await admin.keys(`${RUN}*`);
    if (keys.length > 0) await admin.del(...keys);
    await admin.quit();
  });

  it('two engines on one Redis admit what one engine admits alone; two without Redis admit twice that', async () => {
    const alone = engine(`${RUN}alone:`, { REDIS_URL: url });
    const soloCount = await served([alone], 40);
    await alone.close();

    const a = engine(`${RUN}shared:`, { REDIS_URL: url });
    const b = engine(`${RUN}shared:`, { REDIS_URL: url });
    const sharedCount = await served([a, b], 40);
    await Promise.all([a.close(), b.close()]);

    const c = engine('unused', {});
    const d = engine('unused', {});
    const localCount = await served([c, d], 40);
    await Promise.all([c.close(), d.close()]);

    expect(soloCount).toBeGreaterThanOrEqual(10);
    expect(soloCount).toBeLessThanOrEqual(12);
    expect(sharedCount).toBe(soloCount);
    expect(localCount).toBe(2 * soloCount);
  });
});
