import { describe, expect, it } from 'vitest';
import { CancelSource } from './cancel-signal.js';

describe('CancelSource', () => {
  it('calls each listener once with the reason set, and never after removal or a second cancel', () => {
    const source = new CancelSource();
    const calls: unknown[] = [];
    const a = (): void => {
      calls.push(['a', source.reason]);
    };
    const b = (): void => {
      calls.push('b');
    };
    source.addEventListener('abort', a);
    source.addEventListener('abort', b);
    source.removeEventListener('abort', b);
    source.cancel('gone');
    source.cancel('again');
    expect(source.aborted).toBe(true);
    expect(source.reason).toBe('gone');
    expect(calls).toEqual([['a', 'gone']]);
  });

  it('a throwing listener does not keep the others from hearing', () => {
    const source = new CancelSource();
    let heard = false;
    source.addEventListener('abort', () => {
      throw new Error('boom');
    });
    source.addEventListener('abort', () => {
      heard = true;
    });
    source.cancel(new Error('client left'));
    expect(heard).toBe(true);
  });
});
