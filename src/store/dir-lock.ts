import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

/** Thrown when the store directory is held by another live process. */
export class StoreDirInUseError extends Error {
  override readonly name = 'StoreDirInUseError';
}

/** A held lock; `release()` removes the file if it is still ours (safe to call twice). */
export interface DirLock {
  readonly path: string;
  release(): void;
}

interface LockContent {
  pid: number;
  host: string;
  at: number;
  token: string;
}

const LOCK_FILE = 'failsoft.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(path: string): LockContent | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const c = parsed as Partial<LockContent>;
    return typeof c.pid === 'number' && typeof c.host === 'string'
      ? { pid: c.pid, host: c.host, at: Number(c.at), token: String(c.token) }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the single-process lock on a PGlite store directory: PGlite (embedded PostgreSQL) takes no lock
 * of its own, and a second process opening the same data directory silently loses the first one's writes
 * or corrupts it. The lock is a file, `<dir>/failsoft.lock`, created exclusively (`O_EXCL`) with the
 * holder's pid; a lock left by a process that is gone (or unreadable) is taken over; a live holder is never
 * taken from. Released by `release()` and at process exit.
 * @example const lock = acquireDirLock('./.failsoft'); try { ... } finally { lock.release(); }
 */
export function acquireDirLock(dir: string): DirLock {
  const absolute = resolve(dir);
  mkdirSync(absolute, { recursive: true });
  const path = join(absolute, LOCK_FILE);
  const token = `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  const content: LockContent = { pid: process.pid, host: hostname(), at: Date.now(), token };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      try {
        writeSync(fd, JSON.stringify(content));
      } finally {
        closeSync(fd);
      }
      return holding(path, token);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readLock(path);
    if (holder && (holder.host !== content.host || alive(holder.pid))) {
      const who =
        holder.pid === process.pid && holder.host === content.host
          ? 'this process (another store is open on it)'
          : `process ${holder.pid} on ${holder.host}`;
      throw new StoreDirInUseError(
        `store directory ${absolute} is in use by ${who}, since ${new Date(holder.at).toISOString()}: another failsoft serve holds it, ` +
          `and the embedded database takes one process at a time. Stop that process, set store.dir to another directory, ` +
          `or set DATABASE_URL so several instances share a PostgreSQL server. (If no such process runs, delete ${path}.)`,
      );
    }
    try {
      unlinkSync(path); // stale: its process is gone (or the file is unreadable)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  throw new StoreDirInUseError(`store directory ${absolute}: could not take ${path} (another process keeps taking it)`);
}

function holding(path: string, token: string): DirLock {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    if (readLock(path)?.token !== token) return;
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  };
  process.on('exit', release);
  return { path, release };
}
