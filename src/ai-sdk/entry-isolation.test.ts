/**
 * The AI SDK is an optional peer: `failsoft` must work without `ai` or `@ai-sdk/provider` installed, so nothing
 * reachable from the root entry may import them (or this folder). Read from the sources' import statements.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const src = resolve(here, '..');
const IMPORT = /(?:^|\s)(?:import|export)\s(?:[^'"]*?\sfrom\s)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((match) => match[1] ?? match[2] ?? '');
}

/** Every source file reachable from `entry` through relative imports, and the packages they import. */
function graph(entry: string): { files: Set<string>; packages: Map<string, string> } {
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    for (const specifier of specifiers(file)) {
      if (specifier.startsWith('.')) pending.push(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else packages.set(specifier, file);
    }
  }
  return { files, packages };
}

const isAISDK = (name: string): boolean => name === 'ai' || name.startsWith('ai/') || name.startsWith('@ai-sdk/');

describe('failsoft/ai-sdk stays optional', () => {
  it('nothing reachable from the root entry imports the AI SDK or src/ai-sdk', () => {
    const { files, packages } = graph(join(src, 'index.ts'));
    expect(files.size).toBeGreaterThan(20);
    expect([...files].filter((file) => file.startsWith(here))).toEqual([]);
    expect([...packages].filter(([name]) => isAISDK(name))).toEqual([]);
  });

  it('failsoft/ai-sdk itself needs only @ai-sdk/provider (`ai` is for the app, and these tests)', () => {
    const { packages } = graph(join(here, 'index.ts'));
    expect([...packages.keys()].filter(isAISDK)).toEqual(['@ai-sdk/provider']);
  });
});
