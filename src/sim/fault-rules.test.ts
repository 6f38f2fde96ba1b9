import { describe, expect, it } from 'vitest';
import { FaultRuleSet, parseFaultDocument, type FaultRule } from './fault-rules.js';
import { mulberry32 } from '../model/random.js';
import { SimDocumentError } from './sim-document-error.js';

const PROVIDERS = ['anthropic', 'openai'];
const never = (): number => 0.999;
const always = (): number => 0;

function errorOf(input: unknown): string {
  try {
    parseFaultDocument(input, PROVIDERS);
  } catch (error) {
    expect(error).toBeInstanceOf(SimDocumentError);
    return (error as SimDocumentError).message;
  }
  throw new Error('expected the document to be rejected');
}

describe('fault documents', () => {
  it('accepts every documented field', () => {
    const rules: FaultRule[] = [
      { kind: 'overloaded', rate: 0.5, count: 2, retryAfterS: 3, latencyMs: 10 },
      { kind: 'mid_stream_error', afterChunks: 0 },
    ];
    expect(parseFaultDocument({ openai: rules }, PROVIDERS)).toEqual({ openai: rules });
  });

  it('names the path of the bad field', () => {
    expect(errorOf({ openai: [{ kind: 'slow' }, { kind: 'overloaded', rate: 2 }] })).toBe(
      'faults.openai[1].rate: must be ≤ 1',
    );
    expect(errorOf({ openai: [{ kind: 'overloaded', count: 0 }] })).toBe('faults.openai[0].count: must be > 0');
    expect(errorOf({ openai: [{ kind: 'overloaded', count: 1.5 }] })).toBe(
      'faults.openai[0].count: must be an integer',
    );
    expect(errorOf({ openai: [{ kind: 'overloaded', latencyMs: -1 }] })).toBe(
      'faults.openai[0].latencyMs: must be ≥ 0',
    );
    expect(errorOf({ openai: [{ rate: 1 }] })).toBe('faults.openai[0].kind: is required');
    expect(errorOf({ openai: [{ kind: 'melted' }] })).toMatch(
      /^faults\.openai\[0\]\.kind: must be one of overloaded, rate_limited/,
    );
    expect(errorOf({ openai: { kind: 'overloaded' } })).toBe('faults.openai: must be an array');
  });

  it('accepts the slow_stream fields on slow_stream only, and chunks or durationMs but not both', () => {
    const rules: FaultRule[] = [
      { kind: 'slow_stream', chunkDelayMs: 500, durationMs: 20_000 },
      { kind: 'slow_stream', chunks: 40, latencyMs: 100 },
      { kind: 'stall_stream', afterChunks: 3 },
    ];
    expect(parseFaultDocument({ openai: rules }, PROVIDERS)).toEqual({ openai: rules });
    expect(errorOf({ openai: [{ kind: 'slow', durationMs: 100 }] })).toBe(
      'faults.openai[0].durationMs: only applies to kind slow_stream (this rule is slow)',
    );
    expect(errorOf({ openai: [{ kind: 'timeout', chunkDelayMs: 5 }] })).toBe(
      'faults.openai[0].chunkDelayMs: only applies to kind slow_stream (this rule is timeout)',
    );
    expect(errorOf({ openai: [{ kind: 'slow_stream', chunks: 4, durationMs: 100 }] })).toBe(
      'faults.openai[0].durationMs: give chunks or durationMs, not both',
    );
    expect(errorOf({ openai: [{ kind: 'slow_stream', chunkDelayMs: 0 }] })).toBe(
      'faults.openai[0].chunkDelayMs: must be > 0',
    );
    expect(errorOf({ openai: [{ kind: 'slow_stream', chunks: 0 }] })).toBe('faults.openai[0].chunks: must be > 0');
  });

  it('rejects unknown keys and unknown providers by path', () => {
    expect(errorOf({ openai: [{ kind: 'overloaded', probability: 1 }] })).toBe(
      'faults.openai[0].probability: unknown key',
    );
    expect(errorOf({ mistral: [] })).toBe('faults.mistral: unknown provider (known: anthropic, openai)');
  });
});

