-- The store schema at version 3, as released (a fixture: never edit; add schema-v4.sql when migration 4 lands).
-- Loaded into an empty schema (search_path set) by the migration tests, with a few rows, then migrate() must bring it to the latest version.
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
  instance text not null,
  lease_until bigint,
  stdout_tail text,
  stderr_tail text
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

create table failsoft_batches (
  id text primary key,
  at bigint not null
);
create index failsoft_batches_at on failsoft_batches (at);

create table failsoft_schema_version (version integer primary key, applied_at bigint not null);
insert into failsoft_schema_version (version, applied_at) values (1, 1765000000000), (2, 1765000000000), (3, 1765000000000);

-- rows written at this version, which every later migration must keep
insert into failsoft_events (at, type, severity, message, component, incident_id, data, instance)
  values (1765000000000, 'provider-opened', 'warning', 'claude opened', 'provider:claude', 'inc_v1', '{"reason": "overloaded"}', 'v1');
insert into failsoft_incidents (id, status, severity, title, opened_at, resolved_at, components, counts, updated_at, instance)
  values ('inc_v1', 'resolved', 'warning', 'claude overloaded', 1765000000000, 1765000060000, '["provider:claude"]', '{"servedBy": {}, "fallback": 0, "refused": 0, "errorsByClass": {}, "modeMs": {}}', 1765000060000, 'v1');
insert into failsoft_aggregates (minute, feature, provider, outcome, instance, count, total_ms) values (1764999960000, 'summary', 'none', 'fallback', 'v1', 3, 30);
