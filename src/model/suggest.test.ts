import { describe, expect, it } from 'vitest';
import { closestName, editDistance } from './suggest.js';

describe('did you mean', () => {
  it('measures edits', () => {
    expect(editDistance('gtp', 'gpt')).toBe(2);
    expect(editDistance('fallbak', 'fallback')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('names the closest known name within two edits, else nothing', () => {
    expect(closestName('fallbak', ['tier', 'route', 'fallback'])).toBe('fallback');
    expect(closestName('polices', ['providers', 'policies', 'features'])).toBe('policies');
    expect(closestName('banana', ['tier', 'route'])).toBeUndefined();
    expect(closestName('x', [])).toBeUndefined();
  });
});
