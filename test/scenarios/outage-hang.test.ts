/**
 * Outage shape: the primary accepts requests and never answers (the simulator's `timeout` fault), with the
 * built-in example config and no timeouts configured. Before liveness timeouts, `summary` waited the whole
 * 30-s deadline for its fallback and `chat` got a 503 after 30 s although gpt was healthy.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { outageRig, type OutageRig } from './outage-rig.js';

let rig: OutageRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('a hung primary (accepts, never answers), default settings', () => {
  it('costs an interactive request at most 3 s before its breaker opens, then nothing; a half-open probe holds nobody', async () => {
    rig = await outageRig();
    const r = rig;
    r.sim.setFaults({ anthropic: [{ kind: 'timeout' }] });
    // A burst of users, enhanced and ai-only, streamed and not.
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) => r.call(i % 2 === 0 ? 'summary' : 'chat', { stream: i % 3 === 0 })),
    );
    for (const answer of burst) {
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-failsoft-provider')).toBe('gpt');
      expect(answer.headers.get('x-failsoft-source')).toBe('provider');
      expect(answer.ms).toBeLessThanOrEqual(3_000);
    }
    expect(r.events.some((e) => e.type === 'provider-opened' && e.provider === 'claude')).toBe(true);
    // The breaker is open: the next requests skip claude without a request to it.
    const before = r.calls().claude;
    const after: number[] = [];
    for (let i = 0; i < 10; i++) {
      const answer = await r.call(i % 2 === 0 ? 'summary' : 'chat');
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-failsoft-provider')).toBe('gpt');
      after.push(answer.ms);
    }
    expect(r.calls().claude).toBe(before);
    expect(Math.max(...after)).toBeLessThanOrEqual(50);
    // Past the open period one request carries the half-open probe: it gets its answer from gpt at once,
    // while the probe runs on in the background to its own verdict (claude still hangs: the breaker re-opens).
    await new Promise((resolve) => setTimeout(resolve, 5_100));
    const probed = await r.call('chat');
    expect(probed.status).toBe(200);
    expect(probed.headers.get('x-failsoft-provider')).toBe('gpt');
    expect(probed.ms).toBeLessThanOrEqual(50);
    expect(r.calls().claude).toBe(before + 1);
    await expect
      .poll(() => r.events.filter((e) => e.type === 'provider-opened' && e.provider === 'claude').length, {
        timeout: 4_000,
      })
      .toBe(2);
  }, 30_000);
});
