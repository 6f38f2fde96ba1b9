import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConfigError } from '../../model/errors.js';
import { loadConfigFile, resolveConfig } from './resolve-config.js';
import { issuesOf } from './config-issues.test-helper.js';

const providers = {
  claude: { type: 'anthropic', apiKeyEnv: 'ANTHROPIC_API_KEY', limits: { rpm: 50, itpm: 40000, otpm: 8000 } },
  gpt: { type: 'openai', apiKeyEnv: 'OPENAI_API_KEY' },
  gemini: { type: 'gemini', apiKeyEnv: 'GEMINI_API_KEY' },
  local: { type: 'openai-compatible', baseUrl: 'http://127.0.0.1:11434/v1' },
} as const;

describe('resolveConfig', () => {
  it('resolves the documented example: routes, tiers, defaults, secrets from the environment', () => {
    const config = resolveConfig(
      {
        providers,
        features: {
          summary: {
            tier: 'enhanced',
            route: ['claude/claude-sonnet-4-5', 'gpt/gpt-4o-mini', 'gemini/gemini-2.5-flash'],
            deadlineMs: 15000,
            fallback: { text: 'Auto-summary unavailable' },
          },
          chat: { tier: 'ai-only', route: ['claude/claude-sonnet-4-5', 'gpt/gpt-4o'] },
          billing: { tier: 'critical' },
        },
      },
      { env: { ANTHROPIC_API_KEY: 'sk-ant-test' } },
    );
    expect(config.features.summary!.route.map((r) => r.key)).toEqual([
      'claude/claude-sonnet-4-5',
      'gpt/gpt-4o-mini',
      'gemini/gemini-2.5-flash',
    ]);
    expect(config.features.summary!.deadlineMs).toBe(15000);
    expect(config.features.chat!.deadlineMs).toBe(30000);
    expect(config.providers.claude!.apiKey).toBe('sk-ant-test');
    expect(config.providers.claude!.baseUrl).toBe('https://api.anthropic.com');
    expect(config.providers.gpt!.missingKeyEnv).toBe('OPENAI_API_KEY');
    expect(config.providers.local!.apiKey).toBeUndefined();
    expect(config.aiEnabled).toBe(true);
  });

  it('names the route entry that points at an unknown provider, with a suggestion', () => {
    const issues = issuesOf({
      providers,
      features: { summary: { tier: 'enhanced', route: ['claude/x', 'gtp/gpt-4o'], fallback: { text: 'n/a' } } },
    });
    expect(issues).toEqual(['features.summary.route[1]: unknown provider "gtp" (did you mean "gpt"?)']);
  });

  it('enforces the tier rules', () => {
    const issues = issuesOf({
      providers,
      features: {
        billing: { tier: 'critical', route: ['claude/x'] },
        summary: { tier: 'enhanced', route: ['claude/x'] },
        chat: { tier: 'ai-only', route: ['claude/x'], fallback: { text: 'no' } },
        empty: { tier: 'ai-only', route: [] },
      },
    });
    expect(issues).toContain(
      'features.billing.route: a critical feature must not have a route: critical features never depend on AI',
    );
    expect(
      issues.some((i) => i.startsWith('features.summary.fallback: an enhanced feature must declare a fallback')),
    ).toBe(true);
    expect(
      issues.some((i) => i.startsWith('features.chat.fallback: an ai-only feature never returns fallback text')),
    ).toBe(true);
    expect(issues.some((i) => i.startsWith('features.empty.route: a ai-only feature needs at least one'))).toBe(true);
  });

  it('accepts fallback.json alone or beside text/leadSentences, and refuses text with leadSentences', () => {
    const ok = issuesOf({
      providers,
      features: {
        a: { tier: 'enhanced', route: ['claude/x'], fallback: { json: { summary: null } } },
        b: { tier: 'enhanced', route: ['claude/x'], fallback: { leadSentences: 2, json: { summary: null } } },
      },
    });
    expect(ok).toEqual([]);
    const bad = issuesOf({
      providers,
      features: { c: { tier: 'enhanced', route: ['claude/x'], fallback: { text: 'x', leadSentences: 2 } } },
    } as never);
    expect(bad.some((i) => i.startsWith('features.c.fallback'))).toBe(true);
    const notObject = issuesOf({
      providers,
      features: { d: { tier: 'enhanced', route: ['claude/x'], fallback: { json: [1, 2] } } },
    } as never);
    expect(notObject.some((i) => i.startsWith('features.d.fallback'))).toBe(true);
  });

  it('reports structural errors with paths: bad types, unknown keys, malformed routes', () => {
    const issues = issuesOf({
      providers: { claude: { type: 'antropic' }, gpt: { type: 'openai', limits: { rpm: -5 }, colour: 'red' } },
      features: { chat: { tier: 'ai-only', route: ['claude'] } },
    });
    expect(issues.some((i) => i.startsWith('providers.claude.type:'))).toBe(true);
    expect(issues.some((i) => i.startsWith('providers.gpt.limits.rpm:'))).toBe(true);
    expect(issues).toContain('providers.gpt.colour: unknown key');
    expect(issues).toContain('features.chat.route[0]: must be "provider/model"');
  });

  it('requires a baseUrl for openai-compatible providers', () => {
    expect(issuesOf({ providers: { local: { type: 'openai-compatible' } } })).toEqual([
      'providers.local.baseUrl: required for type openai-compatible',
    ]);
  });

  it('AI_ENABLED in the environment overrides the file, and junk values are errors', () => {
    expect(resolveConfig({ aiEnabled: true }, { env: { AI_ENABLED: 'false' } }).aiEnabled).toBe(false);
    expect(resolveConfig({ aiEnabled: false }, { env: {} }).aiEnabled).toBe(false);
    expect(issuesOf({}, { AI_ENABLED: 'maybe' })).toEqual([
      'AI_ENABLED (environment): must be true or false, got "maybe"',
    ]);
  });

  it('refuses secrets inside a config file and names the file and line of YAML errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'failsoft-config-'));
    const withSecret = join(dir, 'secret.yaml');
    await writeFile(withSecret, 'providers:\n  claude: { type: anthropic, apiKey: sk-ant-123 }\n');
    await expect(loadConfigFile(withSecret, {})).rejects.toThrow(
      /providers\.claude\.apiKey: secrets do not belong in the config file/,
    );
    const broken = join(dir, 'broken.yaml');
    await writeFile(broken, 'providers:\n  claude: { type: anthropic\n');
    await expect(loadConfigFile(broken, {})).rejects.toThrow(
      /broken\.yaml: invalid configuration:\n {2}line \d+, column \d+: not valid YAML/,
    );
    await expect(loadConfigFile(join(dir, 'missing.yaml'), {})).rejects.toThrow(
      /missing\.yaml: invalid configuration:\n {2}\(file\): cannot read/,
    );
  });

  it('resolves gateway clients (hash, features, priority) and aliases', () => {
    const hash = 'ab'.repeat(32);
    const config = resolveConfig(
      {
        providers,
        features: { chat: { tier: 'ai-only', route: ['claude/x'] }, billing: { tier: 'critical' } },
        gateway: {
          clients: { cron: { keyHash: `sha256:${hash.toUpperCase()}`, features: ['chat'], priority: 'batch' } },
          aliases: { 'gpt-4o': 'chat' },
        },
      },
      { env: {} },
    );
    expect(config.gateway).toEqual({
      clients: { cron: { name: 'cron', keyHash: hash, features: ['chat'], priority: 'batch' } },
      aliases: { 'gpt-4o': 'chat' },
    });
    expect(resolveConfig({}, { env: {} }).gateway).toEqual({ clients: {}, aliases: {} });
  });

  it('names bad gateway keys by path: hash format, unknown or critical features, aliases hiding features, shared keys', () => {
    const hash = `sha256:${'cd'.repeat(32)}`;
    const issues = issuesOf({
      providers,
      features: { chat: { tier: 'ai-only', route: ['claude/x'] }, billing: { tier: 'critical' } },
      gateway: {
        clients: {
          a: { keyHash: 'md5:abc' },
          b: { keyHash: hash, features: ['chat', 'caht'] },
          c: { keyHash: hash, priority: 'urgent' },
        },
        aliases: { fast: 'nope', chat: 'chat', pay: 'billing' },
      },
    });
    expect(issues.some((i) => i.startsWith('gateway.clients.a.keyHash: must be "sha256:<64 hex digits>"'))).toBe(true);
    expect(issues.some((i) => i.startsWith('gateway.clients.c.priority:'))).toBe(true);
    const semantic = issuesOf({
      providers,
      features: { chat: { tier: 'ai-only', route: ['claude/x'] }, billing: { tier: 'critical' } },
      gateway: {
        clients: { b: { keyHash: hash, features: ['chat', 'caht'] }, c: { keyHash: hash } },
        aliases: { fast: 'nope', chat: 'chat', pay: 'billing' },
      },
    });
    expect(semantic).toEqual([
      'gateway.clients.b.features[1]: unknown feature "caht" (known: chat, billing)',
      'gateway.clients.c.keyHash: same key as client "b": every client needs its own key',
      'gateway.aliases.fast: unknown feature "nope" (known: chat, billing)',
      'gateway.aliases.chat: "chat" is already a feature name: an alias cannot hide a feature',
      'gateway.aliases.pay: feature "billing" is critical: it is never served through AI routes',
    ]);
  });
});

