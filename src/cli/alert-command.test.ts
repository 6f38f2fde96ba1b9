import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlertSink, type AlertSink } from '../monitor/alerts/alert-sink.test-helper.js';
import { freePort } from '../testing/free-port.js';
import { UsageError } from './cli-command.js';
import { runAlert } from './alert-command.js';

let hook: AlertSink;
let slack: AlertSink;
let dir: string;
let file: string;
beforeAll(async () => {
  [hook, slack] = await Promise.all([startAlertSink(), startAlertSink({ slack: true })]);
  dir = mkdtempSync(join(tmpdir(), 'failsoft-alert-'));
  file = join(dir, 'failsoft.yaml');
  writeFileSync(
    file,
    JSON.stringify({
      features: { billing: { tier: 'critical' } },
      alerts: [{ kind: 'webhook', urlEnv: 'HOOK' }, { kind: 'slack', urlEnv: 'SLACK' }, { kind: 'log' }],
    }),
  );
});
afterAll(async () => {
  await Promise.all([hook.close(), slack.close()]);
  rmSync(dir, { recursive: true, force: true });
});

function capture(): { io: { out(line: string): void; err(line: string): void }; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (line) => out.push(line), err: (line) => err.push(line) }, out, err };
}

describe('failsoft alert test', () => {
  it('sends one test message to every channel and reports each: exit 0 when all took it', async () => {
    const { io, out, err } = capture();
    expect(await runAlert(['test', '--config', file], io, { HOOK: hook.url, SLACK: slack.url })).toBe(0);
    expect(hook.received).toEqual([
      expect.objectContaining({
        status: 'firing',
        severity: 'warning',
        test: true,
        incident: expect.objectContaining({ id: 'test' }),
      }),
    ]);
    expect(slack.rejected).toEqual([]);
    expect(slack.received).toHaveLength(1);
    expect(err).toEqual([expect.stringMatching(/^failsoft alert: FIRING warning test: Test alert from failsoft/)]);
    expect(out.slice(0, 3)).toEqual([
      expect.stringMatching(/^webhook \(webhook\)\s+sent \(\d+ ms\)$/),
      expect.stringMatching(/^slack \(slack\)\s+sent/),
      expect.stringMatching(/^log \(log\)\s+sent/),
    ]);
  });

  it('exit 1 naming what failed: a webhook that refuses, a variable that is not set', async () => {
    const { io, out } = capture();
    const port = await freePort();
    expect(await runAlert(['test', '--config', file], io, { HOOK: `http://127.0.0.1:${port}/` })).toBe(1);
    expect(out[0]).toMatch(
      new RegExp(`^webhook \\(webhook\\)\\s+FAILED: connection refused \\(127\\.0\\.0\\.1:${port}\\)`),
    );
    expect(out[1]).toMatch(/^slack \(slack\)\s+FAILED: environment variable SLACK is not set/);
    expect(out.at(-1)).toBe('2 of 3 channel(s) failed');
  });

  it('a wrong subcommand is a usage error', async () => {
    await expect(runAlert(['send'], capture().io, {})).rejects.toThrow(UsageError);
  });
});
