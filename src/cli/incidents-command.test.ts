import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFailsoft } from '../engine/failsoft.js';
import { startGateway } from '../gateway/gateway-server.js';
import { MemoryStore } from '../store/memory-store.js';
import { PgliteStore } from '../store/pglite-store.js';
import type { EventRecord, IncidentRecord } from '../store/records.js';
import { storeIncidentReader } from '../store/incident-reader.js';
import type { CliIo } from './cli-command.js';
import { runCli } from './run-cli.js';
import { incidentCommandWith, incidentsCommandWith, type IncidentCliDeps } from './incidents-command.js';

const NOW = Date.now();
const incident: IncidentRecord = {
  id: 'inc_a',
  status: 'resolved',
  severity: 'warning',
  title: 'claude/claude-sonnet-4-5 overloaded; summary on fallback',
  openedAt: NOW - 3_600_000,
  resolvedAt: NOW - 3_000_000,
  components: ['provider:claude/claude-sonnet-4-5', 'feature:summary'],
  counts: {
    servedBy: { 'gpt/gpt-4o-mini': 12 },
    fallback: 4,
    refused: 1,
    errorsByClass: { overloaded: 5 },
    modeMs: { summary: { fallback: 60_000 } },
  },
  updatedAt: NOW - 2_700_000,
  instance: 'gw-1',
};
const old: IncidentRecord = {
  ...incident,
  id: 'inc_old',
  title: 'old',
  openedAt: NOW - 3 * 86_400_000,
  resolvedAt: NOW - 3 * 86_400_000 + 60_000,
  updatedAt: NOW - 3 * 86_400_000,
};
const events: EventRecord[] = [
  {
    at: incident.openedAt,
    type: 'provider-opened',
    severity: 'warning',
    message: 'claude/claude-sonnet-4-5 opened: consecutive-failures — overloaded (529 × 5)',
    component: 'provider:claude/claude-sonnet-4-5',
    incidentId: 'inc_a',
    data: {},
    instance: 'gw-1',
  },
  {
    at: incident.openedAt + 1_000,
    type: 'feature-mode-changed',
    severity: 'warning',
    message: 'feature summary: failover → fallback',
    component: 'feature:summary',
    incidentId: 'inc_a',
    data: {},
    instance: 'gw-1',
  },
];

async function fill(store: MemoryStore | PgliteStore): Promise<void> {
  await store.migrate();
  await store.upsertIncidents([incident, old]);
  await store.appendEvents(events);
}

function capture(): CliIo & { out_: string[]; err_: string[] } {
  const out_: string[] = [];
  const err_: string[] = [];
  return { out_, err_, out: (line) => out_.push(line), err: (line) => err_.push(line) };
}

async function run(argv: string[], deps: IncidentCliDeps): Promise<{ code: number; out: string; err: string }> {
  const io = capture();
  const code = await runCli({ incidents: incidentsCommandWith(deps), incident: incidentCommandWith(deps) }, argv, io);
  return { code, out: io.out_.join('\n'), err: io.err_.join('\n') };
}

