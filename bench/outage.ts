/**
 * Outage shapes: `npx tsx bench/outage.ts [--dist | --cli PATH] [--requests 600] [--seconds 8] [--clients 8]
 *   [--client-timeout 40] [--base-latency 100] [--only hang,slow-stream] [--no-portkey]`.
 *
 * For each outage shape the same interactive traffic (8 clients, each sending its next request when the last
 * is answered, alternating the features `summary` and `chat`; at most `--requests` per system or `--seconds`,
 * whichever comes first; a client gives up on a request after `--client-timeout` s) goes through
 *   (a) `failsoft serve` (a CHILD process started through the CLI, a fresh one per shape so no shape inherits
 *       another's breakers or cool-downs) with the config this script writes: `summary` enhanced with a
 *       lead-sentence fallback, `chat` ai-only, both routed claude → gpt → gemini at the simulator, and NO
 *       timeouts configured: the built-in defaults are what is measured;
 *   (b) Portkey's open-source gateway (`@portkey-ai/gateway`, one CHILD process), as its docs have a user
 *       set up fallbacks: an `x-portkey-config` header with `strategy: { mode: 'fallback' }` and one target
 *       per provider at the simulator (`custom_host`, `override_params.model`). Portkey's `request_timeout`
 *       is opt-in (no default; its docs show it as an extra); like failsoft, it runs on its defaults.
 *       As npm installs it (with @hono/node-server 1.19), Portkey 1.15.2 answers every OpenAI or Anthropic
 *       stream with a 500 "TypeError: immutable" (Portkey issues #1389, #1550); the bench preloads the
 *       workaround of Portkey PR #1390 (changing the headers of a proxied, immutable response is skipped),
 *       so Portkey's streams work and what is measured is its routing, not that bug.
 * Each system has its own simulator (in this process) so upstream calls are counted per system; both run at
 * the same time. Every upstream answers after `--base-latency` ms (a healthy provider's usual time), a stream
 * as fast as a whole answer (no pause between deltas: failsoft streams from providers even for a non-stream
 * call, to watch liveness, and a paced stream would charge it generation time the simulator does not charge
 * a non-stream answer); faults
 * sit on the primary (claude) unless said. Before the faults, 2 healthy requests per client warm each system.
 * Prints per shape and system: time to answer p50/p99 (to the whole answer; for streams to the first content
 * delta), answers by kind, upstream calls per request, streams completed vs cut, and failsoft/Portkey ratios.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import {
  startSimulator,
  type FaultDocument,
  type FaultRule,
  type RunningSimulator,
} from '../src/sim/start-simulator.js';
import { cpuModel, startChild, stop, waitReady } from './bench-support.js';
import { freePort } from '../src/testing/free-port.js';

const { values: flags } = parseArgs({
  options: {
    requests: { type: 'string', default: '600' },
    seconds: { type: 'string', default: '8' },
    clients: { type: 'string', default: '8' },
    'client-timeout': { type: 'string', default: '40' },
    'base-latency': { type: 'string', default: '100' },
    only: { type: 'string' },
    dist: { type: 'boolean', default: false },
    cli: { type: 'string' },
    'no-portkey': { type: 'boolean', default: false },
  },
});
const maxRequests = Number(flags.requests);
const windowMs = Number(flags.seconds) * 1000;
const clients = Number(flags.clients);
const clientTimeoutMs = Number(flags['client-timeout']) * 1000;
const baseMs = Number(flags['base-latency']);
const builtCli = flags.cli ?? (flags.dist ? 'dist/cli/main.js' : undefined);
const cliArgs = (args: string[]): string[] =>
  builtCli === undefined ? ['--import', 'tsx', 'src/cli/main.ts', ...args] : [builtCli, ...args];

const PROVIDERS = ['anthropic', 'openai', 'gemini'] as const;
const MODELS = { anthropic: 'claude-sonnet-4-5', openai: 'gpt-4o-mini', gemini: 'gemini-2.5-flash' } as const;
const BUDGET_RPM = 30;

interface Shape {
  name: string;
  what: string;
  faults: FaultDocument;
  stream?: boolean;
  /** Spent budget: claude's rpm in the failsoft config and at the simulator. */
  budgetRpm?: number;
  /** Why Portkey does not run this shape. */
  noPortkey?: string;
}

