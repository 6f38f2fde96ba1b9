import { describe, expect, it } from 'vitest';
import {
  ERROR_CLASSES,
  OverloadedError,
  ProviderError,
  RateLimitedError,
  TimeoutError,
  providerError,
  type ErrorClass,
} from './errors.js';

describe('provider error checks', () => {
  it('each subclass recognises its own taxonomy class only; ProviderError recognises them all', () => {
    const overloaded = providerError({ class: 'overloaded', message: 'busy', provider: 'claude', status: 529 });
    expect(OverloadedError.isInstance(overloaded)).toBe(true);
    expect(RateLimitedError.isInstance(overloaded)).toBe(false);
    expect(TimeoutError.isInstance(overloaded)).toBe(false);
    expect(ProviderError.isInstance(overloaded)).toBe(true);
    expect(RateLimitedError.isInstance(new Error('x'))).toBe(false);
    expect(RateLimitedError.isInstance(undefined)).toBe(false);
  });

  it('works across copies of the package: a look-alike from another copy (same registered symbol) is recognised by its class', () => {
    const copy = {
      [Symbol.for('failsoft.provider-error')]: true,
      class: 'rate_limited' as ErrorClass,
      message: 'slow down',
    };
    const mark = Object.getOwnPropertySymbols(providerError({ class: 'timeout', message: 't', provider: 'p' })).map(
      String,
    );
    expect(mark).toContain('Symbol(failsoft.provider-error)');
    expect(RateLimitedError.isInstance(copy)).toBe(true);
    expect(OverloadedError.isInstance(copy)).toBe(false);
  });

  it('providerError builds the subclass of every class', () => {
    for (const errorClass of ERROR_CLASSES) {
      const error = providerError({ class: errorClass, message: errorClass, provider: 'p' });
      expect(error.class).toBe(errorClass);
      expect(error).toBeInstanceOf(ProviderError);
    }
  });
});
