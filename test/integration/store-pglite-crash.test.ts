import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PgliteStore } from '../../src/store/pglite-store.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const storeModule = fileURLToPath(new URL('../../src/store/pglite-store.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'failsoft-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Another process that opens the store in `dir`, writes `batches` × 50 events, says so, then holds the directory. */
function writerProcess(batches: number) {
  const script = `import(${JSON.stringify(storeModule)}).then(async (m) => {
    const store = new m.PgliteStore({ dir: ${JSON.stringify(dir)} });
    await store.migrate();
    for (let i = 0; i < ${batches}; i++) {
      await store.appendEvents(Array.from({ length: 50 }, (_, k) => ({ at: i * 50 + k, type: 'crash-test', severity: 'info', message: '', component: 'c', data: { n: i * 50 + k }, instance: 'child' })));
    }
    console.log('written');
    setInterval(() => {}, 1000);
  });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const written = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`writer process exited with ${String(code)} before writing`)));
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('written')) resolve();
    });
  });
  return {
    pid: child.pid,
    written,
    kill: () =>
      new Promise<void>((done) => {
        child.removeAllListeners('exit');
        child.once('exit', () => done());
        child.kill('SIGKILL');
      }),
  };
}

describe('PGlite store: another process holds it, then dies hard', () => {
  it('a second process is refused while the first runs; after kill -9 the directory opens with every committed record', async () => {
    const child = writerProcess(20);
    try {
      await child.written;
      const second = new PgliteStore({ dir });
      await expect(second.migrate()).rejects.toThrow(`is in use by process ${String(child.pid)}`);
      await second.close();
    } finally {
      await child.kill();
    }
    const after = new PgliteStore({ dir });
    try {
      const events = await after.listEvents({ from: 0, limit: 10_000 });
      expect(events).toHaveLength(1_000);
      expect(events.map((e) => e.data.n)).toEqual(Array.from({ length: 1_000 }, (_, i) => i));
    } finally {
      await after.close();
    }
  }, 60_000);
});
