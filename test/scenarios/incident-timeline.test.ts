/**
 * An outage replayed through `failsoft serve` against the simulator, with the record in PGlite in a temp
 * directory: the primary overloaded (its breaker opens), then the second provider rate-limited (a
 * cool-down) while the third is overloaded too (summary on fallback, chat refused), then recovery. It
 * yields ONE incident whose timeline lists those changes in order, with counts equal to what the engine
 * reported; `serve` restarts mid-incident and the same incident resumes and closes; `failsoft incident
 * --markdown` (a real child process, reading the store once serve has stopped, and through the admin API
 * while serve holds it) says what the events said.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type RunningServe } from '../../src/cli/serve-command.js';
import type { CliIo } from '../../src/cli/cli-command.js';
import { describeEvent } from '../../src/engine/event-messages.js';
import type { FailsoftEvent } from '../../src/engine/events.js';
import { startSimulator, type RunningSimulator } from '../../src/sim/start-simulator.js';
import type { IncidentDetailJson, IncidentSummaryJson } from '../../src/store/timeline-json.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const TOKEN = 'scenario-admin-token';
const QUIET_MS = 2_000;
const PER_REQUEST = new Set(['request-completed', 'attempt-failed', 'attempt-hedged']);
/** Said again by feature-mode-changed: the timeline shows that one. */
const REDUNDANT = new Set(['feature-degraded', 'feature-recovered']);

let sim: RunningSimulator;
let dir: string;
let configFile: string;

