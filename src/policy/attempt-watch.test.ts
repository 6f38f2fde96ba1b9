import { describe, expect, it } from 'vitest';
import { FakeClock } from '../model/fake-clock.js';
import { CancelSource } from '../model/cancel-signal.js';
import { AttemptStalledError, AttemptWatch } from './attempt-watch.js';

const timeouts = { headersMs: 2_000, firstContentMs: 10_000, idleMs: 5_000 };

describe('AttemptWatch', () => {
  it('abandons a request the provider never accepts after headersMs', async () => {
    const clock = new FakeClock();
    const watch = new AttemptWatch(clock, timeouts, { streaming: true });
    await clock.advance(1_999);
    expect(watch.signal.aborted).toBe(false);
    await clock.advance(1);
    expect(watch.signal.aborted).toBe(true);
    expect(AttemptStalledError.isInstance(watch.signal.reason)).toBe(true);
    expect(watch.stalled?.stage).toBe('accepted');
    expect(watch.stalled?.message).toBe('not accepted (no response headers) within 2000 ms');
  });

  it('counts the first-content bound from the start, once accepted', async () => {
    const clock = new FakeClock();
    const watch = new AttemptWatch(clock, timeouts, { streaming: true });
    await clock.advance(1_500);
    watch.accepted();
    await clock.advance(8_499);
    expect(watch.signal.aborted).toBe(false);
    await clock.advance(1);
    expect(watch.stalled?.stage).toBe('first-content');
  });

  it('never cuts a slow but steady stream, and cuts one that goes silent for idleMs', async () => {
    const clock = new FakeClock();
    const watch = new AttemptWatch(clock, timeouts, { streaming: true });
    watch.accepted();
    watch.firstContent();
    for (let i = 0; i < 40; i++) {
      // 40 chunks 500 ms apart: 20 s of healthy stream
      await clock.advance(500);
      watch.progress();
    }
    expect(watch.signal.aborted).toBe(false);
    await clock.advance(4_999);
    expect(watch.signal.aborted).toBe(false);
    await clock.advance(1);
    expect(watch.stalled?.stage).toBe('idle');
    expect(watch.stalled?.message).toBe('stream stalled: no data for 5000 ms');
  });

  it('bounds a non-streamed call by firstContentMs alone', async () => {
    const clock = new FakeClock();
    const watch = new AttemptWatch(clock, timeouts, { streaming: false });
    await clock.advance(9_999);
    expect(watch.signal.aborted).toBe(false);
    await clock.advance(1);
    expect(watch.stalled?.stage).toBe('first-content');
  });

  it('follows a linked parent until unlinked, and stops its timer on dispose', async () => {
    const clock = new FakeClock();
    const parent = new CancelSource();
    const a = new AttemptWatch(clock, timeouts, { streaming: true });
    a.link(parent);
    const b = new AttemptWatch(clock, timeouts, { streaming: true });
    b.link(parent);
    b.unlink(parent);
    parent.cancel(new Error('deadline'));
    expect(a.signal.reason).toEqual(new Error('deadline'));
    expect(b.signal.aborted).toBe(false);
    b.dispose();
    await clock.advance(60_000);
    expect(b.signal.aborted).toBe(false);
  });
});
