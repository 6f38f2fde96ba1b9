import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_STORE } from '../engine/config/resolve-config.js';
import { createStore, describeDatabaseUrl, openRecordStore } from './create-store.js';
import { DEFAULT_STORE_DIR, PgliteStore } from './pglite-store.js';
import { PostgresStore } from './postgres-store.js';
import { DEFAULT_RETAIN_DAYS } from './store-pruner.js';
import { sampleEvent } from './store.conformance.js';

const dir = mkdtempSync(join(tmpdir(), 'failsoft-create-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('createStore', () => {
  it('picks PostgreSQL when DATABASE_URL is set, PGlite in store.dir otherwise, memory on request', async () => {
    const pg = createStore(undefined, { DATABASE_URL: 'postgres://app:secret@127.0.0.1:5432/app' });
    expect(pg.store).toBeInstanceOf(PostgresStore);
    expect(pg.where).toBe('postgres 127.0.0.1:5432/app');
    const lite = createStore({ ...DEFAULT_STORE, dir }, {});
    expect(lite.store).toBeInstanceOf(PgliteStore);
    expect(lite.where).toBe(`pglite ${dir}`);
    expect(createStore(undefined, {}, { memory: true }).backend).toBe('memory');
    // `store: { memory: true }` in the config: nothing on disk, even with DATABASE_URL set.
    expect(
      createStore({ ...DEFAULT_STORE, dir, memory: true }, { DATABASE_URL: 'postgres://127.0.0.1:5432/app' }).backend,
    ).toBe('memory');
    await Promise.all([pg.store.close(), lite.store.close()]);
  });

  it('opens nothing until first used (no directory, no database module loaded by creating it)', async () => {
    const lazyDir = join(dir, 'lazy');
    const { store } = createStore({ ...DEFAULT_STORE, dir: lazyDir }, {});
    expect(existsSync(lazyDir)).toBe(false);
    await store.close();
    expect(existsSync(lazyDir)).toBe(false);
  });

  it('uses the same defaults as the config', () => {
    expect(DEFAULT_STORE_DIR).toBe(DEFAULT_STORE.dir);
    expect(DEFAULT_RETAIN_DAYS).toBe(DEFAULT_STORE.retainDays);
  });

  it('refuses a DATABASE_URL that is not PostgreSQL, naming the variable and not the password', () => {
    expect(() => describeDatabaseUrl('mysql://u:hunter2@h/db')).toThrow(
      /^DATABASE_URL \(environment\) must start with postgres:\/\//,
    );
    expect(() => describeDatabaseUrl('not a url')).toThrow(/DATABASE_URL \(environment\) is not a URL/);
    try {
      describeDatabaseUrl('mysql://u:hunter2@h/db');
    } catch (error) {
      expect(String(error)).not.toContain('hunter2');
    }
  });
});

describe('openRecordStore', () => {
  it('migrates, writes through the writer, survives a restart, and says why when the directory is held', async () => {
    const config = { ...DEFAULT_STORE, dir: join(dir, 'records') };
    const first = await openRecordStore(config, {}, { instance: 'test-1' });
    expect(first.instance).toBe('test-1');
    first.writer.appendEvent(sampleEvent({ type: 'before-restart', instance: first.instance }));
    await expect(openRecordStore(config, {})).rejects.toThrow(/is in use by this process/);
    await first.close();
    const second = await openRecordStore(config, {});
    expect((await second.store.listEvents({ from: 0 })).map((e) => e.type)).toEqual(['before-restart']);
    await second.close();
  });
});
