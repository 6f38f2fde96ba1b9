import { describe, expect, it } from 'vitest';
import { FakeClock } from '../model/fake-clock.js';
import { ProviderLimits, parseLimitsDocument } from './provider-limits.js';
import { SimDocumentError } from './sim-document-error.js';

const demand = (inputTokens: number, maxOutputTokens = 100): { inputTokens: number; maxOutputTokens: number } => ({
  inputTokens,
  maxOutputTokens,
});

describe('ProviderLimits admission', () => {
  it('refuses the request that exceeds rpm and admits again after refill', async () => {
    const clock = new FakeClock(0);
    const limits = new ProviderLimits({ rpm: 2 }, clock);
    expect(limits.admit(demand(1))).toBeUndefined();
    expect(limits.admit(demand(1))).toBeUndefined();
    expect(limits.admit(demand(1))).toEqual({ dimension: 'requests', limit: 2, requested: 1, retryAfterMs: 30_000 });
    await clock.advance(30_000);
    expect(limits.admit(demand(1))).toBeUndefined();
  });

  it('takes nothing from any bucket when one refuses (all-or-nothing)', () => {
    const limits = new ProviderLimits({ rpm: 10, itpm: 1000 }, new FakeClock(0));
    expect(limits.admit(demand(1500))).toMatchObject({ dimension: 'input_tokens', requested: 1500 });
    expect(limits.snapshot().requests?.remaining).toBe(10);
    expect(limits.snapshot().inputTokens?.remaining).toBe(1000);
  });

  it('reserves input + max output on tpm and refunds the unused output', () => {
    const limits = new ProviderLimits({ tpm: 1000 }, new FakeClock(0));
    const request = demand(100, 400);
    expect(limits.admit(request)).toBeUndefined();
    expect(limits.snapshot().tokens?.remaining).toBe(500);
    limits.settle(request, 50);
    expect(limits.snapshot().tokens?.remaining).toBe(850);
    expect(limits.admit(demand(600, 400))).toMatchObject({ dimension: 'tokens', requested: 1000 });
  });

  it('charges actual output to otpm after the answer, lets it go negative, and refuses until it refills', async () => {
    const clock = new FakeClock(0);
    const limits = new ProviderLimits({ otpm: 60 }, clock);
    const request = demand(10, 500);
    expect(limits.admit(request)).toBeUndefined();
    limits.settle(request, 90);
    expect(limits.snapshot().outputTokens).toEqual({ limit: 60, remaining: 0, resetMs: 90_000 });
    expect(limits.admit(request)).toEqual({
      dimension: 'output_tokens',
      limit: 60,
      requested: 1,
      retryAfterMs: 31_000,
    });
    await clock.advance(31_000);
    expect(limits.admit(request)).toBeUndefined();
  });

  it('reports limit, floored remaining and time until full per configured dimension', async () => {
    const clock = new FakeClock(0);
    const limits = new ProviderLimits({ rpm: 60, itpm: 6000 }, clock);
    limits.admit(demand(3000));
    await clock.advance(500);
    expect(limits.snapshot()).toEqual({
      requests: { limit: 60, remaining: 59, resetMs: 500 },
      inputTokens: { limit: 6000, remaining: 3050, resetMs: 29_500 },
    });
  });
});

describe('limits documents', () => {
  const errorOf = (input: unknown): string => {
    try {
      parseLimitsDocument(input, ['anthropic', 'openai']);
    } catch (error) {
      expect(error).toBeInstanceOf(SimDocumentError);
      return (error as SimDocumentError).message;
    }
    throw new Error('expected the document to be rejected');
  };

  it('accepts limits and null removals', () => {
    expect(
      parseLimitsDocument({ anthropic: { rpm: 50, itpm: 40000, otpm: 8000 }, openai: null }, ['anthropic', 'openai']),
    ).toEqual({
      anthropic: { rpm: 50, itpm: 40000, otpm: 8000 },
      openai: null,
    });
  });

  it('names the path of the bad field', () => {
    expect(errorOf({ anthropic: { rpm: 0 } })).toBe('limits.anthropic.rpm: must be > 0');
    expect(errorOf({ anthropic: { rpm: '50' } })).toBe('limits.anthropic.rpm: must be a number');
    expect(errorOf({ anthropic: { rpm: 5, rpd: 10 } })).toBe('limits.anthropic.rpd: unknown key');
    expect(errorOf({ anthropic: {} })).toBe('limits.anthropic: must set at least one of rpm, itpm, otpm, tpm');
    expect(errorOf({ cohere: { rpm: 5 } })).toBe('limits.cohere: unknown provider (known: anthropic, openai)');
    expect(errorOf([])).toBe('limits: must be an object');
  });
});