describe('failsoft incidents / incident, from a store', () => {
  const store = new MemoryStore();
  const deps: IncidentCliDeps = { env: {}, openStore: () => store };
  beforeAll(async () => {
    await fill(store);
    // The command closes what it opened: give it a store whose close leaves this one usable.
    deps.openStore = () => Object.assign(Object.create(store) as MemoryStore, { close: async () => undefined });
  });

  it('lists the last 24 h by default, and further back with --since', async () => {
    const listed = await run(['incidents'], deps);
    expect(listed.code).toBe(0);
    expect(listed.out).toContain('inc_a');
    expect(listed.out).toMatch(/10 min\s+warning\s+claude\/claude-sonnet-4-5 overloaded; summary on fallback/);
    expect(listed.out).not.toContain('inc_old');
    expect((await run(['incidents', '--since', '7d'], deps)).out).toContain('inc_old');
    const json = JSON.parse((await run(['incidents', '--json'], deps)).out) as {
      incidents: Array<Record<string, unknown>>;
    };
    expect(json.incidents[0]).toMatchObject({
      id: 'inc_a',
      status: 'resolved',
      severity: 'warning',
      openedAt: new Date(incident.openedAt).toISOString(),
      counts: incident.counts,
    });
  });

  it('prints one timeline, a markdown postmortem or JSON; an unknown id exits 1 naming it', async () => {
    const text = await run(['incident', 'inc_a'], deps);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/\d\d:\d\d feature summary: failover → fallback/);
    expect(text.out).toContain('resolved after 10 min');
    const md = await run(['incident', 'inc_a', '--markdown'], deps);
    expect(md.out.startsWith('# Incident inc_a: claude/claude-sonnet-4-5 overloaded; summary on fallback')).toBe(true);
    const json = JSON.parse((await run(['incident', 'inc_a', '--json'], deps)).out) as {
      events: Array<{ at: string; type: string; message: string }>;
    };
    expect(json.events.map((e) => e.type)).toEqual(['provider-opened', 'feature-mode-changed']);
    const missing = await run(['incident', 'inc_zzz'], deps);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('no incident "inc_zzz"');
  });

  it('names the bad flag (exit 2)', async () => {
    for (const [argv, message] of [
      [['incidents', '--since', 'yesterday'], '--since yesterday: expected a duration like 30m, 24h or 7d'],
      [['incidents', '--limit', '0'], '--limit 0: expected an integer from 1 to 1000'],
      [['incidents', '--markdown'], '--markdown renders one incident'],
      [['incident'], 'which incident? give its id'],
      [['incident', 'a', '--json', '--markdown'], '--json and --markdown: choose one'],
      [['incident', 'a', '--since', '1h'], '--since lists incidents'],
      [['incidents', '--url', 'localhost'], '--url localhost: expected http://HOST:PORT'],
    ] as const) {
      const result = await run([...argv], deps);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.err).toContain(message);
    }
  });
});

describe('a PGlite store held by a running server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'failsoft-incidents-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const configFile = join(dir, 'failsoft.yaml');
  writeFileSync(configFile, `store:\n  dir: ${join(dir, 'data')}\n`);

  it('reads the directory itself when free, and through the admin API while a server holds it', async () => {
    const env = { FAILSOFT_ADMIN_TOKEN: 'tok' };
    const writer = new PgliteStore({ dir: join(dir, 'data') });
    await fill(writer);
    // The "server": holds the directory and serves /admin/incidents from it.
    const ai = createFailsoft({ features: { billing: { tier: 'critical' } } }, { env: {} });
    const gateway = await startGateway({
      ai,
      port: 0,
      host: '127.0.0.1',
      adminToken: 'tok',
      incidents: storeIncidentReader(writer),
    });
    try {
      const through = await run(['incident', 'inc_a', '--config', configFile, '--url', gateway.url], { env });
      expect(through.err).toBe('');
      expect(through.out).toContain('claude/claude-sonnet-4-5 opened: consecutive-failures — overloaded (529 × 5)');
      const wrongToken = await run(['incidents', '--config', configFile, '--url', gateway.url], {
        env: { FAILSOFT_ADMIN_TOKEN: 'nope' },
      });
      expect(wrongToken.code).toBe(1);
      expect(wrongToken.err).toContain('set FAILSOFT_ADMIN_TOKEN');
    } finally {
      await gateway.close();
      await ai.close();
      await writer.close();
    }
    const direct = await run(['incidents', '--config', configFile, '--since', '7d', '--url', 'http://127.0.0.1:9'], {
      env,
    });
    expect(direct.err).toBe('');
    expect(direct.out).toContain('inc_old');
  }, 60_000);

  it('with no store here, reads the server --url names, and says so when none answers', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'failsoft-incidents-none-'));
    const file = join(empty, 'failsoft.yaml');
    writeFileSync(file, `store:\n  dir: ${join(empty, 'data')}\n`);
    try {
      const down = await run(['incidents', '--config', file, '--url', 'http://127.0.0.1:9'], { env: {} });
      expect(down.code).toBe(1);
      expect(down.err).toContain('cannot reach failsoft serve at http://127.0.0.1:9');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
