import type {
  EventRecord,
  IncidentRecord,
  JobRunRecord,
  RequestAggregate,
  StoredEvent,
  SwitchRecord,
} from './records.js';
import type { IncidentQuery, Store, WriteOptions } from './store.js';
import type { SqlClient, SqlQueryable, SqlResult } from './sql-client.js';
import { MIGRATIONS, SCHEMA_VERSION_TABLE } from './migrations.js';
import {
  DEFAULT_EVENT_LIMIT,
  DEFAULT_LIST_LIMIT,
  FINISHED_JOB_STATUSES,
  LATEST_SCHEMA_VERSION,
} from './store-queries.js';
import { toAggregate, toEvent, toIncident, toJobRun, toSwitch } from './sql-rows.js';
import {
  validateAggregates,
  validateEvents,
  validateIncidents,
  validateJobRuns,
  validateSwitches,
} from './validate-records.js';

/** Where the tables live: a PostgreSQL schema name (default `public`). */
export interface SqlStoreOptions {
  schema?: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Checks a schema name is a plain lower-case identifier (it is spliced into SQL), and returns it quoted. */
export function quoteSchema(schema: string): string {
  if (!IDENTIFIER.test(schema))
    throw new Error(
      `store schema ${JSON.stringify(schema)} must be a lower-case SQL identifier (a-z, 0-9, _; at most 63 characters)`,
    );
  return `"${schema}"`;
}

/** Keeps the last record per key, in key order (a stable lock order for concurrent upserts). */
function lastById<T extends { id: string }>(records: readonly T[]): T[] {
  const byId = new Map<string, T>();
  for (const r of records) byId.set(r.id, r);
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

const FINISHED = [...FINISHED_JOB_STATUSES];

/**
 * The `Store` in SQL, one dialect for PGlite and PostgreSQL. Batches travel as one `jsonb` parameter
 * (`jsonb_array_elements … with ordinality`), so a batch of any size is one statement and keeps its
 * order; each write method is one statement, hence one transaction, sent without begin/commit round trips. The driver is opened on first use through `connect`
 * (so the module is loaded only by a process that uses the store).
 * @example const store = new SqlStore(async () => client, { schema: 'public' }); await store.migrate();
 */
export class SqlStore implements Store {
  protected readonly schema: string;
  private readonly t: {
    events: string;
    incidents: string;
    jobRuns: string;
    switches: string;
    aggregates: string;
    batches: string;
    version: string;
  };
  private opened: Promise<SqlClient> | undefined;
  private closed = false;

  constructor(
    private readonly connect: () => Promise<SqlClient>,
    options: SqlStoreOptions = {},
  ) {
    this.schema = options.schema ?? 'public';
    const q = quoteSchema(this.schema);
    this.t = {
      events: `${q}.failsoft_events`,
      incidents: `${q}.failsoft_incidents`,
      jobRuns: `${q}.failsoft_job_runs`,
      switches: `${q}.failsoft_switches`,
      aggregates: `${q}.failsoft_aggregates`,
      batches: `${q}.failsoft_batches`,
      version: `${q}.${SCHEMA_VERSION_TABLE}`,
    };
  }

  /** The open client (opening it on first call); rejects after `close()`. */
  protected client(): Promise<SqlClient> {
    if (this.closed) return Promise.reject(new Error('store used after close()'));
    this.opened ??= this.connect().catch((error: unknown) => {
      this.opened = undefined; // a failed open is tried again on the next call
      throw error;
    });
    return this.opened;
  }

  private async tx<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    return (await this.client()).transaction(fn);
  }

  /** Applies every migration above the database's version, under a transaction-level advisory lock. */
  async migrate(): Promise<number> {
    const q = quoteSchema(this.schema);
    return this.tx(async (tx) => {
      await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`failsoft-migrate:${this.schema}`]);
      if (this.schema !== 'public') await tx.exec(`create schema if not exists ${q}`);
      await tx.exec(
        `create table if not exists ${this.t.version} (version integer primary key, applied_at bigint not null)`,
      );
      const { rows } = await tx.query(`select coalesce(max(version), 0) as version from ${this.t.version}`);
      const current = Number(rows[0]?.version ?? 0);
      if (current > LATEST_SCHEMA_VERSION) {
        throw new Error(
          `store schema ${this.schema} is at version ${current}, newer than this failsoft knows (${LATEST_SCHEMA_VERSION}): upgrade failsoft`,
        );
      }
      for (const m of MIGRATIONS.filter((m) => m.version > current)) {
        await tx.exec(`set local search_path to ${q}`);
        await tx.exec(m.sql);
        await tx.query(`insert into ${this.t.version} (version, applied_at) values ($1, $2)`, [m.version, Date.now()]);
      }
      return LATEST_SCHEMA_VERSION;
    });
  }

  /** One statement, which is its own transaction (no begin/commit round trips). */
  private async one(sql: string, params: readonly unknown[]): Promise<SqlResult> {
    return (await this.client()).query(sql, params);
  }

  /**
   * The guard that makes a write happen once per `batchId`, in the same statement: a data-modifying `with`
   * records the id (parameters $2, $3), and the write's rows are kept only if it was new. Two retries racing
   * on one id: the second waits on the first's row, then finds it and writes nothing.
   */
  private once(options: WriteOptions | undefined): { with: string; where: string; params: unknown[] } {
    if (options?.batchId === undefined) return { with: '', where: '', params: [] };
    return {
      with: `with b as (insert into ${this.t.batches} (id, at) values ($2::text, $3::bigint) on conflict (id) do nothing returning id) `,
      where: 'where exists (select 1 from b)',
      params: [options.batchId, Date.now()],
    };
  }

  /** Appends events in batch order (seq ascending); a batch already written (same `batchId`) is skipped. */
  async appendEvents(events: readonly EventRecord[], options?: WriteOptions): Promise<void> {
    validateEvents(events);
    if (events.length === 0) return;
    const guard = this.once(options);
    await this.one(
      `${guard.with}insert into ${this.t.events} (at, type, severity, message, component, incident_id, data, instance)
       select (e->>'at')::bigint, e->>'type', e->>'severity', e->>'message', e->>'component', e->>'incidentId', e->'data', e->>'instance'
       from jsonb_array_elements($1::jsonb) with ordinality as x(e, n) ${guard.where} order by n`,
      [JSON.stringify(events), ...guard.params],
    );
  }

  /** Inserts or replaces incidents by id (the last of a batch wins). */
  async upsertIncidents(incidents: readonly IncidentRecord[]): Promise<void> {
    validateIncidents(incidents);
    if (incidents.length === 0) return;
    await this.one(
      `insert into ${this.t.incidents} (id, status, severity, title, opened_at, resolved_at, components, counts, updated_at, instance)
       select e->>'id', e->>'status', e->>'severity', e->>'title', (e->>'openedAt')::bigint, (e->>'resolvedAt')::bigint,
              e->'components', e->'counts', (e->>'updatedAt')::bigint, e->>'instance'
       from jsonb_array_elements($1::jsonb) with ordinality as x(e, n) order by n
       on conflict (id) do update set status = excluded.status, severity = excluded.severity, title = excluded.title,
         opened_at = excluded.opened_at, resolved_at = excluded.resolved_at, components = excluded.components,
         counts = excluded.counts, updated_at = excluded.updated_at, instance = excluded.instance`,
      [JSON.stringify(lastById(incidents))],
    );
  }

  private jobRunInsert(conflict: string): string {
    return `insert into ${this.t.jobRuns} (id, job, planned_at, started_at, finished_at, status, attempt, exit_code, detail, instance,
        lease_until, stdout_tail, stderr_tail)
      select e->>'id', e->>'job', (e->>'plannedAt')::bigint, (e->>'startedAt')::bigint, (e->>'finishedAt')::bigint,
             e->>'status', (e->>'attempt')::integer, (e->>'exitCode')::integer, e->>'detail', e->>'instance',
             (e->>'leaseUntil')::bigint, e->>'stdoutTail', e->>'stderrTail'
      from jsonb_array_elements($1::jsonb) with ordinality as x(e, n) order by n
      ${conflict}`;
  }

  /** Inserts or replaces job runs by id (the last of a batch wins). */
  async upsertJobRuns(runs: readonly JobRunRecord[]): Promise<void> {
    validateJobRuns(runs);
    if (runs.length === 0) return;
    await this.one(
      this.jobRunInsert(
        `on conflict (id) do update set job = excluded.job, planned_at = excluded.planned_at, started_at = excluded.started_at,
         finished_at = excluded.finished_at, status = excluded.status, attempt = excluded.attempt, exit_code = excluded.exit_code,
         detail = excluded.detail, instance = excluded.instance, lease_until = excluded.lease_until,
         stdout_tail = excluded.stdout_tail, stderr_tail = excluded.stderr_tail`,
      ),
      [JSON.stringify(lastById(runs))],
    );
  }

  /** Inserts the run unless its id exists (`on conflict do nothing`); true when this call inserted it. */
  async claimJobRun(run: JobRunRecord): Promise<boolean> {
    validateJobRuns([run], 'claimJobRun');
    const result = await this.one(this.jobRunInsert('on conflict (id) do nothing returning id'), [
      JSON.stringify([run]),
    ]);
    return result.rows.length === 1;
  }

  /** Replaces the run while its owner and lease are as expected (one conditional update); true when it did. */
  async updateJobRun(
    run: JobRunRecord,
    expected: { instance: string; leaseUntil: number | undefined },
  ): Promise<boolean> {
    validateJobRuns([run], 'updateJobRun');
    const result = await this.tx((tx) =>
      tx.query(
        `update ${this.t.jobRuns} r set job = e->>'job', planned_at = (e->>'plannedAt')::bigint, started_at = (e->>'startedAt')::bigint,
         finished_at = (e->>'finishedAt')::bigint, status = e->>'status', attempt = (e->>'attempt')::integer,
         exit_code = (e->>'exitCode')::integer, detail = e->>'detail', instance = e->>'instance',
         lease_until = (e->>'leaseUntil')::bigint, stdout_tail = e->>'stdoutTail', stderr_tail = e->>'stderrTail'
       from (select $1::jsonb as e) x
       where r.id = e->>'id' and r.instance = $2 and r.lease_until is not distinct from $3::bigint`,
        [JSON.stringify(run), expected.instance, expected.leaseUntil ?? null],
      ),
    );
    return result.rowCount === 1;
  }

  /** Records switch states in batch order. */
  async putSwitches(switches: readonly SwitchRecord[]): Promise<void> {
    validateSwitches(switches);
    if (switches.length === 0) return;
    await this.one(
      `insert into ${this.t.switches} (target, enabled, source, at, instance)
       select e->>'target', (e->>'enabled')::boolean, e->>'source', (e->>'at')::bigint, e->>'instance'
       from jsonb_array_elements($1::jsonb) with ordinality as x(e, n) order by n`,
      [JSON.stringify(switches)],
    );
  }

  /**
   * Adds to the aggregates: a batch is summed per key first, then added to the stored rows in key order;
   * a batch already written (same `batchId`) is skipped.
   */
  async addAggregates(aggregates: readonly RequestAggregate[], options?: WriteOptions): Promise<void> {
    validateAggregates(aggregates);
    if (aggregates.length === 0) return;
    const guard = this.once(options);
    await this.one(
      `${guard.with}insert into ${this.t.aggregates} as a (minute, feature, provider, outcome, instance, count, total_ms)
       select (e->>'minute')::bigint, e->>'feature', e->>'provider', e->>'outcome', e->>'instance',
              sum((e->>'count')::bigint), sum((e->>'totalMs')::double precision)
       from jsonb_array_elements($1::jsonb) e ${guard.where}
       group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5
       on conflict (minute, feature, provider, outcome, instance)
       do update set count = a.count + excluded.count, total_ms = a.total_ms + excluded.total_ms`,
      [JSON.stringify(aggregates), ...guard.params],
    );
  }

  /** Incidents opened at or after `since`, or still open; newest first. */
  async listIncidents(query: IncidentQuery = {}): Promise<IncidentRecord[]> {
    const { rows } = await (await this.client()).query(
      `select * from ${this.t.incidents} where ($1::bigint is null or opened_at >= $1::bigint or status = 'open')
       order by opened_at desc, id collate "C" desc limit $2`,
      [query.since ?? null, query.limit ?? DEFAULT_LIST_LIMIT],
    );
    return rows.map(toIncident);
  }

  /** One incident and its events in time order. */
  async getIncident(id: string): Promise<{ incident: IncidentRecord; events: StoredEvent[] } | undefined> {
    const client = await this.client();
    const found = await client.query(`select * from ${this.t.incidents} where id = $1`, [id]);
    const row = found.rows[0];
    if (!row) return undefined;
    const events = await client.query(`select * from ${this.t.events} where incident_id = $1 order by at, seq`, [id]);
    return { incident: toIncident(row), events: events.rows.map(toEvent) };
  }

  /** Events in [from, to), in time order. */
  async listEvents(query: { from: number; to?: number; limit?: number }): Promise<StoredEvent[]> {
    const { rows } = await (await this.client()).query(
      `select * from ${this.t.events} where at >= $1 and ($2::bigint is null or at < $2::bigint) order by at, seq limit $3`,
      [query.from, query.to ?? null, query.limit ?? DEFAULT_EVENT_LIMIT],
    );
    return rows.map(toEvent);
  }

  /** The latest state per target (latest `at`; on a tie, the later write), sorted by target. */
  async latestSwitches(): Promise<SwitchRecord[]> {
    const { rows } = await (await this.client()).query(
      `select * from (select distinct on (target) * from ${this.t.switches} order by target, at desc, id desc) s
       order by target collate "C"`,
    );
    return rows.map(toSwitch);
  }

  /** Job runs (of one job, planned at or after `since`), newest planned first. */
  async listJobRuns(query: { job?: string; since?: number; limit?: number }): Promise<JobRunRecord[]> {
    const { rows } = await (await this.client()).query(
      `select * from ${this.t.jobRuns} where ($1::text is null or job = $1::text) and ($2::bigint is null or planned_at >= $2::bigint)
       order by planned_at desc, id collate "C" desc limit $3`,
      [query.job ?? null, query.since ?? null, query.limit ?? DEFAULT_LIST_LIMIT],
    );
    return rows.map(toJobRun);
  }

  /** Aggregates whose minute is in [from, to), by minute then key. */
  async listAggregates(query: { from: number; to?: number }): Promise<RequestAggregate[]> {
    const { rows } = await (await this.client()).query(
      `select * from ${this.t.aggregates} where minute >= $1 and ($2::bigint is null or minute < $2::bigint)
       order by minute, feature collate "C", provider collate "C", outcome collate "C", instance collate "C"`,
      [query.from, query.to ?? null],
    );
    return rows.map(toAggregate);
  }

  /** Deletes what is older than `before` in one transaction (see `Store.prune`); returns the rows removed. */
  async prune(before: number): Promise<number> {
    const t = this.t;
    return this.tx(async (tx) => {
      const statements: Array<[string, unknown[]]> = [
        [
          `delete from ${t.events} e where e.at < $1 and not exists (select 1 from ${t.incidents} i
           where i.id = e.incident_id and (i.status = 'open' or coalesce(i.resolved_at, i.updated_at) >= $1))`,
          [before],
        ],
        [`delete from ${t.incidents} where status = 'resolved' and coalesce(resolved_at, updated_at) < $1`, [before]],
        [
          `delete from ${t.jobRuns} where status = any($2::text[]) and coalesce(finished_at, started_at, planned_at) < $1`,
          [before, FINISHED],
        ],
        [`delete from ${t.aggregates} where minute < $1`, [before]],
        [
          `delete from ${t.switches} s where s.at < $1 and exists (select 1 from ${t.switches} n
           where n.target = s.target and (n.at > s.at or (n.at = s.at and n.id > s.id)))`,
          [before],
        ],
      ];
      let removed = 0;
      for (const [sql, params] of statements) removed += (await tx.query(sql, params)).rowCount;
      await tx.query(`delete from ${t.batches} where at < $1`, [before]); // bookkeeping, not counted
      return removed;
    });
  }

  /** Closes the client if it was ever opened; later calls reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const opened = await this.opened?.catch(() => undefined);
    await opened?.close();
  }
}
