import { describe, expect, it } from 'vitest';
import { Progress, countSamples, progressLine } from './progress.js';

describe('demo progress', () => {
  it('counts the traffic so far', () => {
    const counts = countSamples(
      [
        { kind: 'core', at: 0, ms: 1, status: 201 },
        { kind: 'core', at: 0, ms: 1, status: 0 },
        { kind: 'enhanced', at: 0, ms: 1, status: 200, source: 'fallback' },
        { kind: 'aiOnly', at: 0, ms: 1, status: 503 },
      ],
      1,
    );
    expect(progressLine('14:05', counts, 'gemini rate-limits')).toBe(
      '14:05  core 1/2 ok · summary 1 (1 fallback) · chat 1 (1 refused) · alerts 1 · gemini rate-limits',
    );
  });

  it('on a terminal redraws one line and puts events above it; in a log writes only the events, one a line', () => {
    const tty: string[] = [];
    const onTty = new Progress({ isTTY: true, write: (t) => tty.push(t) });
    onTty.update('10:00 a');
    onTty.event('12:00 outage');
    onTty.update('12:01 b');
    onTty.end();
    expect(tty).toEqual(['\r\u001b[2K10:00 a', '\r\u001b[2K12:00 outage\n', '\r\u001b[2K12:01 b', '\r\u001b[2K']);
    const narrow: string[] = [];
    new Progress({ isTTY: true, columns: 10, write: (t) => narrow.push(t) }).update('12:00  core 5/5 ok');
    expect(narrow).toEqual(['\r\u001b[2K12:00  c…']);
    const log: string[] = [];
    const inLog = new Progress({ isTTY: false, write: (t) => log.push(t) });
    inLog.update('10:00 a');
    inLog.event('12:00 outage');
    inLog.end();
    expect(log).toEqual(['12:00 outage\n']);
  });
});
