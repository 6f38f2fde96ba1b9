import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireDirLock, StoreDirInUseError } from './dir-lock.js';

const root = mkdtempSync(join(tmpdir(), 'failsoft-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const repo = fileURLToPath(new URL('../..', import.meta.url));
const lockModule = fileURLToPath(new URL('./dir-lock.ts', import.meta.url));

/** Starts another process that takes the lock and holds it until killed; resolves once it holds it. */
function holderProcess(dir: string): Promise<{ pid: number; kill: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      `import(${JSON.stringify(lockModule)}).then((m) => { m.acquireDirLock(${JSON.stringify(dir)}); console.log('held'); setInterval(() => {}, 1000); })`,
    ],
    { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.on('data', (chunk: Buffer) => {
      if (!chunk.toString().includes('held')) return;
      resolve({
        pid: child.pid ?? -1,
        kill: () =>
          new Promise<void>((done) => {
            child.once('exit', () => done());
            child.kill('SIGKILL');
          }),
      });
    });
  });
}

describe('acquireDirLock', () => {
  it('refuses a directory another live process holds, naming the directory and the pid; takes it over once that process died', async () => {
    const dir = join(root, 'cross');
    const holder = await holderProcess(dir);
    let refused: unknown;
    try {
      acquireDirLock(dir);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(StoreDirInUseError);
    expect(String(refused)).toContain(`store directory ${dir} is in use by process ${holder.pid}`);
    expect(String(refused)).toContain('another failsoft serve holds it');
    await holder.kill(); // SIGKILL: no exit handler ran, the lock file stays behind (stale)
    expect(existsSync(join(dir, 'failsoft.lock'))).toBe(true);
    const lock = acquireDirLock(dir);
    lock.release();
    expect(existsSync(join(dir, 'failsoft.lock'))).toBe(false);
  }, 30_000);

  it('refuses a second lock in the same process, and frees the directory on release', () => {
    const dir = join(root, 'same');
    const lock = acquireDirLock(dir);
    expect(() => acquireDirLock(dir)).toThrow(/in use by this process/);
    lock.release();
    acquireDirLock(dir).release();
  });

  it('takes over an unreadable lock file (a crash while writing it)', () => {
    const dir = join(root, 'garbage');
    acquireDirLock(dir).release();
    writeFileSync(join(dir, 'failsoft.lock'), '{"pid":');
    acquireDirLock(dir).release();
  });

  it('release does not remove a lock that another holder has taken since', () => {
    const dir = join(root, 'foreign');
    const lock = acquireDirLock(dir);
    writeFileSync(join(dir, 'failsoft.lock'), JSON.stringify({ pid: 1, host: 'elsewhere', at: 0, token: 'other' }));
    lock.release();
    expect(existsSync(join(dir, 'failsoft.lock'))).toBe(true);
  });
});
