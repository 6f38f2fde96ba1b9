import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from './resolve-config.js';
import { issuesOf } from './config-issues.test-helper.js';
import { isReservedName, ownValue, reservedNameIssues } from './reserved-names.js';

const BUILT_INS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];

describe('reserved names: no built-in object property ever names a feature, provider, client or alias', () => {
  it('knows the names every plain object inherits, and nothing else', () => {
    for (const name of BUILT_INS) expect(isReservedName(name)).toBe(true);
    for (const name of ['chat', 'summary', 'proto', 'Constructor', 'to-string'])
      expect(isReservedName(name)).toBe(false);
    expect(ownValue({ chat: 1 }, 'chat')).toBe(1);
    for (const name of BUILT_INS) expect(ownValue({ chat: 1 }, name)).toBeUndefined();
  });

  it('a YAML config naming a feature "__proto__" is refused with the path (the schema alone would drop the key silently)', () => {
    const doc: unknown = parseYaml('features:\n  __proto__: { tier: critical }\n  billing: { tier: critical }\n');
    expect(issuesOf(doc)).toEqual([
      'features.__proto__: "__proto__" is a built-in JavaScript object property and cannot name a feature: choose another name',
    ]);
  });

  it('refuses each built-in name as a provider, feature, client or alias, naming the key', () => {
    for (const name of BUILT_INS) {
      const doc: unknown = JSON.parse(
        JSON.stringify({
          providers: { [name]: { type: 'openai', apiKey: 'k' }, gpt: { type: 'openai', apiKey: 'k' } },
          features: {
            [name]: { tier: 'ai-only', route: ['gpt/gpt-4o'] },
            chat: { tier: 'ai-only', route: ['gpt/gpt-4o'] },
          },
          gateway: { clients: { [name]: { keyHash: `sha256:${'a'.repeat(64)}` } }, aliases: { [name]: 'chat' } },
        }),
      );
      const issues = issuesOf(doc);
      for (const section of ['providers', 'features', 'gateway.clients', 'gateway.aliases']) {
        expect(
          issues.some((i) => i.startsWith(`${section}.${name}: "${name}" is a built-in JavaScript object property`)),
        ).toBe(true);
      }
    }
  });

  it('reads raw documents defensively (arrays, scalars and missing sections are not its business)', () => {
    expect(reservedNameIssues(undefined)).toEqual([]);
    expect(reservedNameIssues({ features: ['constructor'] })).toEqual([]);
    expect(reservedNameIssues({ gateway: 'x' })).toEqual([]);
  });

  it("an alias or a client's feature list naming a built-in is an unknown feature", () => {
    const base = {
      providers: { gpt: { type: 'openai', apiKey: 'k' } },
      features: { chat: { tier: 'ai-only', route: ['gpt/gpt-4o'] } },
    };
    expect(issuesOf({ ...base, gateway: { aliases: { fast: 'constructor' } } })).toEqual([
      'gateway.aliases.fast: unknown feature "constructor" (known: chat)',
    ]);
    expect(
      issuesOf({
        ...base,
        gateway: { clients: { app: { keyHash: `sha256:${'b'.repeat(64)}`, features: ['toString'] } } },
      }),
    ).toEqual(['gateway.clients.app.features[0]: unknown feature "toString" (known: chat)']);
    expect(issuesOf({ ...base, features: { chat: { tier: 'ai-only', route: ['constructor/m'] } } })[0]).toMatch(
      /^features\.chat\.route\[0\]: unknown provider "constructor"/,
    );
  });

  it("an apiKeyEnv named like a built-in reads only the environment's own variables", () => {
    const config = resolveConfig({ providers: { gpt: { type: 'openai', apiKeyEnv: 'constructor' } } }, { env: {} });
    expect(config.providers.gpt?.apiKey).toBeUndefined();
    expect(config.providers.gpt?.missingKeyEnv).toBe('constructor');
  });
});
