/**
 * `failsoft incidents` and `failsoft incident <id>` read a PostgreSQL store too (DATABASE_URL), not only PGlite:
 * the same listing, timeline and JSON from records another instance wrote.
 */
import { afterAll, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/cli-command.js';
import { incidentCommandWith, incidentsCommandWith, type IncidentCliDeps } from '../../src/cli/incidents-command.js';
import { runCli } from '../../src/cli/run-cli.js';
import { openPostgresClient, PostgresStore } from '../../src/store/postgres-store.js';
import type { EventRecord, IncidentRecord } from '../../src/store/records.js';
import { describeWithPostgres, postgresUrl } from './services.js';

const NOW = Date.now();
const incident: IncidentRecord = {
  id: 'inc_pg',
  status: 'resolved',
  severity: 'warning',
  title: 'gpt/gpt-4o asked for quiet; chat unavailable',
  openedAt: NOW - 600_000,
  resolvedAt: NOW - 300_000,
  components: ['provider:gpt/gpt-4o', 'feature:chat'],
  counts: {
    servedBy: { 'claude/claude-sonnet-4-5': 7 },
    fallback: 0,
    refused: 3,
    errorsByClass: { rate_limited: 2 },
    modeMs: { chat: { unavailable: 40_000 } },
  },
  updatedAt: NOW - 300_000,
  instance: 'gw-2',
};
const events: EventRecord[] = [
  {
    at: incident.openedAt,
    type: 'provider-cooldown-started',
    severity: 'warning',
    message: 'gpt/gpt-4o asked for quiet (429 Retry-After): no requests for 20 s',
    component: 'provider:gpt/gpt-4o',
    incidentId: 'inc_pg',
    data: {},
    instance: 'gw-2',
  },
  {
    at: incident.openedAt + 2_000,
    type: 'feature-mode-changed',
    severity: 'warning',
    message: 'feature chat: normal → unavailable',
    component: 'feature:chat',
    incidentId: 'inc_pg',
    data: {},
    instance: 'gw-2',
  },
];

async function run(argv: string[], deps: IncidentCliDeps): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const io: CliIo = { out: (line) => out.push(line), err: () => undefined };
  const code = await runCli({ incidents: incidentsCommandWith(deps), incident: incidentCommandWith(deps) }, argv, io);
  return { code, out: out.join('\n') };
}

describeWithPostgres('failsoft incidents on PostgreSQL', () => {
  const url = postgresUrl ?? '';
  const schema = `fs_cli_${Date.now().toString(36)}`;
  afterAll(async () => {
    const client = await openPostgresClient({ url });
    try {
      await client.exec(`drop schema if exists "${schema}" cascade`);
    } finally {
      await client.close();
    }
  });

  it('lists, prints the timeline and the JSON of what another instance wrote', async () => {
    const writer = new PostgresStore({ url, schema });
    await writer.migrate();
    await writer.upsertIncidents([incident]);
    await writer.appendEvents(events);
    await writer.close();
    const deps: IncidentCliDeps = { env: { DATABASE_URL: url }, openStore: () => new PostgresStore({ url, schema }) };
    const listed = await run(['incidents'], deps);
    expect(listed.code).toBe(0);
    expect(listed.out).toContain('inc_pg');
    expect(listed.out).toContain('gpt/gpt-4o asked for quiet; chat unavailable');
    const timeline = await run(['incident', 'inc_pg'], deps);
    expect(timeline.code).toBe(0);
    expect(timeline.out.indexOf('asked for quiet')).toBeLessThan(timeline.out.indexOf('normal → unavailable'));
    const json = JSON.parse((await run(['incident', 'inc_pg', '--json'], deps)).out) as {
      id: string;
      events: Array<{ type: string }>;
      counts: unknown;
    };
    expect(json.id).toBe('inc_pg');
    expect(json.events.map((e) => e.type)).toEqual(['provider-cooldown-started', 'feature-mode-changed']);
    expect(json.counts).toEqual(incident.counts);
    expect((await run(['incident', 'inc_nope'], deps)).code).toBe(1);
  });
});
