/**
 * Outage shape: the feature's own rate budget is spent (failsoft's limits, not the provider's). Before, an
 * interactive request waited for budget until its deadline (p50 4.7 s with deadlineMs 5000, ~30 s by default).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FailsoftConfig } from '../../src/engine/config/config-schema.js';
import { outageRig, type OutageRig } from './outage-rig.js';

let rig: OutageRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

/** Every provider limited to `rpm` requests a minute. */
function limitedTo(rpm: number) {
  return (config: FailsoftConfig): FailsoftConfig => ({
    ...config,
    providers: Object.fromEntries(
      Object.entries(config.providers ?? {}).map(([name, p]) => [name, { ...p, limits: { rpm } }]),
    ),
  });
}

describe('a spent rate budget, default settings', () => {
  it('degrades an interactive request within its wait bound (1 s): fallback or 503 with the refill time', async () => {
    rig = await outageRig(limitedTo(3));
    const r = rig;
    // Nine requests' worth of budget (three per provider), then every budget is empty for ~20 s.
    const answers = [];
    for (let i = 0; i < 12; i++) answers.push(await r.call('summary'));
    const sources = answers.map((a) => a.headers.get('x-failsoft-source'));
    expect(sources.filter((s) => s === 'provider').length).toBeGreaterThanOrEqual(7);
    expect(sources.slice(-2)).toEqual(['fallback', 'fallback']);
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.ms).toBeLessThanOrEqual(1_200);
    }
    const chat = await r.call('chat');
    expect(chat.status).toBe(503);
    expect(Number(chat.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(chat.ms).toBeLessThanOrEqual(1_200);
    const calls = r.calls();
    expect(calls.claude + calls.gpt + calls.gemini).toBeLessThanOrEqual(9);
  });

  it('waits for budget that comes back within the bound, and is then served by a provider', async () => {
    // 120 rpm: one request's worth every 0.5 s, so a request finding the budget empty is served within 1 s.
    rig = await outageRig((config) =>
      limitedTo(120)({
        ...config,
        features: {
          ...config.features,
          summary: { tier: 'enhanced', route: ['claude/claude-sonnet-4-5'], fallback: { leadSentences: 1 } },
        },
      }),
    );
    const r = rig;
    const answers = await Promise.all(Array.from({ length: 130 }, () => r.call('summary')));
    const byProvider = answers.filter((a) => a.headers.get('x-failsoft-source') === 'provider');
    const fallbacks = answers.filter((a) => a.headers.get('x-failsoft-source') === 'fallback');
    expect(byProvider.length).toBeGreaterThanOrEqual(119);
    expect(byProvider.length + fallbacks.length).toBe(130);
    // Those that waited waited about the bound (1 s, held exactly on a fake clock in src/policy/rate-budget-acquire.test.ts);
    // nobody waited for the deadline (30 s). 130 requests at once over real HTTP on a busy 2-core machine get up to
    // 1.5 s of scheduling on top (1.6 s was seen in CI with other work running).
    expect(Math.max(...answers.map((a) => a.ms))).toBeLessThanOrEqual(2_500);
  });
});
