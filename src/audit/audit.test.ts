/**
 * The audit over the fixture projects in __fixtures__ (ESM, CommonJS, TypeScript with tsconfig paths, barrels
 * and a self-referencing package `exports`): the exact shortest chain for each critical file, type-only imports
 * not counted, ignore comments honoured, warnings for what cannot be followed. And failsoft's own src/model,
 * which must never reach an AI client.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runAudit } from './audit.js';
import { selectFiles } from './source-files.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./__fixtures__/${name}`, import.meta.url));

function audit(name: string, critical: string[], options: { ignore?: string[]; allow?: string[] } = {}) {
  const root = fixture(name);
  const selected = selectFiles(root, critical, options.ignore ?? []);
  expect(selected.problems).toEqual([]);
  return runAudit({ root, critical: selected.files, ...options });
}

const chains = (result: ReturnType<typeof runAudit>): string[] => result.violations.map((v) => v.chain.join(' → '));

describe('runAudit on an ESM project', () => {
  it('reports the chain from a login handler to openai, through a helper', () => {
    const result = audit('esm', ['src/api/login.js']);
    expect(result.violations).toEqual([
      { chain: ['src/api/login.js', 'src/lib/notify.js', 'openai'], client: 'openai', kind: 'import' },
    ]);
    expect(result.files).toBe(3);
  });

  it('follows import() with a literal specifier', () => {
    expect(chains(audit('esm', ['src/api/report.js']))).toEqual([
      'src/api/report.js → src/lib/summarize.js → @anthropic-ai/sdk',
    ]);
  });

  it('reports a provider host written literally in a fetch, as kind host', () => {
    const result = audit('esm', ['src/api/pay.js']);
    expect(result.violations).toEqual([
      { chain: ['src/api/pay.js', 'src/lib/raw-call.js', 'api.openai.com'], client: 'api.openai.com', kind: 'host' },
    ]);
  });

  it('an ignore comment on the line above exempts that import, and its reason is kept', () => {
    const result = audit('esm', ['src/api/search.js']);
    expect(result.violations).toEqual([]);
    expect(result.ignored).toEqual([
      {
        file: 'src/api/search.js',
        line: 3,
        specifier: '../lib/rerank.js',
        reason: 'reranking is optional, behind a kill switch; search answers from keywords without it',
      },
    ]);
  });

  it('failsoft itself is an AI client, failsoft/testing is not', () => {
    expect(chains(audit('esm', ['src/api/quote.js']))).toEqual(['src/api/quote.js → failsoft']);
    expect(audit('esm', ['src/api/health.js']).violations).toEqual([]);
  });

  it('a file that fails to parse is reported with its line, and its imports before the error still count', () => {
    const result = audit('esm', ['src/api/broken.js']);
    expect(chains(result)).toEqual(['src/api/broken.js → @google/genai']);
    expect(result.warnings).toEqual([
      { file: 'src/api/broken.js', line: 5, message: expect.stringMatching(/^cannot parse: /) },
    ]);
  });

  it('an import that does not resolve is a warning with its line, not a silent skip', () => {
    const result = audit('esm', ['src/api/stale.js']);
    expect(result.violations).toEqual([]);
    expect(result.warnings).toEqual([
      {
        file: 'src/api/stale.js',
        line: 2,
        message: expect.stringMatching(/^cannot resolve "\.\.\/lib\/removed\.js": not followed/),
      },
    ]);
  });

  it('several critical files at once: one violation per (critical file, client) pair, files read once', () => {
    const result = audit('esm', ['src/api/*.js', '!src/api/{broken,stale}.js']);
    expect(chains(result)).toEqual([
      'src/api/login.js → src/lib/notify.js → openai',
      'src/api/pay.js → src/lib/raw-call.js → api.openai.com',
      'src/api/quote.js → failsoft',
      'src/api/report.js → src/lib/summarize.js → @anthropic-ai/sdk',
    ]);
    expect(result.critical).toEqual([
      'src/api/health.js',
      'src/api/login.js',
      'src/api/pay.js',
      'src/api/quote.js',
      'src/api/report.js',
      'src/api/search.js',
    ]);
    expect(result.files).toBe(11);
  });

  it('allow: a client the project declares harmless is not reported', () => {
    expect(
      audit('esm', ['src/api/login.js', 'src/api/report.js'], { allow: ['openai', '@anthropic-ai/*'] }).violations,
    ).toEqual([]);
  });

  it('ignore: a file matching an ignore glob is not walked into', () => {
    expect(audit('esm', ['src/api/login.js'], { ignore: ['src/lib/notify.js'] }).violations).toEqual([]);
  });
});

describe('runAudit on a CommonJS project', () => {
  it('follows require() of extensionless and .cjs files to a require() inside a function', () => {
    expect(audit('cjs', ['src/login.js']).violations).toEqual([
      { chain: ['src/login.js', 'src/mailer.cjs', 'groq-sdk'], client: 'groq-sdk', kind: 'import' },
    ]);
  });

  it('a require() of a computed name is a warning with its line, not a silent skip', () => {
    const result = audit('cjs', ['src/status.js']);
    expect(result.violations).toEqual([]);
    expect(result.warnings).toEqual([
      { file: 'src/status.js', line: 4, message: 'require() of a computed specifier: not followed' },
    ]);
  });
});

describe('runAudit on a TypeScript project', () => {
  it('resolves tsconfig paths and .js → .ts, through a re-export and an export * barrel', () => {
    expect(chains(audit('ts-paths', ['src/api/login.ts']))).toEqual([
      'src/api/login.ts → src/lib/notify.ts → src/lib/barrel/index.ts → src/lib/barrel/openai-client.ts → openai',
    ]);
  });

  it('type-only imports and re-exports do not count (import type, all-type specifiers, export type)', () => {
    const result = audit('ts-paths', ['src/api/types-only.ts']);
    expect(result.violations).toEqual([]);
    expect(result.files).toBe(2); // types-only.ts and session.ts: ai-types.ts is never entered
  });

  it("resolves a package's own exports map (self-reference)", () => {
    expect(chains(audit('ts-paths', ['src/api/signup.ts']))).toEqual([
      'src/api/signup.ts → src/lib/mailer.ts → @google/genai',
    ]);
  });

  it('the shortest chain wins, even when a longer one comes first in source order', () => {
    expect(chains(audit('ts-paths', ['src/api/admin.ts']))).toEqual([
      'src/api/admin.ts → src/lib/barrel/openai-client.ts → openai',
    ]);
  });
});

describe("failsoft's own source", () => {
  it('src/model (tests excluded) reaches no AI client', () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const selected = selectFiles(root, ['src/model/**/*.ts', '!**/*.test.ts', '!**/*.test-helper.ts'], []);
    expect(selected.files.length).toBeGreaterThan(5);
    const result = runAudit({ root, critical: selected.files });
    expect(result.violations).toEqual([]);
    expect(result.warnings).toEqual([]);
  });
});
