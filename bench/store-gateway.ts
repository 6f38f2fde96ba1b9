/**
 * The record costs the request path nothing: `npx tsx bench/store-gateway.ts [--dist] [--rounds 5] [--duration 6]`.
 *
 * Two `failsoft serve` children with the same config in front of one simulator (all children, started through the
 * CLI), differing only in where their records go: (a) the embedded PGlite store in a temporary `store.dir`, written
 * in batches by the RecordWriter; (b) `store: { memory: true }` (the tracker and writer run, nothing reaches a
 * database). The simulator answers 5 % of the primary's calls with 529, so the engine emits state changes (breaker
 * opening and closing, feature modes) and the store has work, not only per-minute aggregates. autocannon drives each
 * in alternating rounds; the figure is failsoft-with-PGlite's req/s over failsoft-with-memory's, per round, median
 * (target ≥ 0.97), beside each server's CPU per request.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { autocannon, cpuModel, cpuMs, startChild, stop, waitReady } from './bench-support.js';
import { freePort } from '../src/testing/free-port.js';

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '6' },
    connections: { type: 'string', default: '50' },
    dist: { type: 'boolean', default: false },
  },
});
const rounds = Number(flags.rounds);
const duration = Number(flags.duration);
const connections = Number(flags.connections);
const cli = (args: string[]): string[] =>
  flags.dist ? ['dist/cli/main.js', ...args] : ['--import', 'tsx', 'src/cli/main.ts', ...args];
const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

const work = mkdtempSync(join(tmpdir(), 'failsoft-store-gateway-'));
const children: Array<{ kill(signal?: NodeJS.Signals): boolean }> = [];
try {
  const sim = await startChild(cli(['sim', '--port', '0', '--chunk-delay', '0']), /listening on (http:\/\/[^\s]+)/);
  children.push(sim.child);
  const simUrl = sim.url.replace(/\/$/, '');
  await fetch(`${simUrl}/_sim/faults`, {
    method: 'PUT',
    body: JSON.stringify({ anthropic: [{ kind: 'overloaded', rate: 0.05 }] }),
  });
  const config = (store: string): string =>
    [
      'providers:',
      `  claude: { type: anthropic, baseUrl: "${simUrl}/anthropic", apiKeyEnv: BENCH_KEY }`,
      `  gpt: { type: openai, baseUrl: "${simUrl}/openai/v1", apiKeyEnv: BENCH_KEY }`,
      'features:',
      '  summary: { tier: enhanced, route: [claude/claude-sonnet-4-5, gpt/gpt-4o-mini], fallback: { leadSentences: 1 }, maxOutputTokens: 256 }',
      'policies:',
      '  breaker: { consecutiveFailures: 3, openMs: 1000 }',
      store,
      '',
    ].join('\n');
  const targets: Array<{ name: string; url: string; pid: number | undefined }> = [];
  for (const [name, store] of [
    ['PGlite store', `store: { dir: "${join(work, 'store')}" }`],
    ['memory store', 'store: { memory: true }'],
  ] as const) {
    const file = join(work, `${name.split(' ')[0] ?? 'x'}.yaml`);
    writeFileSync(file, config(store));
    const port = await freePort();
    const serve = await startChild(
      cli(['serve', '--config', file, '--port', String(port), '--log-level', 'warn']),
      /(failsoft gateway listening)/,
      { BENCH_KEY: 'sim' },
    );
    children.push(serve.child);
    const url = `http://127.0.0.1:${port}`;
    await waitReady(`${url}/health`);
    targets.push({ name, url, pid: serve.child.pid });
  }
  const body = JSON.stringify({
    model: 'summary',
    messages: [{ role: 'user', content: 'Summarise the incident report for the on-call channel in two sentences.' }],
  });
  const run = (url: string, seconds: number) =>
    autocannon({
      url: `${url}/v1/chat/completions`,
      connections,
      duration: seconds,
      pipelining: 1,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
  for (const target of targets) await run(target.url, 2);
  const rps = targets.map(() => [] as number[]);
  const cpu = targets.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    // Each round in the other order: whichever runs first in a round would otherwise carry any drift of the box.
    const order = round % 2 === 0 ? [0, 1] : [1, 0];
    for (const k of order) {
      const target = targets[k] as (typeof targets)[number];
      const before = cpuMs(target.pid);
      const result = await run(target.url, duration);
      const after = cpuMs(target.pid);
      rps[k]?.push(result.requests.average);
      if (before !== undefined && after !== undefined) cpu[k]?.push(((after - before) * 1000) / result.requests.total);
      if (result.non2xx + result.errors > 0)
        throw new Error(`${target.name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
      console.error(`round ${round + 1}/${rounds} ${target.name}: ${Math.round(result.requests.average)} req/s`);
    }
  }
  const ratios = (rps[0] ?? []).map((n, i) => n / (rps[1]?.[i] ?? Number.NaN));
  const records = (await (await fetch(`${targets[0]?.url ?? ''}/health/ready`)).json()) as { store?: unknown };
  console.log(
    `\nnode ${process.version}, ${cpuModel()}, load average ${loadavg()[0]?.toFixed(1)} at the end; ${connections} connections, ${rounds} alternating rounds of ${duration} s`,
  );
  console.log('| failsoft serve | req/s (median) | server CPU µs/req |');
  console.log('|---|---:|---:|');
  for (const [k, t] of targets.entries())
    console.log(`| ${t.name} | ${Math.round(median(rps[k] ?? []))} | ${Math.round(median(cpu[k] ?? []))} |`);
  const ratio = median(ratios);
  console.log(
    `\nPGlite / memory req/s, median of rounds: ${ratio.toFixed(3)} (rounds: ${ratios.map((r) => r.toFixed(2)).join(', ')}; target ≥ 0.97): ${ratio >= 0.97 ? 'MET' : 'NOT MET'}`,
  );
  console.log(`PGlite serve's store line after the run: ${JSON.stringify(records.store)}`);
} finally {
  for (const child of children.reverse()) await stop(child as Parameters<typeof stop>[0]);
  rmSync(work, { recursive: true, force: true });
}
