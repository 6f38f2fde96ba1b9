/**
 * The gateway's A/B mode (`bench/gateway.ts --ab BASELINE_CLI`): this tree's `failsoft serve` against a baseline
 * build of another commit, in child processes behind the same simulator, with identical configs, in ONE run. Each
 * side runs two processes, started A B B A (the start order alone moved CPU per request by 2–4 % between
 * processes of the same build). Rounds alternate their order (A B B A, then B A A B) so the neighbours' drift on a
 * shared box falls on both sides alike; with `--ab-together` each round loads all four at once instead, and with
 * `--ab-rate N` each process gets an evenly paced N req/s rather than autocannon's closed loop. The figure that
 * matters is the server's CPU per request (user + system from /proc over the measured run, divided by the
 * requests served): throughput moves with the load generator and the neighbours, CPU per request much less.
 *
 * To read a small difference: run an A/A (`--cli` and `--ab` the same build: what the method cannot tell apart),
 * and the swapped run (`--cli BASELINE --ab CURRENT`); the change's own ratio is √(A/B ÷ B/A), any bias of the
 * roles cancelled.
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

/** One running failsoft serve. */
interface Proc {
  child: ChildProcess;
  url: string;
}

/** One side of the comparison: two processes of one build, and its figures per round. */
interface Side {
  name: string;
  procs: Proc[];
  /** Mean req/s of its processes, per round. */
  rps: number[];
  /** Its processes' CPU over the requests they served, per round. */
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

async function startProc(args: (cli: string[]) => string[], o: AbOptions, tag: string): Promise<Proc> {
  const file = join(o.work, `failsoft-${tag}.yaml`);
  writeFileSync(file, config(o.upstream, join(o.work, `store-${tag}`)));
  const started = await startChild(
    args(['serve', '--config', file, '--port', '0']),
    /gateway listening on (http:\/\/[^\s]+)/,
    {
      BENCH_SIM_KEY: 'sk-bench',
    },
  );
  o.children.push(started.child);
  const res = await request(`${started.url}/v1/chat/completions`, { method: 'POST', headers, body });
  const text = await res.body.text();
  if (res.statusCode !== 200 || !text.includes('"chat.completion"'))
    throw new Error(`${tag}: ${res.statusCode} ${text.slice(0, 300)}`);
  return started;
}

function load(proc: Proc, seconds: number, connections: number): Promise<AutocannonResult> {
  return autocannon({
    url: `${proc.url}/v1/chat/completions`,
    connections,
    duration: seconds,
    pipelining: 1,
    method: 'POST',
    headers,
    body,
  });
}

/** One measured run of one process: req/s, requests served, CPU ms used, failures. */
async function measure(
  proc: Proc,
  o: AbOptions,
): Promise<{ rps: number; served: number; cpu: number; failed: number }> {
  const before = cpuMs(proc.child.pid);
  let run: { rps: number; served: number; failed: number };
  if (o.rate === undefined) {
    const result = await load(proc, o.duration, o.connections);
    run = {
      rps: result.requests.average,
      served: result.requests.total,
      failed: result.non2xx + result.errors + result.timeouts,
    };
  } else {
    const url = `${proc.url}/v1/chat/completions`;
    const result = await pacedLoad({ url, headers, body, rate: o.rate, seconds: o.duration });
    run = { rps: result.rps, served: result.ok + result.failed, failed: result.failed };
  }
  const after = cpuMs(proc.child.pid);
  if (before === undefined || after === undefined) throw new Error('no /proc/PID/stat: the A/B mode needs Linux');
  return { ...run, cpu: after - before };
}

/** Runs the A/B rounds and prints both sides' medians and the ratios; returns current / baseline CPU per request. */
export async function runGatewayAb(o: AbOptions): Promise<number> {
  // Two processes a side, started A B B A: the order a process starts in (and so where the scheduler puts it)
  // moved CPU per request by ~4 % between two processes of the SAME build; ABBA puts that on both sides alike.
  const currentArgs = o.current;
  const baselineArgs = (cli: string[]): string[] => [o.baseline, ...cli];
  const a1 = await startProc(currentArgs, o, 'current-1');
  const b1 = await startProc(baselineArgs, o, 'baseline-1');
  const b2 = await startProc(baselineArgs, o, 'baseline-2');
  const a2 = await startProc(currentArgs, o, 'current-2');
  const current: Side = { name: 'current tree', procs: [a1, a2], rps: [], cpuUsPerReq: [], failed: 0 };
  const baseline: Side = { name: `baseline (${o.baseline})`, procs: [b1, b2], rps: [], cpuUsPerReq: [], failed: 0 };
  const sides = [current, baseline];
  for (const proc of [a1, b1, b2, a2]) await load(proc, 2, o.connections); // warm-up: JIT, pools
  const cpuRatios: number[] = [];
  const rpsRatios: number[] = [];
  for (let round = 0; round < o.rounds; round++) {
    // A B B A, then B A A B: neither side always runs first (right after the other warmed the box's caches).
    const order = round % 2 === 0 ? [a1, b1, b2, a2] : [b1, a1, a2, b2];
    const runs = new Map<Proc, Awaited<ReturnType<typeof measure>>>();
    if (o.together) await Promise.all(order.map(async (proc) => runs.set(proc, await measure(proc, o))));
    else for (const proc of order) runs.set(proc, await measure(proc, o));
    for (const side of sides) {
      const mine = side.procs.map(
        (proc) => runs.get(proc) ?? { rps: Number.NaN, served: 0, cpu: Number.NaN, failed: 0 },
      );
      side.rps.push(mine.reduce((n, r) => n + r.rps, 0) / mine.length);
      side.cpuUsPerReq.push((mine.reduce((n, r) => n + r.cpu, 0) * 1000) / mine.reduce((n, r) => n + r.served, 0));
      side.failed += mine.reduce((n, r) => n + r.failed, 0);
    }
    cpuRatios.push((current.cpuUsPerReq[round] ?? Number.NaN) / (baseline.cpuUsPerReq[round] ?? Number.NaN));
    rpsRatios.push((current.rps[round] ?? Number.NaN) / (baseline.rps[round] ?? Number.NaN));
    console.error(
      `A/B round ${round + 1}/${o.rounds}: ${sides.map((s) => `${s.name} ${Math.round(s.rps[round] ?? 0)} req/s, ${(s.cpuUsPerReq[round] ?? 0).toFixed(1)} µs/req`).join('; ')}`,
    );
  }
  const list = (values: number[], digits: number): string => values.map((v) => v.toFixed(digits)).join(', ');
  console.log(
    `\nA/B: node ${process.version}, ${cpus().length} CPUs (${cpuModel()}), load average ${loadavg()[0]?.toFixed(1) ?? '?'} at the end; ` +
      `two processes a side started A B B A; ${o.rate === undefined ? `${o.connections} connections (autocannon)` : `paced ${o.rate} req/s per process`}, ${o.rounds} ${o.together ? 'rounds loading all four at once' : 'alternating rounds'} of ${o.duration} s after 2 s warm-up each; medians\n`,
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
