import { describe, expect, it } from 'vitest';
import { CancelSource } from '../model/cancel-signal.js';
import { ProviderError, providerError } from '../model/errors.js';
import { streamReadFailure } from './stream-failure.js';

describe('streamReadFailure', () => {
  it('gives the signal reason when the attempt was cancelled, whatever broke', () => {
    const source = new CancelSource();
    const reason = new Error('another attempt won');
    source.cancel(reason);
    expect(streamReadFailure(new Error('socket closed'), { provider: 'p', model: 'm', signal: source })).toBe(reason);
  });

  it('classifies a broken connection as an in-stream network error of this provider and model', () => {
    const reset = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    const error = streamReadFailure(reset, { provider: 'claude', model: 'm-1' });
    expect(ProviderError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      class: 'network',
      provider: 'claude',
      model: 'm-1',
      code: 'UND_ERR_SOCKET',
      inStream: true,
    });
  });

  it('a body timeout is a timeout', () => {
    const timeout = Object.assign(new Error('Body Timeout Error'), { code: 'UND_ERR_BODY_TIMEOUT' });
    expect(streamReadFailure(timeout, { provider: 'p', model: 'm' })).toMatchObject({
      class: 'timeout',
      inStream: true,
    });
  });

  it('keeps a classified error, marked in-stream, with its status and delay', () => {
    const overloaded = providerError({
      class: 'overloaded',
      message: 'busy',
      provider: 'p',
      model: 'm',
      status: 529,
      retryAfterMs: 2_000,
    });
    expect(streamReadFailure(overloaded, { provider: 'p', model: 'm' })).toMatchObject({
      class: 'overloaded',
      status: 529,
      retryAfterMs: 2_000,
      inStream: true,
    });
  });
});
