/**
 * The gateway's A/B mode (`bench/gateway.ts --ab BASELINE_CLI`): this tree's `failsoft serve` against a baseline
 * build of another commit, both in child processes behind the same simulator, with identical configs, in ONE run.
 * Rounds alternate (A B, then B A, …) so the neighbours' drift on a shared box falls on both sides alike; with
 * `--ab-together` each round loads both sides at once instead (the drift then falls on both within the round). The
 * figure that matters is the server's CPU per request (user + system from /proc, over the measured run, divided
 * by the requests served): throughput moves with the load generator and the neighbours, CPU per request much less.
 *
 * Build a baseline: `git worktree add /tmp/fs-base <commit> && ln -s "$PWD/node_modules" /tmp/fs-base/node_modules
 * && (cd /tmp/fs-base && npx tsc -p tsconfig.build.json)`, then pass `--ab /tmp/fs-base/dist/cli/main.js`.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { autocannon, cpuModel, cpuMs, startChild, type AutocannonResult } from './bench-support.js';
import { pacedLoad } from './paced-load.js';

/** What one A/B run needs from the bench. */
export interface AbOptions {
  /** Node arguments that run this tree's CLI (tsx or a build), without the command. */
  current: (cli: string[]) => string[];
  /** The baseline's built CLI entry (`…/dist/cli/main.js`). */
  baseline: string;
  /** The simulator's OpenAI base URL (`…/openai/v1`). */
  upstream: string;
  /** A scratch directory for the two configs and their record stores. */
  work: string;
  rounds: number;
  /** Seconds per measured run. */
  duration: number;
  connections: number;
  /**
   * Load both sides in the same seconds (each with `connections`), instead of one after the other: the
   * neighbours' load then falls on both within the round, and the per-round ratio is much steadier.
   */
  together: boolean;
  /**
   * Evenly paced, open-loop load at this many req/s per side (`paced-load.ts`) instead of autocannon's closed
   * loop: CPU per request falls as throughput rises (more requests share each wake-up), so at saturation the side
   * that happens to get more of the box also looks cheaper; at one fixed rate both do the same work per second.
   */
  rate: number | undefined;
  /** Children started here, for the caller to stop. */
  children: ChildProcess[];
}

interface Side {
  name: string;
  child: ChildProcess;
  url: string;
  rps: number[];
  cpuUsPerReq: number[];
  failed: number;
}

const MODEL = 'gpt-4o-mini';
const body = JSON.stringify({
  model: MODEL,
  messages: [{ role: 'user', content: 'Summarise the incident report for the on-call channel in two sentences.' }],
});
const headers = { authorization: 'Bearer sk-bench', 'content-type': 'application/json' };
const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/** The same config as the main bench's failsoft target (full policies, rate budgets set high), its own store. */
function config(upstream: string, storeDir: string): string {
  return [
    'providers:',
    '  sim:',
    '    type: openai',
    `    baseUrl: ${upstream}`,
    '    apiKeyEnv: BENCH_SIM_KEY',
    '    limits: { rpm: 100000000, tpm: 100000000000 }',
    '    attemptTimeoutMs: 10000',
    'features:',
    `  ${MODEL}:`,
    '    tier: ai-only',
    `    route: [sim/${MODEL}]`,
    '    maxOutputTokens: 256',
    '    deadlineMs: 30000',
    `store: { dir: "${storeDir}" }`,
    'policies:',
    '  breaker: { consecutiveFailures: 5, failureRatio: 0.5, minimumVolume: 20, windowMs: 10000, openMs: 5000 }',
    '  retry: { baseMs: 100, capMs: 2000, budgetRatio: 0.1 }',
    '',
  ].join('\n');
}

async function startSide(name: string, args: (cli: string[]) => string[], o: AbOptions, tag: string): Promise<Side> {
  const file = join(o.work, `failsoft-${tag}.yaml`);
  writeFileSync(file, config(o.upstream, join(o.work, `store-${tag}`)));
  const started = await startChild(
    args(['serve', '--config', file, '--port', '0']),
    /gateway listening on (http:\/\/[^\s]+)/,
    { BENCH_SIM_KEY: 'sk-bench' },
  );
  o.children.push(started.child);
  const res = await request(`${started.url}/v1/chat/completions`, { method: 'POST', headers, body });
  const text = await res.body.text();
  if (res.statusCode !== 200 || !text.includes('"chat.completion"'))
    throw new Error(`${name}: ${res.statusCode} ${text.slice(0, 300)}`);
  return { name, child: started.child, url: started.url, rps: [], cpuUsPerReq: [], failed: 0 };
}

