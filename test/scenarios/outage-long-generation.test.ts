/**
 * Outage shape that is not an outage: a provider answering slowly but steadily (a long generation, 20 s of
 * chunks 500 ms apart). Liveness timeouts must tell it from a hang and never cut it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { outageRig, type OutageRig } from './outage-rig.js';

let rig: OutageRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('a slow but healthy provider, default settings', () => {
  it('does not cut a slow but healthy answer: 20 s of steady chunks arrive whole, streamed and not', async () => {
    rig = await outageRig();
    const r = rig;
    r.sim.setFaults({ anthropic: [{ kind: 'slow_stream', chunkDelayMs: 500, durationMs: 20_000 }] });
    const [streamed, whole] = await Promise.all([r.call('chat', { stream: true }), r.call('summary')]);
    for (const answer of [streamed, whole]) {
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-failsoft-provider')).toBe('claude');
      expect(answer.headers.get('x-failsoft-degraded')).toBe('false');
      expect(answer.ms).toBeGreaterThanOrEqual(19_000);
    }
    expect(streamed.body).toContain('[DONE]');
    expect(streamed.body).not.toContain('"error"');
    expect(r.calls()).toMatchObject({ claude: 2, gpt: 0 });
  }, 40_000);
});
