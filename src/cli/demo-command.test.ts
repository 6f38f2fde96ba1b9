import { describe, expect, it } from 'vitest';
import type { DemoReport } from '../demo/report.js';
import { demoCommand, parseDemoArgs } from './demo-command.js';
import { runCli } from './run-cli.js';

describe('failsoft demo flags', () => {
  it('defaults to an hour a second, text, not kept', () => {
    expect(parseDemoArgs([])).toEqual({ speed: 3600, json: false, keep: false, port: 0, help: false });
    expect(parseDemoArgs(['--speed', '14400', '--json', '--keep', '--port', '8787'])).toEqual({
      speed: 14_400,
      json: true,
      keep: true,
      port: 8787,
      help: false,
    });
  });

  it.each([
    [['--speed', 'fast'], '--speed fast: expected an integer from 600 to 28800 (simulated seconds per real second)'],
    [['--speed', '60'], '--speed 60: expected an integer from 600 to 28800'],
    [['--port', '8787'], '--port only matters with --keep'],
    [['--keep', '--port', '70000'], '--port 70000: expected an integer from 0 to 65535'],
    [['--fast'], "Unknown option '--fast'"],
  ])('%j is a usage error (exit 2) saying what is wrong', async (argv, message) => {
    const err: string[] = [];
    const code = await runCli({ demo: demoCommand }, ['demo', ...argv], {
      out: () => undefined,
      err: (line) => err.push(line),
    });
    expect(code).toBe(2);
    expect(err[0]).toContain(message);
  });
});

describe('failsoft demo, end to end', () => {
  it('runs the whole day in-process (--speed 14400 --json): the report on stdout, every expectation held, exit 0', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await demoCommand.run(['--speed', '14400', '--json'], {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
    });
    const report = JSON.parse(out.join('\n')) as DemoReport;
    const failed = report.expectations.filter((e) => !e.held);
    expect(failed, `failed expectations; progress was:\n${err.join('\n')}`).toEqual([]);
    expect(code).toBe(0);
    expect(report.core).toEqual({
      requests: expect.any(Number),
      ok: report.core.requests,
      availability: 1,
      p99Ms: expect.any(Number),
    });
    expect(report.enhanced.answered).toBe(report.enhanced.requests);
    expect(report.enhanced.fallback + Object.values(report.enhanced.byProvider).reduce((a, b) => a + b, 0)).toBe(
      report.enhanced.answered,
    );
    expect(report.aiOnly).toMatchObject({ refused: report.aiOnly.refusedWithRetryAfter });
    expect(report.jobs.planned429s).toBeLessThan(report.jobs.naive429s);
    expect(report.alerts).toMatchObject({ firing: expect.any(Number), resolved: report.alerts.firing });
    const outage = report.incidents.find((i) =>
      i.events.some((e) => e.type === 'provider-opened' && e.component.startsWith('provider:claude/')),
    );
    expect(outage?.status).toBe('resolved');
    // Times are on the simulated day: the outage opens after noon.
    expect((outage?.openedAt ?? '').slice(11, 16) >= '12:00').toBe(true);
    expect(report.expectations.map((e) => e.name)).toHaveLength(7);
    // Progress went to stderr, as plain lines (no terminal here), the steps of the day among them.
    expect(err.some((line) => line.startsWith('12:00  anthropic overloaded'))).toBe(true);
  }, 180_000);
});
