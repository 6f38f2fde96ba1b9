import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as root from './index.js';
import * as redisEntry from './redis.js';

/**
 * The package's entry points: what the root entry exports (a deliberate list: adding a name means changing
 * this one), and what each entry loads. `import 'failsoft'` must not load `ioredis` (≈ 20 MB resident), nor
 * the store's drivers, the gateway's `prom-client` or the AI SDK; only `failsoft/redis` loads `ioredis`, and the
 * engine only on first use when `REDIS_URL` is set.
 */
const ROOT_EXPORTS = [
  'AIUnavailableError',
  'AuthError',
  'BadRequestError',
  'CancelSource',
  'ConfigError',
  'ContentFilterError',
  'ContextLengthError',
  'ERROR_CLASSES',
  'ERROR_POLICY',
  'Failsoft',
  'FailsoftError',
  'FallbackPolicyState',
  'MemoryPolicyState',
  'NetworkError',
  'NotFoundError',
  'OverloadedError',
  'ProviderError',
  'QuotaExhaustedError',
  'RateLimitedError',
  'RequestError',
  'ServerError',
  'TierError',
  'TimeoutError',
  'UnknownFeatureError',
  'createAdapter',
  'createFailsoft',
  'describeEvent',
  'leadSentences',
  'loadConfigFile',
  'providerError',
  'resolveConfig',
  'textFallback',
];

/** Internals that once leaked through `export *`: helpers of one layer, test tools, the Redis backend. */
const INTERNALS = [
  'mulberry32',
  'zodIssues',
  'formatPath',
  'markInStream',
  'throwIfCancelled',
  'retryAfterSeconds',
  'estimateTokens',
  'estimateInputTokens',
  'addUsage',
  'isContentEvent',
  'contentText',
  'systemClock',
  'FakeClock',
  'RedisPolicyState',
  'LazyRedisPolicyState',
  'probeTarget',
  'ENGINE_PROBE_DEADLINE_MS',
  'DEFAULT_MAX_OUTPUT_TOKENS',
  'Switches',
  'EventBus',
  'refilledLevel',
  'msUntilLevel',
];

const SRC = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(SRC, '..');
const run = promisify(execFile);

/**
 * Imports one entry in a fresh Node (TypeScript through tsx, as a clean clone has it) with a resolve hook
 * that refuses the `blocked` packages, then prints the entry's export names. A refused package fails the
 * import with `BLOCKED <package> imported by <file>`, naming who pulled it in.
 */
const PROBE = `
import { register } from 'node:module';
const { entry, blocked, engineWithRedis } = JSON.parse(process.argv[2]);
const hook = 'const BLOCKED = ' + JSON.stringify(blocked) + ';' + \`
export async function resolve(specifier, context, next) {
  if (BLOCKED.some((b) => specifier === b || specifier.startsWith(b + '/'))) {
    throw new Error('BLOCKED ' + specifier + ' imported by ' + context.parentURL);
  }
  return next(specifier, context);
}\`;
register('data:text/javascript,' + encodeURIComponent(hook));
const m = await import(entry);
const out = { exports: Object.keys(m).sort() };
if (engineWithRedis) {
  // The engine with REDIS_URL: its first call (a rate-budget take, hence the limit) must reach for ioredis,
  // refused here, and the local fallback answers.
  const { scriptedAdapter } = await import(engineWithRedis.testing);
  const ai = m.createFailsoft(
    { providers: { p: { type: 'openai', apiKey: 'k', limits: { rpm: 10 } } }, features: { f: { tier: 'ai-only', route: ['p/m'] } } },
    { env: { REDIS_URL: 'redis://127.0.0.1:1' }, adapters: { p: scriptedAdapter('p', () => ({ text: 'answered' })) } },
  );
  out.text = (await ai.generate('f', { messages: [{ role: 'user', content: 'hi' }] })).text;
  out.sharedState = (await ai.health()).sharedState;
  await ai.close();
}
console.log(JSON.stringify(out));
`;

let dir: string;
let probe: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'failsoft-entry-'));
  probe = join(dir, 'probe.mjs');
  writeFileSync(probe, PROBE);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface ProbeResult {
  exports: string[];
  text?: string;
  sharedState?: { backend: string; connected: boolean; lastError?: string };
}

