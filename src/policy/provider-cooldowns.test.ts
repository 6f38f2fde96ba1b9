import { describe, expect, it } from 'vitest';
import { FakeClock } from '../model/fake-clock.js';
import { MemoryPolicyState } from '../state/memory-policy-state.js';
import type { PolicyState } from './policy-state.js';
import { ProviderCooldowns, type CooldownChange } from './provider-cooldowns.js';

const T0 = 1_700_000_000_000;

/** Memory state without `watchCooldowns` (a store that cannot push), counting cool-down reads. */
function unwatchable(memory = new MemoryPolicyState()): { state: PolicyState; reads: () => number } {
  let reads = 0;
  const state: PolicyState = {
    takeBuckets: (t, n) => memory.takeBuckets(t, n),
    adjustBuckets: (a, n) => memory.adjustBuckets(a, n),
    lowerBuckets: (l, n) => memory.lowerBuckets(l, n),
    readBuckets: (b, n) => memory.readBuckets(b, n),
    readBreaker: (k, n) => memory.readBreaker(k, n),
    writeBreaker: (k, r, v, n) => memory.writeBreaker(k, r, v, n),
    setCooldown: (k, u, n) => memory.setCooldown(k, u, n),
    readCooldown: (k, n) => {
      reads++;
      return memory.readCooldown(k, n);
    },
    close: () => memory.close(),
  };
  return { state, reads: () => reads };
}

async function microtasks(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('ProviderCooldowns', () => {
  it('cools a provider down for forMs, counting down on the clock, then frees it', async () => {
    const clock = new FakeClock(T0);
    const cooldowns = new ProviderCooldowns({ clock, state: new MemoryPolicyState() });
    expect(cooldowns.remainingMs('claude')).toBe(0);
    cooldowns.coolDown('claude', 30_000);
    expect(cooldowns.remainingMs('claude')).toBe(30_000);
    expect(cooldowns.remainingMs('gpt')).toBe(0);
    await clock.advance(10_000);
    expect(cooldowns.remainingMs('claude')).toBe(20_000);
    await clock.advance(20_000);
    expect(cooldowns.remainingMs('claude')).toBe(0);
    cooldowns.close();
  });

  it('keeps the later cool-down: a shorter Retry-After never shortens a longer one', () => {
    const clock = new FakeClock(T0);
    const cooldowns = new ProviderCooldowns({ clock, state: new MemoryPolicyState() });
    cooldowns.coolDown('claude', 30_000);
    cooldowns.coolDown('claude', 5_000);
    expect(cooldowns.remainingMs('claude')).toBe(30_000);
    cooldowns.coolDown('claude', 60_000);
    expect(cooldowns.remainingMs('claude')).toBe(60_000);
    cooldowns.close();
  });

  it('reports starts, lengthenings and the end, once each', async () => {
    const clock = new FakeClock(T0);
    const cooldowns = new ProviderCooldowns({ clock, state: new MemoryPolicyState() });
    const changes: CooldownChange[] = [];
    cooldowns.onChange((change) => changes.push(change));
    cooldowns.onChange(() => {
      throw new Error('a broken listener');
    });
    cooldowns.coolDown('claude', 1_000);
    cooldowns.coolDown('claude', 500);
    cooldowns.coolDown('claude', 2_000);
    await microtasks();
    await clock.advance(2_000);
    expect(changes).toEqual([
      { provider: 'claude', untilMs: T0 + 1_000, source: 'local', active: true },
      { provider: 'claude', untilMs: T0 + 2_000, source: 'local', active: true },
      { provider: 'claude', untilMs: T0 + 2_000, source: 'local', active: false },
    ]);
    cooldowns.close();
  });

  it('writes the cool-down to the shared state', async () => {
    const clock = new FakeClock(T0);
    const state = new MemoryPolicyState();
    const cooldowns = new ProviderCooldowns({ clock, state });
    cooldowns.coolDown('claude', 30_000);
    await microtasks();
    expect(await state.readCooldown('claude', T0)).toBe(T0 + 30_000);
    cooldowns.close();
  });

  it("hears another instance's cool-down at once through the state's watch, without reading", async () => {
    const clock = new FakeClock(T0);
    const state = new MemoryPolicyState();
    const a = new ProviderCooldowns({ clock, state });
    const b = new ProviderCooldowns({ clock, state });
    const changes: CooldownChange[] = [];
    b.onChange((change) => changes.push(change));
    a.coolDown('claude', 45_000);
    await microtasks();
    expect(b.remainingMs('claude')).toBe(45_000);
    expect(changes).toEqual([{ provider: 'claude', untilMs: T0 + 45_000, source: 'shared', active: true }]);
    a.close();
    b.close();
  });

  it('without a watch, learns from a background refresh at most once per refreshMs, never waiting', async () => {
    const clock = new FakeClock(T0);
    const shared = unwatchable();
    const a = new ProviderCooldowns({ clock, state: shared.state });
    const b = new ProviderCooldowns({ clock, state: shared.state });
    expect(b.remainingMs('claude')).toBe(0); // b now knows about claude, and read it once
    await microtasks();
    a.coolDown('claude', 30_000);
    await microtasks();
    const readsBefore = shared.reads();
    for (let i = 0; i < 100; i++) expect(b.remainingMs('claude')).toBe(0); // within the interval: no read
    expect(shared.reads()).toBe(readsBefore);
    await clock.advance(1_000);
    expect(b.remainingMs('claude')).toBe(0); // starts the refresh; answers from what it knows now
    await microtasks();
    expect(b.remainingMs('claude')).toBe(29_000);
    expect(shared.reads()).toBe(readsBefore + 1);
    a.close();
    b.close();
  });

  it('keeps working locally when the shared state fails, and counts the failures', async () => {
    const clock = new FakeClock(T0);
    const broken: PolicyState = {
      ...unwatchable().state,
      setCooldown: () => Promise.reject(new Error('down')),
      readCooldown: () => Promise.reject(new Error('down')),
    };
    const cooldowns = new ProviderCooldowns({ clock, state: broken });
    cooldowns.coolDown('claude', 10_000);
    expect(cooldowns.remainingMs('claude')).toBe(10_000);
    await microtasks();
    expect(cooldowns.errors).toBe(2); // the write, and the refresh the read started
    cooldowns.close();
  });

  it('refuses a negative or non-finite forMs and an empty provider, naming them; 0 does nothing', () => {
    const cooldowns = new ProviderCooldowns({ clock: new FakeClock(T0), state: new MemoryPolicyState() });
    expect(() => cooldowns.coolDown('claude', -1)).toThrow(/coolDown\("claude"\).*forMs/);
    expect(() => cooldowns.coolDown('claude', Number.NaN)).toThrow(RangeError);
    expect(() => cooldowns.coolDown('', 1_000)).toThrow(/provider/);
    cooldowns.coolDown('claude', 0);
    expect(cooldowns.remainingMs('claude')).toBe(0);
    cooldowns.close();
  });

  it('close() stops the watch and every timer', async () => {
    const clock = new FakeClock(T0);
    const state = new MemoryPolicyState();
    const a = new ProviderCooldowns({ clock, state });
    const b = new ProviderCooldowns({ clock, state });
    b.coolDown('gpt', 5_000); // a hears it too: two end timers
    expect(clock.pendingSleeps).toBe(2);
    b.close();
    expect(clock.pendingSleeps).toBe(1);
    a.coolDown('claude', 30_000);
    await microtasks();
    expect(b.remainingMs('claude')).toBe(0);
    a.close();
    expect(clock.pendingSleeps).toBe(0);
  });
});
