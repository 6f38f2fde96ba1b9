import { describe, expect, it } from 'vitest';
import { createFailsoft } from '../engine/failsoft.js';
import type { FailsoftEvent } from '../engine/events.js';
import type { SwitchRecord } from './records.js';
import { restoreSwitches } from './switch-restore.js';

const config = {
  providers: { claude: { type: 'anthropic' as const, apiKey: 'k', baseUrl: 'http://127.0.0.1:9' } },
  features: {
    summary: { tier: 'enhanced' as const, route: ['claude/m'], fallback: { text: 'x' } },
    chat: { tier: 'ai-only' as const, route: ['claude/m'], enabled: false },
    billing: { tier: 'critical' as const },
  },
};
const at = Date.UTC(2026, 11, 6, 12);
const record = (target: string, enabled: boolean, source = 'admin'): SwitchRecord => ({
  target,
  enabled,
  source,
  at,
  instance: 'gw-1',
});

describe('restoreSwitches', () => {
  it('puts stored switch states back over the config, as switch-changed events naming the original source', async () => {
    const ai = createFailsoft(config, { env: {} });
    const events: FailsoftEvent[] = [];
    ai.on('switch-changed', (e) => events.push(e));
    const lines = restoreSwitches(
      ai,
      [record('summary', false), record('chat', true), record('global', false, 'cli')],
      {},
    );
    expect(ai.switches.toJSON()).toEqual({ aiEnabled: false, disabledFeatures: ['summary'] });
    expect(events.map((e) => e.type === 'switch-changed' && [e.target, e.enabled, e.source])).toEqual([
      ['summary', false, 'restored: admin'],
      ['chat', true, 'restored: admin'],
      ['global', false, 'restored: cli'],
    ]);
    expect(lines.map((l) => l.action)).toEqual(['restored', 'restored', 'restored']);
    await ai.close();
  });

  it('leaves AI_ENABLED from the environment alone, and skips features this config lacks or cannot switch', async () => {
    const ai = createFailsoft(config, { env: {} });
    const lines = restoreSwitches(
      ai,
      [
        record('global', false),
        record('gone', false),
        record('billing', false),
        record('summary', true, 'restored: admin'),
      ],
      { AI_ENABLED: 'true' },
    );
    expect(ai.switches.toJSON()).toEqual({ aiEnabled: true, disabledFeatures: ['chat'] });
    expect(lines.map((l) => l.action)).toEqual(['skipped', 'skipped', 'skipped', 'unchanged']);
    expect(lines[1]?.message).toContain('no such feature');
    expect(lines[2]?.message).toContain('critical');
    await ai.close();
  });
});