const SHAPES: Shape[] = [
  { name: 'healthy', what: 'no fault (reference)', faults: {} },
  { name: 'hang', what: 'primary accepts and never answers (timeout)', faults: { anthropic: [{ kind: 'timeout' }] } },
  {
    name: 'all-429-20s',
    what: 'every provider 429, Retry-After 20 s',
    faults: Object.fromEntries(PROVIDERS.map((p) => [p, [{ kind: 'rate_limited', retryAfterS: 20 }]])),
  },
  {
    name: 'primary-429-5s',
    what: 'primary 429, Retry-After 5 s',
    faults: { anthropic: [{ kind: 'rate_limited', retryAfterS: 5 }] },
  },
  {
    name: 'primary-529',
    what: 'primary 529 overloaded, at once (the easy case)',
    faults: { anthropic: [{ kind: 'overloaded' }] },
  },
  {
    // A brown-out the 5 % hedge budget can cover: the p99 should become the secondary's latency.
    name: 'primary-slow-tail',
    what: `primary ${baseMs * 5} ms instead of ${baseMs} ms on 4 % of requests`,
    faults: { anthropic: [{ kind: 'slow', latencyMs: baseMs * 4, rate: 0.04 }] },
  },
  {
    // Heavier than the hedge budget: only ~half of the slow requests can be hedged, so p99 stays slow by design.
    name: 'primary-slow-10pct',
    what: `primary ${baseMs * 5} ms instead of ${baseMs} ms on 10 % of requests (beyond the 5 % hedge budget)`,
    faults: { anthropic: [{ kind: 'slow', latencyMs: baseMs * 4, rate: 0.1 }] },
  },
  {
    name: 'slow-stream',
    what: 'primary streams a healthy answer for 20 s (chunks 500 ms apart)',
    stream: true,
    faults: { anthropic: [{ kind: 'slow_stream', durationMs: 20_000, chunkDelayMs: 500, latencyMs: baseMs }] },
  },
  {
    name: 'spent-budget',
    what: `claude limited to ${BUDGET_RPM} rpm (failsoft config and simulator)`,
    faults: {},
    budgetRpm: BUDGET_RPM,
    noPortkey: "Portkey keeps no rate budget: it would meet the provider's 429 and fall back (the primary-429 shape)",
  },
];

type Kind = 'provider' | 'fallback' | '503' | 'other' | 'no answer';
const KINDS: readonly Kind[] = ['provider', 'fallback', '503', 'other', 'no answer'];
interface Outcome {
  ms: number;
  kind: Kind;
  streamed?: { completed: boolean; totalMs: number };
}
interface Target {
  url: string;
  headers: Record<string, string>;
}
interface Row {
  shape: Shape;
  system: string;
  outcomes: Outcome[];
  upstream: number;
  byProvider: string;
  wallMs: number;
}

const agent = new Agent({ connections: clients * 4, keepAliveTimeout: 10_000 });
const PROMPT =
  'Summarise the incident report for the on-call channel. The primary provider slowed down at noon. Traffic moved to the backup.';

function bodyFor(index: number, stream: boolean): string {
  return JSON.stringify({
    model: index % 2 === 0 ? 'summary' : 'chat',
    max_tokens: 512,
    stream,
    messages: [{ role: 'user', content: PROMPT }],
  });
}

