import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openPgliteClient, PgliteStore } from './pglite-store.js';
import { describeStoreMigrations } from './store-migrations.conformance.js';
import { describeStoreConformance, sampleEvent } from './store.conformance.js';

const dir = mkdtempSync(join(tmpdir(), 'failsoft-pglite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
describeStoreConformance('pglite', async () => new PgliteStore({ dir, schema: `t${n++}` }));

describeStoreMigrations('pglite', {
  store: (schema) => new PgliteStore({ dir, schema }),
  raw: () => openPgliteClient(dir),
  schema: (label) => `m_${label}_${n++}`,
  concurrentStores: false,
});

describe('PgliteStore', () => {
  it('keeps records across a close and a reopen of the directory', async () => {
    const first = new PgliteStore({ dir, schema: 'reopen' });
    await first.migrate();
    await first.appendEvents([sampleEvent({ type: 'kept' })]);
    await first.close();
    const second = new PgliteStore({ dir, schema: 'reopen' });
    expect((await second.listEvents({ from: 0 })).map((e) => e.type)).toEqual(['kept']);
    await second.close();
  });

  it('names the directory when its database cannot be opened, and leaves no lock behind', async () => {
    const bad = join(dir, 'damaged');
    mkdirSync(join(bad, 'pgdata'), { recursive: true });
    writeFileSync(join(bad, 'pgdata', 'PG_VERSION'), 'garbage\n');
    const store = new PgliteStore({ dir: bad });
    await expect(store.migrate()).rejects.toThrow(
      `store directory ${bad}: the embedded database in ${join(bad, 'pgdata')} cannot be opened`,
    );
    await store.close();
    expect(existsSync(join(bad, 'failsoft.lock'))).toBe(false);
  });

  it('refuses a second store on a directory in use, naming the directory, and opens once it is free', async () => {
    const first = new PgliteStore({ dir });
    await first.migrate();
    const second = new PgliteStore({ dir });
    await expect(second.migrate()).rejects.toThrow(new RegExp(`store directory ${dir} is in use by this process`));
    await first.close();
    expect(await second.migrate()).toBeGreaterThan(0);
    await second.close();
  });
});
