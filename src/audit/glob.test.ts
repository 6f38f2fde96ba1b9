import { describe, expect, it } from 'vitest';
import { globBase, globToRegExp } from './glob.js';

describe('globToRegExp', () => {
  it.each([
    ['src/**/*.ts', 'src/a.ts', true],
    ['src/**/*.ts', 'src/api/v1/a.ts', true],
    ['src/**/*.ts', 'srcx/a.ts', false],
    ['src/*.ts', 'src/api/a.ts', false],
    ['**/*.test.ts', 'a.test.ts', true],
    ['**/*.test.ts', 'src/x/a.test.ts', true],
    ['src/**', 'src/a/b/c.js', true],
    ['./src/a?.{ts,js}', 'src/ab.js', true],
    ['src/a?.{ts,js}', 'src/ab.mjs', false],
    ['src/[!b]*.ts', 'src/b.ts', false],
    ['src/[!b]*.ts', 'src/c.ts', true],
    ['src/a.b.ts', 'src/aXb.ts', false],
  ])('%s matches %s: %s', (glob, path, expected) => {
    expect(globToRegExp(glob).test(path)).toBe(expected);
  });

  it('names the pattern when it is malformed', () => {
    expect(() => globToRegExp('src/{a,b')).toThrow('glob "src/{a,b": "{" without "}"');
    expect(() => globToRegExp('src/[ab')).toThrow('glob "src/[ab": "[" without "]"');
  });

  it('globBase: the directory a walk starts from', () => {
    expect(globBase('src/api/**/*.ts')).toBe('src/api');
    expect(globBase('**/*.ts')).toBe('');
    expect(globBase('./src/*.ts')).toBe('src');
  });
});
