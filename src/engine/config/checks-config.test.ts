import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../model/errors.js';
import { resolveConfig } from './resolve-config.js';

const base = { features: { billing: { tier: 'critical' } } };

function issuesOf(doc: unknown): string {
  try {
    resolveConfig(doc, { env: {} });
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return '';
}

describe('checks config', () => {
  it('resolves every kind with defaults (interval 15 s, timeout 5 s, passive AI)', () => {
    const config = resolveConfig(
      {
        ...base,
        checks: {
          core: [
            { name: 'db', postgresEnv: 'DATABASE_URL' },
            { name: 'cache', redis: 'redis://127.0.0.1:6379', timeout: '2s' },
            { name: 'api', http: 'http://127.0.0.1:8000/health', status: 204, contains: 'ok' },
            { name: 'smtp', tcp: '127.0.0.1:25' },
            { name: 'disk', command: ['/bin/true'] },
          ],
        },
      },
      { env: {} },
    );
    expect(config.checks?.intervalMs).toBe(15_000);
    expect(config.checks?.ai).toEqual({ probes: false, probeIntervalMs: 60_000, errorRate: 0.5 });
    expect(config.checks?.core.map((c) => [c.name, c.timeoutMs, c.target])).toEqual([
      ['db', 5_000, { kind: 'postgres', env: 'DATABASE_URL' }],
      ['cache', 2_000, { kind: 'redis', value: 'redis://127.0.0.1:6379' }],
      ['api', 5_000, { kind: 'http', value: 'http://127.0.0.1:8000/health', status: [204], contains: 'ok' }],
      ['smtp', 5_000, { kind: 'tcp', host: '127.0.0.1', port: 25 }],
      ['disk', 5_000, { kind: 'command', argv: ['/bin/true'] }],
    ]);
  });

  it('names the bad key: no kind, two kinds, a duplicate name, a bad URL, an unknown key', () => {
    expect(issuesOf({ ...base, checks: { core: [{ name: 'db' }] } })).toContain(
      'checks.core[0]: says nothing to check',
    );
    expect(issuesOf({ ...base, checks: { core: [{ name: 'db', tcp: 'h:1', http: 'http://x' }] } })).toContain(
      'give one kind per check',
    );
    expect(
      issuesOf({
        ...base,
        checks: {
          core: [
            { name: 'a', tcp: 'h:1' },
            { name: 'a', tcp: 'h:2' },
          ],
        },
      }),
    ).toContain('checks.core[1].name');
    expect(issuesOf({ ...base, checks: { core: [{ name: 'db', postgres: 'http://x' }] } })).toContain(
      'checks.core[0].postgres: must be a postgres URL',
    );
    expect(issuesOf({ ...base, checks: { core: [{ name: 'db', tcp: 'h:1', bogus: 1 }] } })).toMatch(
      /checks\.core.*bogus/,
    );
    expect(issuesOf({ ...base, checks: { interval: 'soon' } })).toContain('checks.interval');
  });
});

describe('alerts config', () => {
  it('takes a plain list of channels, names them by kind, and applies delivery defaults', () => {
    const config = resolveConfig(
      {
        ...base,
        alerts: [
          { kind: 'slack', urlEnv: 'SLACK_URL' },
          { kind: 'log', minSeverity: 'critical' },
        ],
      },
      { env: {} },
    );
    expect(config.alerts).toEqual({
      channels: [
        { kind: 'slack', name: 'slack', urlEnv: 'SLACK_URL', minSeverity: 'warning' },
        { kind: 'log', name: 'log', minSeverity: 'critical' },
      ],
      delivery: { attempts: 5, backoffMs: 2_000, timeoutMs: 10_000 },
    });
  });

  it('takes { channels, delivery } and rejects a channel without its urlEnv', () => {
    const config = resolveConfig(
      {
        ...base,
        alerts: { channels: [{ kind: 'webhook', urlEnv: 'HOOK' }], delivery: { attempts: 3, backoff: '100ms' } },
      },
      { env: {} },
    );
    expect(config.alerts?.delivery).toEqual({ attempts: 3, backoffMs: 100, timeoutMs: 10_000 });
    expect(issuesOf({ ...base, alerts: [{ kind: 'webhook' }] })).toContain('alerts');
  });
});
