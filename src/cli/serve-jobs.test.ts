import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashClientKey } from '../gateway/client-keys.js';
import { startSimulator } from '../sim/start-simulator.js';
import type { CliIo } from './cli-command.js';
import { startServe } from './serve-command.js';

const fixture = (name: string): string => new URL(`../../test/fixtures/jobs/${name}`, import.meta.url).pathname;

function recordingIo(): CliIo & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (line) => lines.push(line), err: (line) => lines.push(line) };
}

function linesOf(file: string): Array<Record<string, unknown>> {
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
    : [];
}

async function waitFor<T>(fn: () => T | undefined | false, what: string, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = fn();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("failsoft serve runs the config's jobs", () => {
  it("a job's OpenAI SDK calls reach this gateway through OPENAI_BASE_URL, with its own batch key; an ai-only job waits out an outage", async () => {
    const sim = await startSimulator({ port: 0 });
    const dir = await mkdtemp(join(tmpdir(), 'failsoft-serve-jobs-'));
    const calls = join(dir, 'calls.jsonl');
    const aiRuns = join(dir, 'ai-runs.jsonl');
    const file = join(dir, 'failsoft.yaml');
    await writeFile(
      file,
      [
        'providers:',
        `  gpt: { type: openai, baseUrl: "${sim.urlFor('openai')}", apiKeyEnv: SIM_KEY }`,
        'features:',
        '  summary: { tier: enhanced, route: [gpt/gpt-4o-mini], fallback: { text: "AI is resting" } }',
        'gateway:',
        // Keys are required on this gateway: the job's call succeeds only with the key the runner gave it.
        `  clients: { app: { keyHash: "${hashClientKey('app-key')}" } }`,
        'jobs:',
        `  hello: { schedule: "*/2 * * * * *", tz: UTC, command: ["${process.execPath}", "${fixture('openai-call.mjs')}", "${calls}"] }`,
        `  digest: { schedule: "*/2 * * * * *", tz: UTC, tier: ai-only, flex: 10m, command: ["${process.execPath}", "${fixture('record-run.mjs')}", "${aiRuns}"] }`,
        `store: { dir: "${join(dir, 'store')}" }`,
      ].join('\n'),
    );
    const io = recordingIo();
    // The outage: AI switched off at start, so no provider can serve.
    const serve = await startServe({ configFile: file, port: 0, host: '127.0.0.1', help: false }, io, {
      ...process.env,
      SIM_KEY: 'sim',
      AI_ENABLED: 'false',
    });
    try {
      expect(io.lines).toContain(
        'failsoft serve: 1 client key(s) configured: AI routes need Authorization: Bearer <key> or x-api-key',
      );
      expect(io.lines.some((l) => l.startsWith('failsoft serve: jobs: hello: */2 * * * * * UTC; next run '))).toBe(
        true,
      );
      expect(io.lines).toContain(
        'failsoft serve: jobs: single instance: without DATABASE_URL the schedule is not shared, so run one runner per config (a second would run every job again)',
      );

      // The enhanced job runs during the outage: its call gets the feature's fallback, through the gateway.
      const [call] = await waitFor(() => {
        const l = linesOf(calls);
        return l.length > 0 && l;
      }, "the job's call");
      expect(call).toMatchObject({ baseURL: `${serve.gateway.url}/v1`, text: 'AI is resting' });
      const client = serve.ai.config.gateway?.clients['job.hello'];
      expect(client).toMatchObject({ priority: 'batch', optional: true, keyHash: call?.keySha256 });

      // The ai-only job is deferred, not failed, while no provider can serve (AI off, then gpt's breaker open).
      await waitFor(
        () => io.lines.some((l) => l.includes('"msg":"job digest: deferred (every provider is down')),
        'deferral',
      );
      serve.ai.forceOpen('gpt');
      serve.ai.switches.setAiEnabled(true, 'test');
      await new Promise((r) => setTimeout(r, 5_500)); // one deferral poll (5 s) with the breaker still open
      expect(linesOf(aiRuns)).toHaveLength(0);
      const recoveredAt = Date.now();
      serve.ai.forceClose('gpt');
      const [first] = await waitFor(() => {
        const l = linesOf(aiRuns);
        return l.length > 0 && l;
      }, 'start after recovery');
      expect(Number(first?.at)).toBeGreaterThanOrEqual(recoveredAt);
      expect(Date.parse(String(first?.scheduledAt))).toBeLessThan(recoveredAt - 5_000);
      expect(io.lines.some((l) => l.includes('"msg":"job digest: failed'))).toBe(false);
    } finally {
      await serve.close();
      await sim.close();
    }
  }, 60_000);
});
