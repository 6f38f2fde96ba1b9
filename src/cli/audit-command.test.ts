/**
 * `failsoft audit` as a command: exit 1 with the chains, 0 when clean, 2 on bad input (with what was wrong);
 * --json for CI; critical files from the config's audit section; and once as a child process through main.ts.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAuditCli } from './audit-command.js';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const ESM = fileURLToPath(new URL('../audit/__fixtures__/esm', import.meta.url));

function capture(): { io: { out(line: string): void; err(line: string): void }; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (line) => out.push(line), err: (line) => err.push(line) }, out, err };
}

async function run(argv: string[], cwd = ESM): Promise<{ code: number; out: string[]; err: string[] }> {
  const { io, out, err } = capture();
  const code = await runAuditCli(argv, io, cwd, {});
  return { code, out, err };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'failsoft-audit-'));
  mkdirSync(join(dir, 'src/api'), { recursive: true });
  writeFileSync(
    join(dir, 'src/api/login.ts'),
    "import { hint } from '../hint.js';\nexport const login = () => hint();\n",
  );
  writeFileSync(join(dir, 'src/api/login.test.ts'), "import OpenAI from 'openai';\n");
  writeFileSync(join(dir, 'src/hint.ts'), "import OpenAI from 'openai';\nexport const hint = () => new OpenAI();\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('failsoft audit (in process)', () => {
  it('exit 1: a summary line, then each violation as its chain', async () => {
    const { code, out, err } = await run(['src/api/login.js', 'src/api/pay.js']);
    expect(code).toBe(1);
    expect(out[0]).toMatch(
      /^failsoft audit: 2 violations: tier-1 code reaches an AI client from 2 critical files \(5 files read, \d+ ms\)$/,
    );
    expect(out.slice(1)).toEqual([
      '  src/api/login.js → src/lib/notify.js → openai',
      '  src/api/pay.js → src/lib/raw-call.js → api.openai.com (API host written literally)',
    ]);
    expect(err).toEqual([]);
  });

  it('exit 0 when nothing is reached; exemptions are printed with their reason', async () => {
    const { code, out } = await run(['src/api/search.js', 'src/api/health.js']);
    expect(code).toBe(0);
    expect(out).toEqual([
      expect.stringMatching(
        /^failsoft audit: OK, no AI client reachable from 2 critical files \(4 files read, \d+ ms\)$/,
      ),
      'exempted by failsoft-audit-ignore (1):',
      '  src/api/search.js:3 ../lib/rerank.js: reranking is optional, behind a kill switch; search answers from keywords without it',
    ]);
  });

  it('--json: critical, violations, ignored, warnings, files, ms', async () => {
    const { code, out } = await run(['--json', 'src/api/{login,search,broken}.js']);
    expect(code).toBe(1);
    expect(JSON.parse(out.join('\n'))).toEqual({
      critical: ['src/api/broken.js', 'src/api/login.js', 'src/api/search.js'],
      violations: [
        { chain: ['src/api/broken.js', '@google/genai'], client: '@google/genai', kind: 'import' },
        { chain: ['src/api/login.js', 'src/lib/notify.js', 'openai'], client: 'openai', kind: 'import' },
      ],
      ignored: [
        {
          file: 'src/api/search.js',
          line: 3,
          specifier: '../lib/rerank.js',
          reason: 'reranking is optional, behind a kill switch; search answers from keywords without it',
        },
      ],
      warnings: [{ file: 'src/api/broken.js', line: 5, message: expect.stringMatching(/^cannot parse: /) }],
      files: 6,
      ms: expect.any(Number),
    });
  });

  it('warnings go to stderr as file:line; a pattern matching nothing is one', async () => {
    const { code, err } = await run(['src/api/broken.js', 'src/nope/*.js']);
    expect(code).toBe(1);
    expect(err).toEqual([
      'warning: src/nope/*.js: matched no file',
      expect.stringMatching(/^warning: src\/api\/broken\.js:5: cannot parse: /),
    ]);
  });

  it('critical files from the audit section of failsoft.yaml in the root; ignore keeps tests out', async () => {
    writeFileSync(join(dir, 'failsoft.yaml'), "audit:\n  critical: ['src/api/**/*.ts']\n  ignore: ['**/*.test.ts']\n");
    const { code, out } = await run(['--json'], dir);
    expect(code).toBe(1);
    const report = JSON.parse(out.join('\n')) as { critical: string[]; violations: unknown[] };
    expect(report.critical).toEqual(['src/api/login.ts']);
    expect(report.violations).toEqual([
      { chain: ['src/api/login.ts', 'src/hint.ts', 'openai'], client: 'openai', kind: 'import' },
    ]);
  });

  it('--root and --config are taken from the working directory; allow silences a client', async () => {
    const config = join(dir, 'allow.yaml');
    writeFileSync(config, "audit:\n  critical: ['src/api/login.ts']\n  allow: ['openai']\n");
    const { code } = await run(['--root', dir, '--config', config], '/');
    expect(code).toBe(0);
  });

  it.each([
    [['--nope'], "Unknown option '--nope'"],
    [['--root', '/definitely/not/here', 'a.ts'], '--root /definitely/not/here: not a readable directory'],
    [['src/api/missing.js'], 'src/api/missing.js: cannot read (ENOENT)'],
    [['package.json'], 'package.json: not a JS/TS source file'],
    [['src/none/**/*.ts'], 'no critical files matched "src/none/**/*.ts"'],
    [['src/{api/*.js'], 'glob "src/{api/*.js": "{" without "}"'],
    [[], 'no critical files: pass files or globs'],
  ])('exit 2 on bad input %j: says what was wrong', async (argv, message) => {
    const { code, out, err } = await run(argv);
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err[0]).toContain(message);
    expect(err[1]).toBe("Run 'failsoft help audit' for usage.");
  });

  it('exit 2 on an invalid config: a misspelt audit key gets "did you mean"', async () => {
    const config = join(dir, 'typo.yaml');
    writeFileSync(config, "audit:\n  critcal: ['src/api/login.ts']\n");
    const { code, err } = await run(['--config', config, 'src/api/login.ts'], dir);
    expect(code).toBe(2);
    expect(err[0]).toContain('audit.critcal');
    expect(err[0]).toContain('did you mean "critical"');
  });

  it('exit 2 when the tsconfig.json cannot be loaded, rather than warnings and a pass', async () => {
    const project = join(dir, 'bad-tsconfig');
    mkdirSync(join(project, 'src'), { recursive: true });
    writeFileSync(join(project, 'tsconfig.json'), '{ "compilerOptions": {');
    writeFileSync(join(project, 'src/a.ts'), "import { b } from './b.js';\nexport const a = b;\n");
    writeFileSync(join(project, 'src/b.ts'), 'export const b = 1;\n');
    const { code, err } = await run(['--root', project, 'src/a.ts'], dir);
    expect(code).toBe(2);
    expect(err[0]).toMatch(
      /^failsoft audit: cannot resolve imports of src\/a\.ts: Failed to load tsconfig .+tsconfig\.json/,
    );
  });

  it('exit 2 when the config file cannot be read', async () => {
    const { code, err } = await run(['--config', join(dir, 'absent.yaml'), 'src/api/login.ts'], dir);
    expect(code).toBe(2);
    expect(err[0]).toContain('cannot read');
  });
});

describe('failsoft audit (child process)', () => {
  it('main.ts dispatches it: exit 1 and the chain on stdout', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'audit', '--root', ESM, 'src/api/report.js'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(1);
    expect(stdout).toContain('  src/api/report.js → src/lib/summarize.js → @anthropic-ai/sdk\n');
  });
});