beforeAll(async () => {
  sim = await startSimulator({ port: 0 });
  dir = mkdtempSync(join(tmpdir(), 'failsoft-incident-scenario-'));
  configFile = join(dir, 'failsoft.yaml');
  const route = ['claude/claude-sonnet-4-5', 'gpt/gpt-4o-mini', 'gemini/gemini-2.5-flash'];
  writeFileSync(
    configFile,
    JSON.stringify({
      providers: {
        claude: { type: 'anthropic', baseUrl: sim.urlFor('anthropic'), apiKeyEnv: 'SIM_KEY' },
        gpt: { type: 'openai', baseUrl: sim.urlFor('openai'), apiKeyEnv: 'SIM_KEY' },
        gemini: { type: 'gemini', baseUrl: sim.urlFor('gemini'), apiKeyEnv: 'SIM_KEY' },
      },
      features: {
        summary: { tier: 'enhanced', route, fallback: { leadSentences: 1 }, maxRetries: 0, hedge: false },
        chat: { tier: 'ai-only', route, maxRetries: 0, hedge: false },
      },
      policies: { breaker: { consecutiveFailures: 3, openMs: 400 }, modes: { settleMs: 100 } },
      incidents: { quietPeriod: `${QUIET_MS}ms` },
      store: { dir: join(dir, 'data') },
    }),
  );
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const env = { SIM_KEY: 'sim', FAILSOFT_ADMIN_TOKEN: TOKEN, FAILSOFT_INSTANCE: 'scenario' };
const quietIo: CliIo = { out: () => undefined, err: () => undefined };

async function serve(events: FailsoftEvent[]): Promise<RunningServe> {
  const running = await startServe(
    { configFile, port: 0, host: '127.0.0.1', help: false, logLevel: 'silent' },
    quietIo,
    env,
  );
  running.ai.on('*', (event) => events.push(event));
  return running;
}

async function ask(running: RunningServe, feature: string): Promise<number> {
  const res = await fetch(`${running.gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: feature,
      messages: [{ role: 'user', content: 'Summarize: The plant closed at noon. Workers waited outside.' }],
    }),
  });
  await res.arrayBuffer();
  return res.status;
}

async function admin<T>(running: RunningServe, path: string): Promise<T> {
  const res = await fetch(`${running.gateway.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `failsoft <args>` as a child process. */
function cli(
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env, ...extraEnv },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('an outage, its incident and its timeline', () => {
  it('yields one incident that lists the changes in order, counts what happened, survives a restart and prints as a postmortem', async () => {
    const events: FailsoftEvent[] = [];
    let first = await serve(events);

    // 1. The primary is overloaded: three 529s open its breaker; gpt answers meanwhile (failover).
    sim.setFaults({ anthropic: [{ kind: 'overloaded' }] });
    for (let i = 0; i < 5; i++) expect(await ask(first, 'summary')).toBe(200);
    // 2. The second provider rate-limits (429 Retry-After: a cool-down), the third is overloaded too:
    //    summary answers with its fallback, chat (ai-only) is refused.
    sim.setFaults({
      anthropic: [{ kind: 'overloaded' }],
      openai: [{ kind: 'rate_limited', retryAfterS: 1 }],
      gemini: [{ kind: 'overloaded', count: 2 }],
    });
    expect(await ask(first, 'summary')).toBe(200);
    expect(await ask(first, 'chat')).toBe(503);
    // 3. Recovery: faults cleared; past the breaker's open time and the cool-down, requests reach claude again.
    sim.clearFaults();
    await sleep(1_200);
    for (let i = 0; i < 3; i++) expect(await ask(first, 'summary')).toBe(200);
    expect(await ask(first, 'chat')).toBe(200);
    // A feature is back in normal once normal answers held for policies.modes.settleMs (100 ms here).
    await sleep(150);
    expect(await ask(first, 'summary')).toBe(200);
    expect(await ask(first, 'chat')).toBe(200);

    const open = await admin<{ incidents: IncidentSummaryJson[] }>(first, '/admin/incidents');
    expect(open.incidents).toHaveLength(1);
    const id = open.incidents[0]?.id as string;
    expect(open.incidents[0]).toMatchObject({ status: 'open', severity: 'warning' });
    expect(open.incidents[0]?.title).toContain('claude/claude-sonnet-4-5 overloaded');

    // 4. serve restarts inside the quiet period: the incident is resumed, not lost or duplicated.
    await first.close();
    const later: FailsoftEvent[] = [];
    first = undefined as unknown as RunningServe;
    const second = await serve(later);
    try {
      const resumed = await admin<IncidentDetailJson>(second, `/admin/incidents/${id}`);
      expect(resumed.status).toBe('open');
      expect(resumed.events.at(-1)?.type).toBe('incident-resumed');
      // While serve holds the PGlite directory, the CLI reads through its admin API.
      const through = await cli(['incident', id, '--config', configFile, '--url', second.gateway.url]);
      expect(through.stderr).toBe('');
      expect(through.stdout).toContain(`${id} · warning ·`);
      expect(through.stdout).toContain('failsoft restarted: incident resumed');
      // Nothing goes wrong after the restart: it closes a quiet period later.
      let closed = await admin<IncidentDetailJson>(second, `/admin/incidents/${id}`);
      for (let waited = 0; closed.status === 'open' && waited < QUIET_MS + 8_000; waited += 200) {
        await sleep(200);
        closed = await admin<IncidentDetailJson>(second, `/admin/incidents/${id}`);
      }
      expect(closed.status).toBe('resolved');
      expect(
        (await admin<{ incidents: IncidentSummaryJson[] }>(second, '/admin/incidents')).incidents.map((i) => i.id),
      ).toEqual([id]);
    } finally {
      await second.close();
    }

    // 5. serve has stopped: the CLI opens the store itself.
    const listed = await cli(['incidents', '--json', '--config', configFile]);
    expect(listed.stderr).toBe('');
    const list = JSON.parse(listed.stdout) as { incidents: IncidentSummaryJson[] };
    expect(list.incidents.map((i) => [i.id, i.status])).toEqual([[id, 'resolved']]);
    const json = await cli(['incident', id, '--json', '--config', configFile]);
    const detail = JSON.parse(json.stdout) as IncidentDetailJson;
    const md = await cli(['incident', id, '--markdown', '--config', configFile]);
    expect(md.code).toBe(0);

    // The incident holds every state change from the first warning on, in the order the engine emitted them.
    const state = events.filter((e) => !PER_REQUEST.has(e.type));
    const opening = state.findIndex((e) => e.type === 'provider-opened');
    expect(state[opening]).toMatchObject({ provider: 'claude', model: 'claude-sonnet-4-5' });
    const during = state.slice(opening);
    expect(detail.events.map((e) => e.type)).toEqual([...during.map((e) => e.type), 'incident-resumed']);
    // The changes asked for happened, in this order: primary opened, second provider cooling down, summary on
    // fallback, chat unavailable, then the primary closed again and summary back to normal.
    const order = (predicate: (e: FailsoftEvent) => boolean): number => during.findIndex(predicate);
    const cooled = order((e) => e.type === 'provider-cooldown-started' && e.provider === 'gpt');
    const fellBack = order((e) => e.type === 'feature-mode-changed' && e.feature === 'summary' && e.to === 'fallback');
    const refused = order((e) => e.type === 'feature-mode-changed' && e.feature === 'chat' && e.to === 'unavailable');
    const closedAgain = order((e) => e.type === 'provider-closed' && e.provider === 'claude');
    const normal = order((e) => e.type === 'feature-mode-changed' && e.feature === 'summary' && e.to === 'normal');
    expect(
      [0, cooled, fellBack, refused, closedAgain, normal].every(
        (n, i, all) => n >= 0 && (i === 0 || n > (all[i - 1] ?? 0)),
      ),
      JSON.stringify(during.map((e) => e.type)),
    ).toBe(true);

    // Counts: exactly what the engine reported from the incident's opening on (requests after the restart: none).
    const tally = {
      servedBy: {} as Record<string, number>,
      fallback: 0,
      refused: 0,
      errorsByClass: {} as Record<string, number>,
    };
    const openedAt = events.indexOf(state[opening] as FailsoftEvent);
    for (const e of events.slice(openedAt)) {
      if (e.type === 'request-completed') {
        if (e.source === 'provider')
          tally.servedBy[`${e.provider}/${e.model}`] = (tally.servedBy[`${e.provider}/${e.model}`] ?? 0) + 1;
        else if (e.source === 'fallback') tally.fallback++;
        else tally.refused++;
      }
      if (e.type === 'attempt-failed') tally.errorsByClass[e.class] = (tally.errorsByClass[e.class] ?? 0) + 1;
    }
    expect(later.filter((e) => e.type === 'request-completed')).toEqual([]);
    expect(detail.counts).toMatchObject(tally);
    expect(tally.fallback).toBe(1);
    expect(tally.refused).toBe(1);
    expect(tally.errorsByClass.rate_limited).toBeGreaterThanOrEqual(1);
    expect(detail.counts.modeMs.summary?.fallback).toBeGreaterThan(0);

    // The markdown postmortem says what the events said, in the same order.
    const text = md.stdout;
    expect(text.startsWith(`# Incident ${id}: claude/claude-sonnet-4-5 overloaded`)).toBe(true);
    const timeline = text.slice(text.indexOf('## Timeline (UTC)'), text.indexOf('## Counts'));
    let at = 0;
    for (const e of during) {
      if (REDUNDANT.has(e.type)) continue;
      const message = describeEvent(e)[1];
      const found = timeline.indexOf(message, at);
      if (found === -1) {
        // A repeat of a recent line is merged into it ("× 2"), not printed again.
        const line = timeline.split('\n').find((l) => l.includes(message));
        expect(line, `"${message}" in:\n${timeline}`).toMatch(/× \d+ \(last /);
        continue;
      }
      at = found;
    }
    expect(text).toContain('overloaded (529 × 3)');
    expect(timeline).toMatch(/- \*\*\d\d:\d\d:\d\d\*\* resolved after \d+ s\n/);
    expect(text).toContain(`Fallback answers: 1. ai-only requests refused: 1.`);
    for (const [route, n] of Object.entries(tally.servedBy)) expect(text).toContain(`| ${route} | ${n} |`);
    expect(text).toContain('## What we saw');
  }, 120_000);
});