/** One request: the time to the answer (whole body, or a stream's first content delta) and what it was. */
async function send(target: Target, index: number, stream: boolean): Promise<Outcome> {
  const started = performance.now();
  const elapsed = (): number => performance.now() - started;
  let status = 0;
  let kind: Kind = 'no answer';
  let firstMs: number | undefined;
  try {
    const res = await request(`${target.url}/v1/chat/completions`, {
      method: 'POST',
      headers: target.headers,
      body: bodyFor(index, stream),
      dispatcher: agent,
      signal: AbortSignal.timeout(clientTimeoutMs),
    });
    status = res.statusCode;
    kind =
      status === 200
        ? res.headers['x-failsoft-source'] === 'fallback'
          ? 'fallback'
          : 'provider'
        : status === 503
          ? '503'
          : 'other';
    if (!stream || status !== 200) {
      await res.body.text();
      return { ms: elapsed(), kind };
    }
    let buffered = '';
    let done = false;
    let finished = false;
    let errored = false;
    for await (const chunk of res.body) {
      buffered += (chunk as Buffer).toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('data: ')) continue;
        if (line === 'data: [DONE]') {
          done = true;
          continue;
        }
        const event = JSON.parse(line.slice(6)) as {
          error?: unknown;
          choices?: { delta?: { content?: string }; finish_reason?: string | null }[];
        };
        if (event.error !== undefined) errored = true;
        if (firstMs === undefined && (event.choices?.[0]?.delta?.content ?? '') !== '') firstMs = elapsed();
        if (event.choices?.[0]?.finish_reason) finished = true;
      }
    }
    return {
      ms: firstMs ?? elapsed(),
      kind,
      streamed: { completed: done && finished && !errored, totalMs: elapsed() },
    };
  } catch {
    // Aborted at the client timeout, or the connection failed. A stream already under way is "cut".
    if (status === 200 && stream)
      return { ms: firstMs ?? elapsed(), kind, streamed: { completed: false, totalMs: elapsed() } };
    return {
      ms: elapsed(),
      kind: status === 0 && elapsed() >= clientTimeoutMs - 50 ? 'no answer' : kind === 'no answer' ? 'other' : kind,
    };
  }
}

/** `clients` closed-loop clients until `count` requests were sent or `ms` passed; waits for the last answers. */
async function load(target: Target, stream: boolean, count: number, ms: number): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const until = performance.now() + ms;
  let issued = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (issued < count && performance.now() < until) outcomes.push(await send(target, issued++, stream));
    }),
  );
  return outcomes;
}

/** The shape's rules on each provider, then the baseline latency every healthy answer has. */
function faultsWithBaseline(shape: Shape): FaultDocument {
  const base: FaultRule = { kind: 'slow', latencyMs: baseMs };
  return Object.fromEntries(PROVIDERS.map((p) => [p, [...(shape.faults[p] ?? []), base]]));
}

function failsoftConfig(sim: RunningSimulator, budgetRpm: number | undefined): string {
  const route = `[claude/${MODELS.anthropic}, gpt/${MODELS.openai}, gemini/${MODELS.gemini}]`;
  return [
    'providers:',
    '  claude:',
    '    type: anthropic',
    `    baseUrl: ${sim.urlFor('anthropic')}`,
    '    apiKeyEnv: BENCH_KEY',
    ...(budgetRpm === undefined ? [] : [`    limits: { rpm: ${budgetRpm} }`]),
    '  gpt:',
    '    type: openai',
    `    baseUrl: ${sim.urlFor('openai')}`,
    '    apiKeyEnv: BENCH_KEY',
    '  gemini:',
    '    type: gemini',
    `    baseUrl: ${sim.urlFor('gemini')}`,
    '    apiKeyEnv: BENCH_KEY',
    'features:',
    '  summary:',
    '    tier: enhanced',
    `    route: ${route}`,
    '    priority: interactive',
    '    fallback: { leadSentences: 1 }',
    '  chat:',
    '    tier: ai-only',
    `    route: ${route}`,
    '    priority: interactive',
    // Records in memory: a fresh serve per shape, and nothing written into the working tree (bench/store-gateway.ts
    // measures what the PGlite store costs the request path).
    'store: { memory: true }',
    '',
  ].join('\n');
}

function portkeyConfig(sim: RunningSimulator): string {
  return JSON.stringify({
    strategy: { mode: 'fallback' },
    targets: [
      {
        provider: 'anthropic',
        api_key: 'sk-ant-bench',
        custom_host: `${sim.urlFor('anthropic')}/v1`,
        override_params: { model: MODELS.anthropic },
      },
      {
        provider: 'openai',
        api_key: 'sk-bench',
        custom_host: sim.urlFor('openai'),
        override_params: { model: MODELS.openai },
      },
      {
        provider: 'google',
        api_key: 'AIza-bench',
        custom_host: sim.urlFor('gemini'),
        override_params: { model: MODELS.gemini },
      },
    ],
  });
}

