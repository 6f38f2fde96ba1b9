import { describe, expect, it } from 'vitest';
import { FakeClock } from '../model/fake-clock.js';
import { EventBus, type FailsoftEvent } from './events.js';
import { FeatureModes } from './feature-modes.js';

function setup(settleMs?: number) {
  const clock = new FakeClock();
  const bus = new EventBus();
  const events: FailsoftEvent[] = [];
  bus.on('*', (e) => events.push(e));
  return { clock, events, modes: new FeatureModes(bus, clock, settleMs) };
}

const changes = (events: FailsoftEvent[]): string[] =>
  events.flatMap((e) => (e.type === 'feature-mode-changed' ? [`${e.from}→${e.to}`] : []));

describe('FeatureModes', () => {
  it('a brown-out (5 % of requests failing over) reads as one change, not a flip per request', async () => {
    const { clock, events, modes } = setup();
    for (let i = 0; i < 2_000; i++) {
      modes.note('summary', i % 20 === 0 ? 'failover' : 'normal', []);
      await clock.advance(10);
    }
    expect(changes(events)).toEqual(['normal→failover']);
    expect(modes.get('summary')).toBe('failover');
  });

  it('gets worse at once, better only once the better mode held for settleMs, and then no better than what every request got', async () => {
    const { clock, events, modes } = setup(5_000);
    modes.note('summary', 'fallback', []);
    expect(changes(events)).toEqual(['normal→fallback']);
    modes.note('summary', 'failover', []);
    await clock.advance(2_000);
    modes.note('summary', 'normal', []);
    await clock.advance(3_000);
    modes.note('summary', 'normal', []);
    // Held 5 s, but one request of that time only got failover: it is failover, not normal.
    expect(changes(events)).toEqual(['normal→fallback', 'fallback→failover']);
    // From failover, normal answers start their own 5 s; a failover meanwhile starts them again.
    modes.note('summary', 'normal', []);
    await clock.advance(4_000);
    modes.note('summary', 'failover', []);
    await clock.advance(1_000);
    modes.note('summary', 'normal', []);
    await clock.advance(4_999);
    modes.note('summary', 'normal', []);
    expect(changes(events)).toEqual(['normal→fallback', 'fallback→failover']);
    await clock.advance(1);
    modes.note('summary', 'normal', []);
    expect(changes(events)).toEqual(['normal→fallback', 'fallback→failover', 'failover→normal']);
    expect(events.filter((e) => e.type === 'feature-recovered')).toHaveLength(1);
  });

  it('an operator’s switch is reported at once both ways; settleMs 0 reports every change', () => {
    const { events, modes } = setup();
    modes.note('chat', 'disabled', []);
    modes.note('chat', 'normal', []);
    expect(changes(events)).toEqual(['normal→disabled', 'disabled→normal']);
    const eager = setup(0);
    eager.modes.note('chat', 'failover', []);
    eager.modes.note('chat', 'normal', []);
    expect(changes(eager.events)).toEqual(['normal→failover', 'failover→normal']);
  });
});
