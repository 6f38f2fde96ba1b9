import { afterAll, describe, expect, it } from 'vitest';
import { openPostgresClient, PostgresStore } from '../../src/store/postgres-store.js';
import { describeStoreConformance, sampleEvent } from '../../src/store/store.conformance.js';
import { describeStoreMigrations } from '../../src/store/store-migrations.conformance.js';
import { describeWithPostgres, postgresUrl } from './services.js';

/** Every schema this run creates starts with this prefix, and is dropped after the file. */
const run = `fs_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
let n = 0;
const url = postgresUrl ?? '';

describeWithPostgres('PostgresStore', () => {
  afterAll(async () => {
    const client = await openPostgresClient({ url });
    try {
      const { rows } = await client.query(`select nspname from pg_namespace where nspname like $1`, [`${run}%`]);
      for (const row of rows) await client.exec(`drop schema "${String(row.nspname)}" cascade`);
    } finally {
      await client.close();
    }
  });

  let current = '';
  describeStoreConformance(
    'postgres',
    async () => {
      current = `${run}_${n++}`;
      return new PostgresStore({ url, schema: current });
    },
    {
      // three more stores (own pools) on the same schema: claims race across connections
      concurrentPeers: async () => [1, 2, 3].map(() => new PostgresStore({ url, schema: current })),
    },
  );

  describeStoreMigrations('postgres', {
    store: (schema) => new PostgresStore({ url, schema }),
    raw: () => openPostgresClient({ url }),
    schema: (label) => `${run}_m_${label}_${n++}`,
    concurrentStores: true,
  });

  describe('connection errors', () => {
    it('rejects (does not hang or crash) when the server is unreachable, and works once it is', async () => {
      const store = new PostgresStore({ url: 'postgres://root@127.0.0.1:1/test', connectTimeoutMs: 1_000 });
      await expect(store.appendEvents([sampleEvent()])).rejects.toThrow(/ECONNREFUSED|connect/);
      await store.close();
    });

    it('cancels a statement that runs past the statement timeout', async () => {
      const client = await openPostgresClient({ url, statementTimeoutMs: 200 });
      try {
        await expect(client.query('select pg_sleep(2)')).rejects.toThrow(/statement timeout|canceling statement/);
      } finally {
        await client.close();
      }
    });
  });
});