/** Portkey PR #1390's workaround, preloaded: headers it cannot change on a proxied response are left as they are. */
const PORTKEY_PRELOAD = `for (const method of ['append', 'set', 'delete']) {
  const original = Headers.prototype[method];
  Headers.prototype[method] = function (...args) {
    try { return original.apply(this, args); } catch (error) {
      if (error instanceof TypeError && error.message === 'immutable') return undefined;
      throw error;
    }
  };
}
`;

/** Runs one system through a shape: warm-up, faults on, the traffic, then the simulator's count of calls. */
async function measure(shape: Shape, system: string, target: Target, sim: RunningSimulator): Promise<Row> {
  const stream = shape.stream === true;
  sim.setFaults(faultsWithBaseline({ ...shape, faults: {} }));
  await load(target, stream, clients * 2, clientTimeoutMs);
  sim.resetStats();
  sim.setFaults(faultsWithBaseline(shape));
  const started = performance.now();
  const outcomes = await load(target, stream, maxRequests, windowMs);
  const wallMs = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 200)); // calls still leaving the gateway
  const stats = sim.stats();
  sim.clearFaults();
  const upstream = PROVIDERS.reduce((n, p) => n + (stats[p]?.requests ?? 0), 0);
  const byProvider = PROVIDERS.map((p) => {
    const failed = Object.entries(stats[p]?.statuses ?? {})
      .filter(([status]) => status !== '200')
      .map(([status, n]) => `${status}×${n}`);
    return `${p.slice(0, 6)} ${stats[p]?.requests ?? 0}${failed.length > 0 ? ` [${failed.join(' ')}]` : ''}`;
  }).join(', ');
  return { shape, system, outcomes, upstream, byProvider, wallMs };
}

// ---- report ------------------------------------------------------------------------------------------------
function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}
const ms = (n: number): string => (Number.isFinite(n) ? (n >= 100 ? n.toFixed(0) : n.toFixed(1)) : '-');
const timeOf = (row: Row, q: number): string => {
  const value = percentile(
    row.outcomes.map((o) => o.ms),
    q,
  );
  return `${value >= clientTimeoutMs - 50 ? '≥' : ''}${ms(value)}`;
};
const callsPerRequest = (row: Row): number => row.upstream / Math.max(1, row.outcomes.length);

