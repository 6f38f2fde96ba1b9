/**
 * At start, puts the kill switches back where the store last saw them, so a switch an operator flipped
 * survives a restart. The stored state wins over the config file; `AI_ENABLED` in the environment wins
 * over the stored global switch (whoever set it at start meant it).
 */
import type { Failsoft } from '../engine/failsoft.js';
import type { SwitchRecord } from './records.js';

const RESTORED = 'restored: ';

/** What the restore did with one stored switch, as a line for the start-up log. */
export interface SwitchRestoreLine {
  target: string;
  action: 'restored' | 'unchanged' | 'skipped';
  message: string;
}

/**
 * Applies the latest stored switch states to `ai` (through its switches: each change is a `switch-changed`
 * event with source `restored: <original source>`). Returns one line per stored switch.
 * @example restoreSwitches(ai, await store.latestSwitches(), process.env)
 */
export function restoreSwitches(
  ai: Pick<Failsoft, 'switches' | 'config'>,
  stored: readonly SwitchRecord[],
  env: Record<string, string | undefined> = {},
): SwitchRestoreLine[] {
  const lines: SwitchRestoreLine[] = [];
  for (const record of stored) {
    const source = record.source.startsWith(RESTORED) ? record.source : `${RESTORED}${record.source}`;
    const state = record.enabled ? 'on' : 'off';
    if (record.target === 'global') {
      if (env.AI_ENABLED !== undefined && env.AI_ENABLED.trim() !== '') {
        lines.push({
          target: 'global',
          action: 'skipped',
          message: `AI switch left as AI_ENABLED=${env.AI_ENABLED} says (stored: ${state}, by ${record.source})`,
        });
        continue;
      }
      const changed = ai.switches.aiEnabled !== record.enabled;
      if (changed) ai.switches.setAiEnabled(record.enabled, source);
      lines.push({
        target: 'global',
        action: changed ? 'restored' : 'unchanged',
        message: `AI switch ${state} (${record.source}, ${new Date(record.at).toISOString()})`,
      });
      continue;
    }
    const feature = Object.hasOwn(ai.config.features, record.target) ? ai.config.features[record.target] : undefined;
    if (!feature || feature.tier === 'critical') {
      lines.push({
        target: record.target,
        action: 'skipped',
        message: `stored switch of feature ${record.target} ignored: ${feature ? 'it is critical (no switch)' : 'no such feature in this config'}`,
      });
      continue;
    }
    const enabledNow = !ai.switches.toJSON().disabledFeatures.includes(record.target);
    const changed = enabledNow !== record.enabled;
    if (changed && record.enabled) ai.switches.enable(record.target, source);
    else if (changed) ai.switches.disable(record.target, source);
    lines.push({
      target: record.target,
      action: changed ? 'restored' : 'unchanged',
      message: `feature ${record.target} switch ${state} (${record.source}, ${new Date(record.at).toISOString()})`,
    });
  }
  return lines;
}
