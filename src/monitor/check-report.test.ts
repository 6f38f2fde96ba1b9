import { describe, expect, it } from 'vitest';
import { checkReport, pluginLines, reportJson } from './check-report.js';
import type { CheckResult } from './check-result.js';

const ok = (name: string, ms = 4): CheckResult => ({ name, group: 'core', status: 'ok', detail: 'ok', ms });

describe('check report (Nagios plugin output)', () => {
  it('the worst status wins; the first line names what failed, core first, with perfdata per check', () => {
    const report = checkReport(
      [
        { name: 'db', group: 'core', status: 'critical', detail: 'connection refused (127.0.0.1:5432)', ms: 3 },
        ok('api', 12),
        {
          name: 'claude/claude-sonnet-4-5',
          group: 'ai',
          status: 'warning',
          detail: 'probe failed: overloaded (529) in 30 ms',
          ms: 30,
        },
        {
          name: 'ai',
          group: 'ai',
          status: 'warning',
          detail: 'AI degraded: 1 of 1 provider models failed their probe (claude/claude-sonnet-4-5)',
          ms: 30,
        },
      ],
      'probes',
    );
    expect(report.status).toBe('critical');
    const [first, ...rest] = pluginLines(report);
    expect(first).toBe(
      'FAILSOFT CRITICAL - db: connection refused (127.0.0.1:5432); AI degraded: 1 of 1 provider models failed their probe (claude/claude-sonnet-4-5) | db_ms=3;;;0 api_ms=12;;;0 ai_claude_claude_sonnet_4_5_ms=30;;;0 ai_ms=30;;;0',
    );
    expect(rest[0]).toMatch(/^core\s+db\s+CRITICAL\s+3 ms\s+connection refused/);
    expect(reportJson(report)).toMatchObject({ status: 'CRITICAL', exitCode: 2, ai: 'probes' });
  });

  it('OK and not-checked AI say so; unknown beats warning but not critical', () => {
    expect(pluginLines(checkReport([ok('api')], 'not-checked'))[0]).toBe(
      'FAILSOFT OK - core OK (1 check); AI not checked | api_ms=4;;;0',
    );
    expect(
      checkReport(
        [
          { ...ok('a'), status: 'warning' },
          { ...ok('b'), status: 'unknown' },
        ],
        'skipped',
      ).status,
    ).toBe('unknown');
    expect(
      checkReport(
        [
          { ...ok('a'), status: 'critical' },
          { ...ok('b'), status: 'unknown' },
        ],
        'skipped',
      ).status,
    ).toBe('critical');
  });
});