function printRows(rows: Row[]): void {
  const header = [
    'shape',
    'system',
    'requests',
    'p50 ms',
    'p99 ms',
    ...KINDS.map((k) => (k === 'provider' || k === 'fallback' ? `200 ${k}` : k)),
    'upstream calls/req',
    'streams completed/cut',
  ];
  const table = rows.map((row) => {
    const count = (kind: Kind): string => String(row.outcomes.filter((o) => o.kind === kind).length);
    const streams = row.outcomes.filter((o) => o.streamed !== undefined);
    const completed = streams.filter((o) => o.streamed?.completed).length;
    return [
      row.shape.name,
      row.system,
      String(row.outcomes.length),
      timeOf(row, 0.5),
      timeOf(row, 0.99),
      ...KINDS.map(count),
      `${callsPerRequest(row).toFixed(2)} (${row.byProvider})`,
      streams.length === 0 ? '-' : `${completed}/${streams.length - completed}`,
    ];
  });
  const widths = header.map((h, c) => Math.max(h.length, ...table.map((r) => r[c]?.length ?? 0)));
  const line = (cells: string[]): string =>
    `| ${cells.map((cell, c) => (c < 2 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, c) => (c < 2 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const row of table) console.log(line(row));
}

function printRatios(rows: Row[]): void {
  if (!rows.some((r) => r.system === 'Portkey')) return;
  console.log('\nfailsoft / Portkey in the same run (below 1 = failsoft answers sooner / calls upstream less):');
  for (const shape of SHAPES) {
    const ours = rows.find((r) => r.shape === shape && r.system === 'failsoft');
    const theirs = rows.find((r) => r.shape === shape && r.system === 'Portkey');
    if (!ours || !theirs) continue;
    const ratio = (q: number): string => {
      const value =
        percentile(
          ours.outcomes.map((o) => o.ms),
          q,
        ) /
        percentile(
          theirs.outcomes.map((o) => o.ms),
          q,
        );
      return Number.isFinite(value) ? `${value.toFixed(2)}×` : '-';
    };
    const calls = callsPerRequest(ours) / callsPerRequest(theirs);
    console.log(
      `  ${shape.name.padEnd(18)} p50 ${ratio(0.5)}, p99 ${ratio(0.99)}, upstream calls/req ${Number.isFinite(calls) ? `${calls.toFixed(2)}×` : '-'}`,
    );
  }
}

// ---- run ---------------------------------------------------------------------------------------------------
const only = flags.only?.split(',').map((s) => s.trim());
const unknown = only?.filter((name) => !SHAPES.some((s) => s.name === name)) ?? [];
if (unknown.length > 0)
  throw new Error(`--only ${unknown.join(',')}: unknown shape (known: ${SHAPES.map((s) => s.name).join(', ')})`);
const shapes = SHAPES.filter((s) => !only || only.includes(s.name));
const work = mkdtempSync(join(tmpdir(), 'failsoft-outage-'));
const children: ChildProcess[] = [];
const simFailsoft = await startSimulator({ port: 0, chunkDelayMs: 0 });
const simPortkey = await startSimulator({ port: 0, chunkDelayMs: 0 });
const rows: Row[] = [];
const benchStarted = performance.now();
try {
  let portkey: Target | undefined;
  if (!flags['no-portkey']) {
    const port = await freePort();
    const preload = join(work, 'portkey-immutable-headers.mjs');
    writeFileSync(preload, PORTKEY_PRELOAD);
    const child = await startChild(
      [
        '--import',
        pathToFileURL(preload).href,
        'node_modules/@portkey-ai/gateway/build/start-server.js',
        `--port=${port}`,
        '--headless',
      ],
      /(Ready) for connections/,
      { NODE_ENV: 'production' },
    );
    children.push(child.child);
    const url = `http://127.0.0.1:${port}`;
    await waitReady(url);
    portkey = { url, headers: { 'content-type': 'application/json', 'x-portkey-config': portkeyConfig(simPortkey) } };
  }
  for (const shape of shapes) {
    const shapeStarted = performance.now();
    const configFile = join(work, `${shape.name}.yaml`);
    writeFileSync(configFile, failsoftConfig(simFailsoft, shape.budgetRpm));
    const limits = shape.budgetRpm === undefined ? undefined : { anthropic: { rpm: shape.budgetRpm } };
    if (limits) simFailsoft.setLimits(limits);
    const failsoft = await startChild(
      cliArgs(['serve', '--config', configFile, '--port', '0', '--log-level', 'warn']),
      /gateway listening on (http:\/\/[^\s]+)/,
      { BENCH_KEY: 'sk-bench' },
    );
    try {
      const runs = [
        measure(
          shape,
          'failsoft',
          { url: failsoft.url, headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' } },
          simFailsoft,
        ),
      ];
      if (portkey && !shape.noPortkey) runs.push(measure(shape, 'Portkey', portkey, simPortkey));
      rows.push(...(await Promise.all(runs)));
    } finally {
      await stop(failsoft.child);
      simFailsoft.clearLimits();
    }
    console.error(`${shape.name}: ${((performance.now() - shapeStarted) / 1000).toFixed(1)} s`);
  }
} finally {
  await Promise.all(children.map(stop));
  await agent.close();
  await simFailsoft.close();
  await simPortkey.close();
  rmSync(work, { recursive: true, force: true });
}

console.log(
  `\nnode ${process.version}, ${cpus().length} CPUs (${cpuModel()}), load average ${loadavg()[0]?.toFixed(1) ?? '?'} at the end; ` +
    `${clients} clients per system, both systems at once, each on its own simulator; per shape ≤ ${maxRequests} requests or ${windowMs / 1000} s, ` +
    `client timeout ${clientTimeoutMs / 1000} s; upstream base latency ${baseMs} ms; failsoft via ${builtCli ?? 'tsx (≈ 30 ms more per request than the build: npm run build, then --dist)'}; whole run ${((performance.now() - benchStarted) / 1000).toFixed(0)} s\n`,
);
for (const shape of shapes)
  console.log(`- ${shape.name}: ${shape.what}${shape.noPortkey ? ` (Portkey skipped: ${shape.noPortkey})` : ''}`);
console.log('');
printRows(rows);
printRatios(rows);
