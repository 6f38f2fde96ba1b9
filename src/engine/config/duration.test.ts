import { describe, expect, it } from 'vitest';
import { formatDuration, parseDurationText } from './duration.js';

describe('parseDurationText', () => {
  it('reads units and combinations', () => {
    expect(parseDurationText('500ms')).toBe(500);
    expect(parseDurationText('30s')).toBe(30_000);
    expect(parseDurationText('5m')).toBe(300_000);
    expect(parseDurationText('24h')).toBe(86_400_000);
    expect(parseDurationText('7d')).toBe(604_800_000);
    expect(parseDurationText('1h30m')).toBe(5_400_000);
  });
  it('refuses what is not a duration', () => {
    for (const bad of ['', '5', 'm5', '5 minutes', '-5m', '5x']) expect(parseDurationText(bad)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it('says durations the way a person would', () => {
    expect(formatDuration(350)).toBe('350 ms');
    expect(formatDuration(45_000)).toBe('45 s');
    expect(formatDuration(12 * 60_000)).toBe('12 min');
    expect(formatDuration(11 * 3_600_000)).toBe('11 h');
    expect(formatDuration(125 * 60_000)).toBe('2 h 5 min');
    expect(formatDuration(72 * 3_600_000)).toBe('3 d');
  });
});

describe('incidents.quietPeriod in a config', () => {
  it('resolves to milliseconds, and a bad value names its key', async () => {
    const { resolveConfig } = await import('./resolve-config.js');
    const { ConfigError } = await import('../../model/errors.js');
    expect(resolveConfig({ incidents: { quietPeriod: '2m' } }, { env: {} }).incidents).toEqual({
      quietPeriodMs: 120_000,
    });
    expect(resolveConfig({}, { env: {} }).incidents).toBeUndefined();
    let error: unknown;
    try {
      resolveConfig({ incidents: { quietPeriod: 'soon' } }, { env: {} });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(String((error as Error).message)).toContain('incidents.quietPeriod');
  });
});