describe('resolveConfig: store', () => {
  it('applies the defaults to what is set, and leaves store out when the config has none', () => {
    expect(resolveConfig({ store: { retainDays: 7 } }, { env: {} }).store).toEqual({
      dir: './.failsoft',
      retainDays: 7,
      bufferRecords: 10_000,
    });
    expect(resolveConfig({}, { env: {} }).store).toBeUndefined();
  });

  it('names a bad store setting by its path', () => {
    expect(issuesOf({ store: { retainDays: 0 } }).some((i) => i.startsWith('store.retainDays:'))).toBe(true);
    expect(issuesOf({ store: { bufferRecords: 1.5 } }).some((i) => i.startsWith('store.bufferRecords:'))).toBe(true);
    expect(issuesOf({ store: { dirr: 'x' } }).some((i) => i.startsWith('store'))).toBe(true);
  });
  it('an unknown key says which known key it was probably meant to be', () => {
    const error = (() => {
      try {
        resolveConfig(
          {
            providers: { claude: { type: 'anthropic', apiKey: 'k', limts: { rpm: 5 } } },
            features: {
              summary: { tier: 'enhanced', route: ['claude/x'], fallbak: { text: 'x' } },
              chat: { tier: 'ai-only', route: ['claude/x'], zzz: 1 },
            },
            polices: {},
          },
          { env: {} },
        );
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(error.issues).toEqual(
      expect.arrayContaining([
        { path: 'providers.claude.limts', message: 'unknown key (did you mean "limits"?)' },
        { path: 'features.summary.fallbak', message: 'unknown key (did you mean "fallback"?)' },
        { path: 'features.chat.zzz', message: 'unknown key' },
        { path: 'polices', message: 'unknown key (did you mean "policies"?)' },
      ]),
    );
  });
});
