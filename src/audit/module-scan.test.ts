/**
 * What one file contributes to the audit, from its source: which imports carry values, which are type-only,
 * where ignore comments apply, and which string literals name a provider's API host.
 */
import { describe, expect, it } from 'vitest';
import { scanModule } from './module-scan.js';

const specifiers = (path: string, text: string): string[] =>
  scanModule(path, text).imports.map((site) => site.specifier);

describe('scanModule: imports', () => {
  it('static imports, side-effect imports, re-exports and export * carry values', () => {
    const text = [
      "import OpenAI from 'openai';",
      "import './polyfill.js';",
      "export { a } from './a.js';",
      "export * from './b.js';",
      "export * as c from './c.js';",
    ].join('\n');
    expect(scanModule('x.ts', text).imports).toEqual([
      { specifier: 'openai', kind: 'import', line: 1 },
      { specifier: './polyfill.js', kind: 'import', line: 2 },
      { specifier: './a.js', kind: 'import', line: 3 },
      { specifier: './b.js', kind: 'import', line: 4 },
      { specifier: './c.js', kind: 'import', line: 5 },
    ]);
  });

  it('type-only imports and re-exports are erased, a mixed one is not', () => {
    const text = [
      "import type OpenAI from 'openai';",
      "import { type A, type B } from '@anthropic-ai/sdk';",
      "export type { C } from '@google/genai';",
      "export type * from 'ai';",
      "export { type D } from 'langchain';",
      "import { type E, F } from 'cohere-ai';",
    ].join('\n');
    expect(specifiers('x.ts', text)).toEqual(['cohere-ai']);
  });

  it('import() and require() with a literal (string or plain template), import x = require()', () => {
    const text = [
      "const a = await import('openai');",
      'const b = await import(`ai`);',
      "const c = require('groq-sdk');",
      "import d = require('cohere-ai');",
      "import type e = require('llamaindex');",
    ].join('\n');
    expect(scanModule('x.ts', text).imports).toEqual([
      { specifier: 'openai', kind: 'import', line: 1 },
      { specifier: 'ai', kind: 'import', line: 2 },
      { specifier: 'groq-sdk', kind: 'require', line: 3 },
      { specifier: 'cohere-ai', kind: 'require', line: 4 },
    ]);
  });

  it('computed import() and require() are warnings with their line; "required" in prose is no call', () => {
    const text = [
      '// a key is required (see docs)',
      'const name = "x";',
      'await import(name);',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
      'require(`${name}`);',
      "obj.require('openai');",
    ].join('\n');
    const scan = scanModule('x.js', text);
    expect(scan.imports).toEqual([]);
    expect(scan.problems).toEqual([
      { line: 3, message: 'import() of a computed specifier: not followed' },
      { line: 4, message: 'require() of a computed specifier: not followed' },
    ]);
  });

  it('a parse error is a problem with its line; static imports before it are kept', () => {
    const scan = scanModule('x.ts', "import OpenAI from 'openai';\n\nconst x = ;\n");
    expect(scan.imports.map((site) => site.specifier)).toEqual(['openai']);
    expect(scan.problems).toEqual([
      {
        line: 3,
        message: expect.stringMatching(/^cannot parse: .+ \(only the static imports before it were followed\)$/),
      },
    ]);
  });
});

describe('scanModule: generated code', () => {
  it('an expression nested 20,000 deep is walked without exhausting the stack', () => {
    const sum = Array.from({ length: 20_000 }, (_, i) => `a${i}`).join(' + ');
    const scan = scanModule(
      'bundle.js',
      `const x = ${sum};\nrequire('openai');\nfetch('https://api.openai.com/v1');\n`,
    );
    expect(scan.imports).toEqual([{ specifier: 'openai', kind: 'require', line: 2 }]);
    expect(scan.hosts).toEqual([{ host: 'api.openai.com', line: 3 }]);
  });
});

describe('scanModule: failsoft-audit-ignore', () => {
  it('on the same line (trailing), alone on the line above, or in a block comment', () => {
    const text = [
      "import OpenAI from 'openai'; // failsoft-audit-ignore: admin tool only",
      '// failsoft-audit-ignore: behind a kill switch',
      "import { generateText } from 'ai';",
      "/* failsoft-audit-ignore: lazy, feature-flagged */ const m = await import('@google/genai');",
      "import Groq from 'groq-sdk';",
    ].join('\n');
    expect(scanModule('x.ts', text).imports).toEqual([
      { specifier: 'openai', kind: 'import', line: 1, ignored: 'admin tool only' },
      { specifier: 'ai', kind: 'import', line: 3, ignored: 'behind a kill switch' },
      { specifier: '@google/genai', kind: 'import', line: 4, ignored: 'lazy, feature-flagged' },
      { specifier: 'groq-sdk', kind: 'import', line: 5 },
    ]);
  });

  it("a trailing comment does not reach the next line's import; a multi-line import takes a comment on its last line", () => {
    const text = [
      "import a from './a.js'; // failsoft-audit-ignore: only a",
      "import OpenAI from 'openai';",
      'import {',
      '  generateText,',
      "} from 'ai'; // failsoft-audit-ignore: multi-line",
    ].join('\n');
    expect(scanModule('x.ts', text).imports.map((site) => [site.specifier, site.ignored])).toEqual([
      ['./a.js', 'only a'],
      ['openai', undefined],
      ['ai', 'multi-line'],
    ]);
  });

  it('without a reason it exempts nothing and says so', () => {
    const scan = scanModule('x.ts', "// failsoft-audit-ignore\nimport OpenAI from 'openai';\n");
    expect(scan.imports).toEqual([{ specifier: 'openai', kind: 'import', line: 2 }]);
    expect(scan.problems).toEqual([{ line: 1, message: expect.stringContaining('without a reason') }]);
  });
});

describe('scanModule: provider hosts in string literals', () => {
  it('finds hosts in strings and templates (any case), with lines; an ignore comment exempts one', () => {
    const text = [
      "const a = 'https://API.OpenAI.com/v1';",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
      'const b = `https://api.anthropic.com/v1/messages?x=${1}`;',
      '// failsoft-audit-ignore: a link in the admin page',
      "const c = 'https://generativelanguage.googleapis.com';",
      "const d = 'https://example.com/api.openai.com.html'.length;",
    ].join('\n');
    expect(scanModule('x.ts', text).hosts).toEqual([
      { host: 'api.openai.com', line: 1 },
      { host: 'api.anthropic.com', line: 2 },
      { host: 'generativelanguage.googleapis.com', line: 4, ignored: 'a link in the admin page' },
      { host: 'api.openai.com', line: 5 },
    ]);
  });

  it('hosts in comments do not count; allowed hosts are not reported', () => {
    expect(scanModule('x.ts', '// calls https://api.openai.com someday\nexport const x = 1;\n').hosts).toEqual([]);
    expect(scanModule('x.ts', "fetch('https://api.openai.com/v1');", ['api.openai.com']).hosts).toEqual([]);
  });
});
