import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { CliIo } from './cli/cli-command.js';
import { planCommand } from './cli/plan-command.js';
import { configSchema } from './engine/config/config-schema.js';
import { loadConfigFile } from './engine/config/resolve-config.js';
import { servingFindings } from './engine/config/serving-checks.js';

/**
 * README's annotated config ("The config file, every key") is the one users copy: it must load with the
 * project's own loader, serve without a warning (what `failsoft serve --strict` demands), and name every
 * top-level section the schema has, so a new section fails here until README documents it.
 */

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MARKER = '# failsoft.yaml — every section';

/** The YAML code block of README.md whose first line is the marker comment. */
function annotatedConfig(): string {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? '');
  const found = blocks.filter((block) => block.startsWith(`${MARKER}\n`));
  if (found.length !== 1)
    throw new Error(`README.md has ${found.length} yaml blocks starting with "${MARKER}" (want 1)`);
  return found[0] ?? '';
}

/** Every variable the block names for a secret, set, as a deployment would have them. */
const ENV = {
  ANTHROPIC_API_KEY: 'sk-ant-readme',
  OPENAI_API_KEY: 'sk-readme',
  GEMINI_API_KEY: 'gemini-readme',
  DATABASE_URL: 'postgres://127.0.0.1:5432/app',
  REDIS_URL: 'redis://127.0.0.1:6379',
  SLACK_WEBHOOK_URL: 'https://hooks.slack.example/T0/B0/x',
  ALERT_WEBHOOK_URL: 'https://alerts.example/hook',
};

let dir: string;
let file: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'failsoft-readme-config-'));
  file = join(dir, 'failsoft.yaml');
  writeFileSync(file, annotatedConfig());
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("README's annotated config", () => {
  it('loads with loadConfigFile, with every section resolved', async () => {
    const config = await loadConfigFile(file, ENV);
    expect(Object.keys(config.providers).sort()).toEqual(['claude', 'gemini', 'gpt', 'local']);
    expect(config.features.login?.tier).toBe('critical');
    expect(config.features.chat?.tier).toBe('ai-only');
    expect(config.jobs?.['nightly-digest']?.retries).toEqual({ max: 3, backoffMs: 30_000, multiplier: 2 });
    expect(config.checks).toBeDefined();
    expect(config.alerts).toBeDefined();
    expect(config.store?.dir).toBe('./.failsoft');
    expect(config.incidents?.quietPeriodMs).toBe(5 * 60_000);
  });

  it('serves without a warning (failsoft serve --strict would start)', async () => {
    expect(servingFindings(await loadConfigFile(file, ENV))).toEqual([]);
  });

  it("has jobs that fit the providers' budgets (failsoft plan exits 0)", async () => {
    const lines: string[] = [];
    const io: CliIo = { out: (line) => lines.push(line), err: (line) => lines.push(line) };
    const code = await planCommand.run(['--config', file, '--json', '--tz', 'UTC'], io);
    expect({ code, lines }).toMatchObject({ code: 0 });
    expect((JSON.parse(lines.join('\n')) as { feasible: boolean }).feasible).toBe(true);
  });

  it('names every top-level section of the config schema', () => {
    const written = Object.keys(parseYaml(annotatedConfig()) as Record<string, unknown>).sort();
    expect(written).toEqual(Object.keys(configSchema.shape).sort());
  });

  it('still fails on a bad key, so a pass means something', async () => {
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, annotatedConfig().replace('type: anthropic', 'type: anthropik'));
    await expect(loadConfigFile(broken, ENV)).rejects.toThrow(/providers\.claude\.type/);
  });
});