async function importAlone(entry: string, blocked: readonly string[], engineWithRedis = false): Promise<ProbeResult> {
  const args = {
    entry: pathToFileURL(join(SRC, entry)).href,
    blocked,
    engineWithRedis: engineWithRedis ? { testing: pathToFileURL(join(SRC, 'testing/index.ts')).href } : undefined,
  };
  const { stdout } = await run(process.execPath, ['--import', 'tsx', probe, JSON.stringify(args)], {
    cwd: REPO,
    env: { ...process.env, NODE_OPTIONS: '' },
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as ProbeResult;
}

/** What the root entry must never load: a backend, a driver, the gateway's metrics, the AI SDK. */
const HEAVY = ['ioredis', 'pg', '@electric-sql/pglite', 'prom-client', 'ai', '@ai-sdk/provider'];

describe('the root entry', () => {
  it('exports exactly the public list', () => {
    expect(Object.keys(root).sort()).toEqual(ROOT_EXPORTS);
  });

  it('exports none of the internals', () => {
    expect(INTERNALS.filter((name) => name in root)).toEqual([]);
  });

  it('loads without ioredis, the store drivers, prom-client or the AI SDK', async () => {
    const loaded = await importAlone('index.ts', HEAVY);
    expect(loaded.exports).toEqual(ROOT_EXPORTS);
  }, 60_000);

  it('with REDIS_URL, the engine reaches for ioredis only on its first call, and answers locally when it cannot load', async () => {
    const loaded = await importAlone('index.ts', ['ioredis'], true);
    expect(loaded.text).toBe('answered');
    expect(loaded.sharedState).toMatchObject({ backend: 'redis', connected: false });
    expect(loaded.sharedState?.lastError).toContain('BLOCKED ioredis imported by');
  }, 60_000);
});

describe('the subpath entries', () => {
  it('failsoft/redis is the one that loads ioredis (the probe sees it)', async () => {
    await expect(importAlone('redis.ts', ['ioredis'])).rejects.toThrow(
      /BLOCKED ioredis imported by file:.*redis-policy-state/,
    );
    expect(Object.keys(redisEntry).sort()).toEqual(['RedisPolicyState', 'URL_CLIENT_DEFAULTS']);
  }, 60_000);

  it.each([
    ['gateway/index.ts', ['ioredis', 'pg', '@electric-sql/pglite', 'ai', '@ai-sdk/provider']],
    ['policy/index.ts', HEAVY],
    ['testing/index.ts', ['ioredis', 'pg', '@electric-sql/pglite', 'prom-client', 'ai', '@ai-sdk/provider']],
  ])(
    '%s loads without %j',
    async (entry, blocked) => {
      const loaded = await importAlone(entry, blocked);
      expect(loaded.exports.length).toBeGreaterThan(3);
    },
    60_000,
  );
});

describe('the README', () => {
  /** `failsoft` and `failsoft/<sub>` to their source files, from package.json `exports` (`./dist/X.js` → `src/X.ts`). */
  function entrySources(): Map<string, string> {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
      exports: Record<string, string | { import?: string }>;
    };
    const sources = new Map<string, string>();
    for (const [key, target] of Object.entries(pkg.exports)) {
      const file = (typeof target === 'string' ? target : target.import)?.match(/^\.\/dist\/(.+)\.js$/)?.[1];
      if (file) sources.set(key === '.' ? 'failsoft' : `failsoft${key.slice(1)}`, join(SRC, `${file}.ts`));
    }
    return sources;
  }

  it('imports from each entry only names that entry exports', async () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const statements = [...readme.matchAll(/^import\s+(type\s+)?\{([^}]*)\}\s+from\s+'(failsoft(?:\/[\w-]+)?)'/gm)];
    expect(statements.length).toBeGreaterThanOrEqual(3);
    const sources = entrySources();
    const missing: string[] = [];
    for (const [, typeOnly, names = '', specifier = ''] of statements) {
      if (typeOnly) continue;
      const source = sources.get(specifier);
      if (source === undefined) {
        missing.push(`${specifier}: not an entry in package.json`);
        continue;
      }
      const entry = (await import(/* @vite-ignore */ pathToFileURL(source).href)) as Record<string, unknown>;
      for (const name of names.split(',').map((n) => n.trim().split(/\s+as\s+/)[0] ?? '')) {
        if (name !== '' && !name.startsWith('type ') && !(name in entry)) missing.push(`${specifier}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
