import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkMigrations, MIGRATIONS } from './migrations.js';
import type { SqlClient } from './sql-client.js';
import type { SqlStore } from './sql-store.js';
import { LATEST_SCHEMA_VERSION } from './store-queries.js';

/** What the migration suite needs from a SQL backend: a store and a raw client on a given schema (never both open at once). */
export interface MigrationHarness {
  store(schema: string): SqlStore;
  raw(): Promise<SqlClient>;
  /** A fresh schema name, unique to this run. */
  schema(label: string): string;
  /** Whether two stores may run migrate() at the same moment (a server; not PGlite, which is one process). */
  concurrentStores: boolean;
}

/** The schema snapshot of an earlier version, as released (`__fixtures__/schema-v<N>.sql`). */
export function schemaSnapshot(version: number): string {
  return readFileSync(new URL(`./__fixtures__/schema-v${version}.sql`, import.meta.url), 'utf8');
}

async function withRaw<T>(harness: MigrationHarness, fn: (client: SqlClient) => Promise<T>): Promise<T> {
  const client = await harness.raw();
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** Columns and indexes of a schema, comparable across schemas. */
async function describeSchema(client: SqlClient, schema: string): Promise<unknown> {
  const columns = await client.query(
    `select table_name, column_name, data_type, is_nullable from information_schema.columns
     where table_schema = $1 order by table_name, column_name`,
    [schema],
  );
  const indexes = await client.query(
    `select indexname, indexdef from pg_indexes where schemaname = $1 order by indexname`,
    [schema],
  );
  return {
    columns: columns.rows,
    indexes: indexes.rows.map((r) => ({ name: r.indexname, def: String(r.indexdef).replaceAll(`${schema}.`, 'S.') })),
  };
}

/**
 * The migration suite for a SQL backend: from empty and from every earlier version's snapshot (with rows
 * that must survive), idempotent, concurrent starts, and the latest snapshot equal to what the migrations
 * build (so a released migration edited in place fails here).
 * @example describeStoreMigrations('pglite', harness);
 */
export function describeStoreMigrations(name: string, harness: MigrationHarness): void {
  describe(`Store migrations: ${name}`, () => {
    it('numbers its migrations 1, 2, 3… and keeps a snapshot of every version', () => {
      checkMigrations(MIGRATIONS);
      for (let v = 1; v <= LATEST_SCHEMA_VERSION; v++) expect(schemaSnapshot(v)).toContain('failsoft_schema_version');
    });

    it('builds from empty exactly the latest snapshot, and is idempotent', async () => {
      const fresh = harness.schema('fresh');
      const snap = harness.schema('snap');
      const store = harness.store(fresh);
      try {
        expect(await store.migrate()).toBe(LATEST_SCHEMA_VERSION);
        expect(await store.migrate()).toBe(LATEST_SCHEMA_VERSION);
      } finally {
        await store.close();
      }
      await withRaw(harness, async (client) => {
        await client.transaction(async (tx) => {
          await tx.exec(`create schema ${snap}; set local search_path to ${snap}`);
          await tx.exec(schemaSnapshot(LATEST_SCHEMA_VERSION));
        });
        expect(await describeSchema(client, snap)).toEqual(await describeSchema(client, fresh));
        const versions = await client.query(`select version from ${fresh}.failsoft_schema_version order by version`);
        expect(versions.rows.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
      });
    });

    for (let from = 1; from <= LATEST_SCHEMA_VERSION; from++) {
      it(`migrates from version ${from}, keeping the rows written then`, async () => {
        const schema = harness.schema(`v${from}`);
        await withRaw(harness, (client) =>
          client.transaction(async (tx) => {
            await tx.exec(`create schema ${schema}; set local search_path to ${schema}`);
            await tx.exec(schemaSnapshot(from));
          }),
        );
        const store = harness.store(schema);
        try {
          expect(await store.migrate()).toBe(LATEST_SCHEMA_VERSION);
          const got = await store.getIncident('inc_v1');
          expect(got?.incident.title).toBe('claude overloaded');
          expect(got?.events.map((e) => [e.type, e.data])).toEqual([['provider-opened', { reason: 'overloaded' }]]);
          expect((await store.listAggregates({ from: 0 })).map((a) => a.count)).toEqual([3]);
          await store.appendEvents([
            { at: 1, type: 'after', severity: 'info', message: '', component: 'c', data: {}, instance: 'i' },
          ]);
        } finally {
          await store.close();
        }
      });
    }

    it('refuses a database newer than this failsoft, saying so', async () => {
      const schema = harness.schema('newer');
      const store = harness.store(schema);
      try {
        await store.migrate();
      } finally {
        await store.close();
      }
      await withRaw(harness, (client) =>
        client.query(`insert into ${schema}.failsoft_schema_version (version, applied_at) values ($1, 0)`, [
          LATEST_SCHEMA_VERSION + 1,
        ]),
      );
      const again = harness.store(schema);
      try {
        await expect(again.migrate()).rejects.toThrow(
          `is at version ${LATEST_SCHEMA_VERSION + 1}, newer than this failsoft knows (${LATEST_SCHEMA_VERSION})`,
        );
      } finally {
        await again.close();
      }
    });

    it('applies each migration once when several migrate() calls start together', async () => {
      const schema = harness.schema('race');
      const stores = harness.concurrentStores ? [0, 1, 2, 3].map(() => harness.store(schema)) : [harness.store(schema)];
      try {
        const calls = harness.concurrentStores
          ? stores.map((s) => s.migrate())
          : [0, 1, 2, 3].map(() => (stores[0] as SqlStore).migrate());
        expect(await Promise.all(calls)).toEqual(calls.map(() => LATEST_SCHEMA_VERSION));
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
      await withRaw(harness, async (client) => {
        const versions = await client.query(`select version from ${schema}.failsoft_schema_version order by version`);
        expect(versions.rows.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
      });
    });
  });
}
