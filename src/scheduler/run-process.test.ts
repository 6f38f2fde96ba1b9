import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { failureReason, OutputTail, startProcess } from './run-process.js';

const fixture = (name: string): string => new URL(`../../test/fixtures/jobs/${name}`, import.meta.url).pathname;
const node = process.execPath;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startProcess', () => {
  it('runs the argv without a shell, passing the environment, and keeps stdout and stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'failsoft-proc-'));
    const out = join(dir, 'runs.jsonl');
    const p = startProcess({
      command: [node, fixture('record-run.mjs'), out, '0', '3'],
      shell: false,
      env: { FAILSOFT_RUN_ID: 'r1' },
      killGraceMs: 1000,
    });
    const outcome = await p.done;
    expect(outcome.exitCode).toBe(3);
    expect(outcome.stdoutTail).toBe('run r1\n');
    expect(outcome.stderrTail).toBe('exiting 3\n');
    expect(failureReason(outcome, undefined)).toBe('exit 3');
    expect(JSON.parse(readFileSync(out, 'utf8')).runId).toBe('r1');
  });

  it('keeps only the last 4 KiB of a long output', async () => {
    const outcome = await startProcess({
      command: [node, fixture('noisy.mjs')],
      shell: false,
      env: {},
      killGraceMs: 1000,
    }).done;
    expect(outcome.exitCode).toBe(0);
    expect(failureReason(outcome, undefined)).toBeUndefined();
    expect(Buffer.byteLength(outcome.stdoutTail)).toBe(4096);
    expect(outcome.stdoutTail.endsWith('line 0999 xxxxxxxxxxxxxx\n')).toBe(true);
  });

  it('runs a command line through /bin/sh only with shell: true', async () => {
    const outcome = await startProcess({
      command: ['echo $((2 + 3)) | tr 5 6'],
      shell: true,
      env: {},
      killGraceMs: 1000,
    }).done;
    expect(outcome.stdoutTail).toBe('6\n');
    const noShell = await startProcess({ command: ['echo $((2 + 3))'], shell: false, env: {}, killGraceMs: 1000 }).done;
    expect(noShell.spawnError).toMatch(/ENOENT/);
    expect(failureReason(noShell, undefined)).toMatch(/^could not start: /);
  });

  it('on timeout kills the whole process group: SIGTERM, then SIGKILL after the grace for a grandchild that ignores SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'failsoft-proc-'));
    const pidFile = join(dir, 'grandchild.pid');
    const started = Date.now();
    const outcome = await startProcess({
      command: [node, fixture('spawn-grandchild.mjs'), pidFile],
      shell: false,
      env: {},
      timeoutMs: 500,
      killGraceMs: 300,
    }).done;
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    expect(outcome.timedOut).toBe(true);
    expect(failureReason(outcome, 500)).toBe('timed out after 0.5 s');
    // The leader dies on SIGTERM; the run ends only when the grandchild holding its pipes is SIGKILLed.
    expect(Date.now() - started).toBeGreaterThanOrEqual(750);
    expect(alive(grandchild)).toBe(false);
  });
});

describe('OutputTail', () => {
  it('keeps the last bytes across chunks', () => {
    const tail = new OutputTail(5);
    for (const s of ['ab', 'cd', 'efg', 'h']) tail.push(Buffer.from(s));
    expect(tail.text()).toBe('defgh');
  });
});