describe('fault rule evaluation', () => {
  it('applies a count rule to exactly the next n requests, then answers normally', () => {
    const set = new FaultRuleSet([{ kind: 'overloaded', count: 2 }]);
    expect(set.decide(false, always)?.rule?.kind).toBe('overloaded');
    expect(set.decide(false, always)?.rule?.kind).toBe('overloaded');
    expect(set.decide(false, always)).toBeUndefined();
  });

  it('uses up a count even when the rate roll does not fire', () => {
    const set = new FaultRuleSet([{ kind: 'overloaded', count: 2, rate: 0.5 }]);
    expect(set.decide(false, never)).toBeUndefined();
    expect(set.decide(false, never)).toBeUndefined();
    expect(set.remainingCounts()).toEqual([0]);
    expect(set.decide(false, always)).toBeUndefined();
  });

  it('fires a rate rule reproducibly for the same seed', () => {
    const outcomes = (seed: number): boolean[] => {
      const set = new FaultRuleSet([{ kind: 'server_error', rate: 0.3 }]);
      const random = mulberry32(seed);
      return Array.from({ length: 200 }, () => set.decide(false, random) !== undefined);
    };
    const first = outcomes(7);
    expect(outcomes(7)).toEqual(first);
    expect(outcomes(8)).not.toEqual(first);
    const fired = first.filter(Boolean).length;
    expect(fired).toBeGreaterThan(40);
    expect(fired).toBeLessThan(80);
  });

  it('does not roll the PRNG for certain rules', () => {
    let rolls = 0;
    const set = new FaultRuleSet([{ kind: 'slow', latencyMs: 5 }, { kind: 'overloaded' }]);
    set.decide(false, () => {
      rolls += 1;
      return 0;
    });
    expect(rolls).toBe(0);
  });

  it('adds slow latency and lets the next firing rule decide', () => {
    const set = new FaultRuleSet([
      { kind: 'slow', latencyMs: 300 },
      { kind: 'slow' },
      { kind: 'rate_limited', latencyMs: 50, retryAfterS: 2 },
    ]);
    expect(set.decide(false, always)).toEqual({
      rule: { kind: 'rate_limited', latencyMs: 50, retryAfterS: 2 },
      latencyMs: 2350,
    });
  });

  it('answers normally after a slow rule when nothing else fires', () => {
    const set = new FaultRuleSet([{ kind: 'slow', latencyMs: 100 }]);
    expect(set.decide(false, always)).toEqual({ rule: undefined, latencyMs: 100 });
  });

  it('stops at the first firing rule', () => {
    const set = new FaultRuleSet([{ kind: 'auth' }, { kind: 'overloaded', count: 1 }]);
    expect(set.decide(false, always)?.rule?.kind).toBe('auth');
    expect(set.remainingCounts()).toEqual([undefined, 1]);
  });

  it('applies stream-only kinds to streams and lets other requests pass without using their count', () => {
    const set = new FaultRuleSet([
      { kind: 'mid_stream_error', count: 1 },
      { kind: 'truncated_stream', count: 1 },
    ]);
    expect(set.decide(false, always)).toBeUndefined();
    expect(set.remainingCounts()).toEqual([1, 1]);
    expect(set.decide(true, always)?.rule?.kind).toBe('mid_stream_error');
    expect(set.decide(true, always)?.rule?.kind).toBe('truncated_stream');
    expect(set.decide(true, always)).toBeUndefined();
  });

  it('lets slow_stream decide the outcome for streams and non-streams alike, after earlier slow rules', () => {
    const set = new FaultRuleSet([
      { kind: 'slow', latencyMs: 100 },
      { kind: 'slow_stream', durationMs: 1000, latencyMs: 20 },
      { kind: 'overloaded' },
    ]);
    expect(set.decide(true, always)).toEqual({
      rule: { kind: 'slow_stream', durationMs: 1000, latencyMs: 20 },
      latencyMs: 120,
    });
    expect(set.decide(false, always)?.rule?.kind).toBe('slow_stream');
  });

  it('applies stall_stream to streams only', () => {
    const set = new FaultRuleSet([{ kind: 'stall_stream', count: 1 }]);
    expect(set.decide(false, always)).toBeUndefined();
    expect(set.decide(true, always)?.rule?.kind).toBe('stall_stream');
    expect(set.decide(true, always)).toBeUndefined();
  });

  it('expresses "usually 100 ms, 5x that on 10 % of requests" with two slow rules', () => {
    const set = new FaultRuleSet([
      { kind: 'slow', latencyMs: 100 },
      { kind: 'slow', latencyMs: 400, rate: 0.1 },
    ]);
    const random = mulberry32(11);
    const latencies = Array.from({ length: 2000 }, (_, i) => set.decide(i % 2 === 0, random)?.latencyMs);
    expect(new Set(latencies)).toEqual(new Set([100, 500]));
    const slowShare = latencies.filter((ms) => ms === 500).length / latencies.length;
    expect(slowShare).toBeGreaterThan(0.08);
    expect(slowShare).toBeLessThan(0.12);
  });
});
