/**
 * `failsoft serve` and its record: kill switches flipped at run time come back at the next start, the store
 * shows in /health/ready and /metrics, and a PGlite directory another serve holds falls back to memory with a
 * warning (a start-up error with --strict).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIo } from './cli-command.js';
import { startServe } from './serve-command.js';

const dir = mkdtempSync(join(tmpdir(), 'failsoft-serve-records-'));
const configFile = join(dir, 'failsoft.yaml');
writeFileSync(
  configFile,
  JSON.stringify({
    providers: { claude: { type: 'anthropic', baseUrl: 'http://127.0.0.1:9', apiKeyEnv: 'K' } },
    features: { summary: { tier: 'enhanced', route: ['claude/claude-sonnet-4-5'], fallback: { text: 'later' } } },
    store: { dir: join(dir, 'data') },
  }),
);
const env = { K: 'k', FAILSOFT_ADMIN_TOKEN: 'tok', FAILSOFT_INSTANCE: 'test' };
const options = { configFile, port: 0, host: '127.0.0.1', help: false, logLevel: 'silent' as const };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function recordingIo(): CliIo & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (line) => lines.push(line), err: (line) => lines.push(line) };
}

describe('failsoft serve and its record store', () => {
  it('restores a switch flipped through /admin at the next start, and shows the store in /health/ready and /metrics', async () => {
    const io = recordingIo();
    const first = await startServe(options, io, env);
    try {
      expect(io.lines).toContain(`failsoft serve: records: pglite ${join(dir, 'data')}, instance test`);
      const ready = await fetch(`${first.gateway.url}/health/ready`).then((r) => r.json());
      expect(ready).toMatchObject({ status: 'ready', store: { backend: 'pglite', status: 'ok', connected: true } });
      const flip = await fetch(`${first.gateway.url}/admin/switches/features/summary`, {
        method: 'POST',
        headers: { authorization: 'Bearer tok', 'content-type': 'application/json' },
        body: '{"enabled":false}',
      });
      expect(flip.status).toBe(200);
      const metrics = await fetch(`${first.gateway.url}/metrics`).then((r) => r.text());
      expect(metrics).toContain('failsoft_store_connected{backend="pglite"} 1');
      expect(metrics).toMatch(/failsoft_store_records_buffered\{backend="pglite"\} \d+/);
    } finally {
      await first.close();
    }
    const again = recordingIo();
    const second = await startServe(options, again, env);
    try {
      expect(second.ai.switches.toJSON().disabledFeatures).toEqual(['summary']);
      expect(
        again.lines.some((l) => l.startsWith('failsoft serve: switch restored: feature summary switch off (admin,')),
      ).toBe(true);
      // The switch turned off is trouble: the incident it opened was resumed, and it is still open.
      expect(
        again.lines.some((l) => l.includes('(summary switched off) was open when the last run stopped: resumed')),
      ).toBe(true);
    } finally {
      await second.close();
    }
  }, 60_000);

  it('falls back to memory, with a warning, when another serve holds the directory; --strict refuses to start', async () => {
    const first = await startServe(options, recordingIo(), env);
    try {
      const io = recordingIo();
      const second = await startServe(options, io, env);
      try {
        expect(
          io.lines.some((l) =>
            l.startsWith(
              'failsoft serve: warning: the record store cannot be opened, so events and incidents are kept in memory only until restart: store directory',
            ),
          ),
        ).toBe(true);
        expect(await fetch(`${second.gateway.url}/health/ready`).then((r) => r.json())).toMatchObject({
          store: { backend: 'memory', connected: true },
        });
      } finally {
        await second.close();
      }
      await expect(startServe({ ...options, strict: true }, recordingIo(), env)).rejects.toThrow(
        /record store cannot be opened \(--strict\): store directory .* is in use/,
      );
    } finally {
      await first.close();
    }
  }, 60_000);
});