function load(side: Side, seconds: number, connections: number): Promise<AutocannonResult> {
  return autocannon({
    url: `${side.url}/v1/chat/completions`,
    connections,
    duration: seconds,
    pipelining: 1,
    method: 'POST',
    headers,
    body,
  });
}

/** One measured run of one side: its req/s and its server CPU per request. */
async function measure(side: Side, o: AbOptions): Promise<void> {
  const before = cpuMs(side.child.pid);
  let rps: number;
  let served: number;
  if (o.rate === undefined) {
    const result = await load(side, o.duration, o.connections);
    rps = result.requests.average;
    served = result.requests.total;
    side.failed += result.non2xx + result.errors + result.timeouts;
  } else {
    const result = await pacedLoad({
      url: `${side.url}/v1/chat/completions`,
      headers,
      body,
      rate: o.rate,
      seconds: o.duration,
    });
    rps = result.rps;
    served = result.ok + result.failed;
    side.failed += result.failed;
  }
  const after = cpuMs(side.child.pid);
  if (before === undefined || after === undefined) throw new Error('no /proc/PID/stat: the A/B mode needs Linux');
  side.rps.push(rps);
  side.cpuUsPerReq.push(((after - before) * 1000) / served);
}

/** Runs the A/B rounds and prints both sides' medians and the ratios; returns current / baseline CPU per request. */
export async function runGatewayAb(o: AbOptions): Promise<number> {
  const current = await startSide('current tree', o.current, o, 'current');
  const baseline = await startSide(`baseline (${o.baseline})`, (cli) => [o.baseline, ...cli], o, 'baseline');
  const sides = [current, baseline];
  for (const side of sides) await load(side, 2, o.connections); // warm-up: JIT, pools
  const cpuRatios: number[] = [];
  const rpsRatios: number[] = [];
  for (let round = 0; round < o.rounds; round++) {
    // A B, then B A: neither side always runs first (right after the other warmed the box's caches).
    const order = round % 2 === 0 ? sides : [baseline, current];
    if (o.together) await Promise.all(order.map((side) => measure(side, o)));
    else for (const side of order) await measure(side, o);
    cpuRatios.push((current.cpuUsPerReq[round] ?? Number.NaN) / (baseline.cpuUsPerReq[round] ?? Number.NaN));
    rpsRatios.push((current.rps[round] ?? Number.NaN) / (baseline.rps[round] ?? Number.NaN));
    console.error(
      `A/B round ${round + 1}/${o.rounds}: ${sides.map((s) => `${s.name} ${Math.round(s.rps[round] ?? 0)} req/s, ${(s.cpuUsPerReq[round] ?? 0).toFixed(1)} µs/req`).join('; ')}`,
    );
  }
  const list = (values: number[], digits: number): string => values.map((v) => v.toFixed(digits)).join(', ');
  console.log(
    `\nA/B: node ${process.version}, ${cpus().length} CPUs (${cpuModel()}), load average ${loadavg()[0]?.toFixed(1) ?? '?'} at the end; ` +
      `${o.rate === undefined ? `${o.connections} connections (autocannon)` : `paced ${o.rate} req/s per side`}, ${o.rounds} ${o.together ? 'rounds loading both sides at once' : 'alternating rounds'} of ${o.duration} s after 2 s warm-up each; medians\n`,
  );
  console.log('| side | req/s | server CPU µs/req | failed |');
  console.log('|---|---:|---:|---:|');
  for (const s of sides)
    console.log(
      `| ${s.name} | ${Math.round(median(s.rps)).toLocaleString('en-US')} | ${median(s.cpuUsPerReq).toFixed(1)} | ${s.failed} |`,
    );
  console.log('');
  for (const s of sides)
    console.log(`${s.name}: req/s per round ${list(s.rps, 0)}; CPU µs/req per round ${list(s.cpuUsPerReq, 1)}`);
  const cpuRatio = median(cpuRatios);
  console.log(
    `current / baseline CPU per request, median of rounds: ${cpuRatio.toFixed(3)} (rounds: ${list(cpuRatios, 3)}; target ≤ 1.03): ${cpuRatio <= 1.03 ? 'MET' : 'NOT MET'}`,
  );
  console.log(
    `current / baseline req/s, median of rounds: ${median(rpsRatios).toFixed(3)} (rounds: ${list(rpsRatios, 3)})`,
  );
  return cpuRatio;
}
