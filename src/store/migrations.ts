/**
 * The store's schema, as an ordered list of migrations in the one SQL dialect PGlite and PostgreSQL share.
 * A released migration is never edited: a change is a new entry at the end. Each snapshot of the schema
 * at an earlier version is kept in `__fixtures__/schema-v<N>.sql`, and the migration tests start from each
 * one. Tables are prefixed `failsoft_` so they can sit beside an application's own in one database; every
 * row names the `instance` that wrote it; times are epoch milliseconds (`bigint`); JSON is `jsonb`.
 */

/** One step of the schema. */
export interface Migration {
  version: number;
  /** What it changes, for the log. */
  description: string;
  sql: string;
}

/** Every migration, in order; versions are 1, 2, 3… with no gaps. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'events, incidents, job runs, switches, per-minute aggregates',
    sql: `
create table failsoft_events (
  seq bigserial primary key,
  at bigint not null,
  type text not null,
  severity text not null check (severity in ('info', 'warning', 'critical')),
  message text not null,
  component text not null,
  incident_id text,
  data jsonb not null,
  instance text not null
);
create index failsoft_events_at on failsoft_events (at, seq);
create index failsoft_events_incident on failsoft_events (incident_id, at, seq) where incident_id is not null;

create table failsoft_incidents (
  id text primary key,
  status text not null check (status in ('open', 'resolved')),
  severity text not null check (severity in ('warning', 'critical')),
  title text not null,
  opened_at bigint not null,
  resolved_at bigint,
  components jsonb not null,
  counts jsonb not null,
  updated_at bigint not null,
  instance text not null
);
create index failsoft_incidents_opened on failsoft_incidents (opened_at desc, id desc);
create index failsoft_incidents_open on failsoft_incidents (status) where status = 'open';

create table failsoft_job_runs (
  id text primary key,
  job text not null,
  planned_at bigint not null,
  started_at bigint,
  finished_at bigint,
  status text not null,
  attempt integer not null,
  exit_code integer,
  detail text,
  instance text not null
);
create index failsoft_job_runs_job on failsoft_job_runs (job, planned_at desc, id desc);
create index failsoft_job_runs_planned on failsoft_job_runs (planned_at desc, id desc);

create table failsoft_switches (
  id bigserial primary key,
  target text not null,
  enabled boolean not null,
  source text not null,
  at bigint not null,
  instance text not null
);
create index failsoft_switches_target on failsoft_switches (target, at desc, id desc);

create table failsoft_aggregates (
  minute bigint not null,
  feature text not null,
  provider text not null,
  outcome text not null,
  instance text not null,
  count bigint not null,
  total_ms double precision not null,
  primary key (minute, feature, provider, outcome, instance)
);
`,
  },
  {
    version: 2,
    description: "job runs: the owner's lease (many instances, one schedule) and the tails of stdout and stderr",
    sql: `
alter table failsoft_job_runs add column lease_until bigint;
alter table failsoft_job_runs add column stdout_tail text;
alter table failsoft_job_runs add column stderr_tail text;
`,
  },
  {
    version: 3,
    description: 'batches already written (a retried batch of events or aggregates is skipped, not applied twice)',
    sql: `
create table failsoft_batches (
  id text primary key,
  at bigint not null
);
create index failsoft_batches_at on failsoft_batches (at);
`,
  },
];

/** The table `migrate()` keeps the applied versions in (created by `migrate()` itself, not by a migration). */
export const SCHEMA_VERSION_TABLE = 'failsoft_schema_version';

/** Checks the list is 1, 2, 3… (a gap or a repeat is a programming error, caught by the tests). */
export function checkMigrations(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`migrations[${i}]: version ${m.version}, expected ${i + 1} (versions are 1, 2, 3… in order)`);
  });
}
