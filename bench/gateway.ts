/**
 * Gateway overhead: `npx tsx bench/gateway.ts [--duration 8] [--rounds 5] [--connections 50] [--rate 1000] [--dist | --cli PATH] [--no-portkey] [--cpu-prof DIR]`.
 *
 * Four targets through identical OpenAI chat-completion requests (non-stream), each server in its own
 * CHILD process, autocannon in this process, 50 connections, the simulator upstream (`--chunk-delay 0`):
 *   1. the simulator directly;
 *   2. a bare node:http + undici pass-through proxy (`bench/bare-proxy.ts`): the practical limit;
 *   3. `failsoft serve --config <generated yaml>`, full policies (breaker, rate budgets set high,
 *      retry budget, deadline, validation, translation both ways); the feature is named `gpt-4o-mini`
 *      so the request body is byte-identical for every target;
 *   4. Portkey's open-source gateway (`@portkey-ai/gateway`), routed with `x-portkey-provider: openai`
 *      and `x-portkey-custom-host`.
 * Then: p99 at a fixed rate for the bare proxy and failsoft, 3 alternating runs each, medians: evenly paced
 * and open loop (`paced-load.ts`, the verdict), and autocannon's `overallRate` (bursty, for reference); the failsoft
 * process's RSS (VmRSS) right after the loaded runs and, the verdict, `--settle` s (15) after the last request,
 * once the run is over and the gateway quiet; a streamed answer's time to first body byte through failsoft vs
 * directly from the simulator (small undici client, interleaved). Targets (issue "The gateway", Fast):
 * failsoft ≥ 70 % of bare rps and ≥ 10× Portkey; p99 at 1k rps ≤ bare p99 + 2 ms; RSS ≤ 100 MB; first
 * chunk ≤ 1 ms later than from the simulator. `--cpu-prof DIR` profiles the failsoft child.
 *
 * `--ab BASELINE_CLI`: instead, this tree's failsoft against a baseline build of another commit, alternating
 * rounds, CPU per request and req/s for both and their ratio (see gateway-ab.ts; e.g. `npm run build && npx tsx
 * bench/gateway.ts --dist --ab /tmp/fs-base/dist/cli/main.js --rounds 6`).
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { pacedLoad, percentile, type PacedResult } from './paced-load.js';
import { firstChunkDelay, startFirstChunkProbe } from './first-chunk-probe.js';
import {
  autocannon,
  cpuMs,
  cpuModel,
  rssMb,
  startChild,
  stop,
  waitReady,
  type AutocannonResult,
} from './bench-support.js';
import { freePort } from '../src/testing/free-port.js';
import { runGatewayAb } from './gateway-ab.js';

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '8' },
    /** Throughput rounds: every target runs once per round, in turn. */
    rounds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    rate: { type: 'string', default: '1000' },
    'ttfb-samples': { type: 'string', default: '400' },
    dist: { type: 'boolean', default: false },
    /** A built CLI entry to run instead (e.g. a build made with `tsc --outDir` elsewhere). */
    cli: { type: 'string' },
    'no-portkey': { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    /** Seconds to wait after the last request before reading RSS again (failsoft's idle trim runs ~6–8 s after it). */
    settle: { type: 'string', default: '15' },
    /**
     * Confine the load generator (this process) and the simulator to CPU 0; every gateway may use any CPU.
     * On a 2-CPU box the load generator and the upstream otherwise compete with a fast gateway for the same
     * cores (at 8k req/s they need ~0.8 of a core; at Portkey's 700 req/s almost none).
     */
    'pin-load': { type: 'boolean', default: false },
    /** A baseline's built CLI: run the A/B comparison (this tree against it) instead of the four targets. */
    ab: { type: 'string' },
    /** With --ab: load both sides in the same seconds each round (steadier on a busy box). */
    'ab-together': { type: 'boolean', default: false },
    /** With --ab: evenly paced load at this many req/s per side instead of autocannon's closed loop. */
    'ab-rate': { type: 'string' },
  },
});
const duration = Number(flags.duration);
const rounds = Number(flags.rounds);
const connections = Number(flags.connections);
const rate = Number(flags.rate);
const ttfbSamples = Number(flags['ttfb-samples']);

const prompt = 'Summarise the incident report for the on-call channel in two sentences.';
const MODEL = 'gpt-4o-mini';
const body = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: prompt }] });
const streamBody = JSON.stringify({ model: MODEL, stream: true, messages: [{ role: 'user', content: prompt }] });
const baseHeaders = { authorization: 'Bearer sk-bench', 'content-type': 'application/json' };

interface Target {
  name: string;
  child: ChildProcess;
  url: string;
  path: string;
  headers: Record<string, string>;
}

function load(target: Target, seconds: number, overallRate?: number, streamed = false): Promise<AutocannonResult> {
  return autocannon({
    url: target.url + target.path,
    connections,
    duration: seconds,
    pipelining: 1,
    method: 'POST',
    headers: target.headers,
    body: streamed ? streamBody : body,
    ...(overallRate === undefined ? {} : { overallRate }),
  });
}

/** Checks one request works before loading it, so a misrouted target fails loudly, not as a fast 4xx. */
async function check(target: Target): Promise<void> {
  const res = await request(target.url + target.path, { method: 'POST', headers: target.headers, body });
  const text = await res.body.text();
  if (res.statusCode !== 200 || !text.includes('"chat.completion"'))
    throw new Error(`${target.name}: ${res.statusCode} ${text.slice(0, 300)}`);
}

const builtCli = flags.cli ?? (flags.dist ? 'dist/cli/main.js' : undefined);
const tsxOrDist = (cli: string[]): string[] =>
  builtCli === undefined ? ['--import', 'tsx', 'src/cli/main.ts', ...cli] : [builtCli, ...cli];

// ---- start the four servers ----------------------------------------------------------------------
const allCpus = `0-${cpus().length - 1}`;
const pin = (pid: number | undefined, list: string): void => {
  if (flags['pin-load'] && pid !== undefined)
    execFileSync('taskset', ['-a', '-p', '-c', list, String(pid)], { stdio: 'ignore' });
};
pin(process.pid, '0'); // children inherit it: the simulator stays on CPU 0, the gateways are widened below
const work = mkdtempSync(join(tmpdir(), 'failsoft-bench-'));
const children: ChildProcess[] = [];
try {
  const sim = await startChild(
    tsxOrDist(['sim', '--port', '0', '--chunk-delay', '0']),
    /listening on (http:\/\/[^\s]+)/,
  );
  children.push(sim.child);
  const simOpenAi = `${sim.url}/openai/v1`;
  if (flags.ab !== undefined) {
    await runGatewayAb({
      current: tsxOrDist,
      baseline: flags.ab,
      upstream: simOpenAi,
      work,
      rounds,
      duration,
      connections,
      children,
      together: flags['ab-together'],
      rate: flags['ab-rate'] === undefined ? undefined : Number(flags['ab-rate']),
    });
  } else {
    const bare = await startChild(
      ['--import', 'tsx', 'bench/bare-proxy.ts', '--upstream', simOpenAi],
      /listening on (http:\/\/[^\s]+)/,
    );
    children.push(bare.child);
    pin(bare.child.pid, allCpus);

    const probe = await startFirstChunkProbe();
    // A second bare proxy in front of the probe: what one more hop costs any Node proxy.
    const bareProbe = await startChild(
      ['--import', 'tsx', 'bench/bare-proxy.ts', '--upstream', probe.url],
      /listening on (http:\/\/[^\s]+)/,
    );
    children.push(bareProbe.child);
    pin(bareProbe.child.pid, allCpus);
    const high = { rpm: 100_000_000, tpm: 100_000_000_000 };
    const yaml = [
      'providers:',
      '  sim:',
      '    type: openai',
      `    baseUrl: ${simOpenAi}`,
      '    apiKeyEnv: BENCH_SIM_KEY',
      `    limits: { rpm: ${high.rpm}, tpm: ${high.tpm} }`,
      '    attemptTimeoutMs: 10000',
      '  probe:',
      '    type: openai-compatible',
      `    baseUrl: ${probe.url}`,
      'features:',
      '  probe:',
      '    tier: ai-only',
      '    route: [probe/probe-model]',
      `  ${MODEL}:`,
      '    tier: ai-only',
      `    route: [sim/${MODEL}]`,
      '    maxOutputTokens: 256',
      '    deadlineMs: 30000',
      // The default record store (PGlite), in the run's own directory, not the working tree's ./.failsoft.
      `store: { dir: "${join(work, 'store')}" }`,
      'policies:',
      '  breaker: { consecutiveFailures: 5, failureRatio: 0.5, minimumVolume: 20, windowMs: 10000, openMs: 5000 }',
      '  retry: { baseMs: 100, capMs: 2000, budgetRatio: 0.1 }',
      '',
    ].join('\n');
    const configFile = join(work, 'failsoft.yaml');
    writeFileSync(configFile, yaml);
    const profArgs = flags['cpu-prof'] === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', flags['cpu-prof']];
    const failsoft = await startChild(
      [...profArgs, ...tsxOrDist(['serve', '--config', configFile, '--port', '0'])],
      /gateway listening on (http:\/\/[^\s]+)/,
      { BENCH_SIM_KEY: 'sk-bench' },
    );
    children.push(failsoft.child);
    pin(failsoft.child.pid, allCpus);

    const targets: Target[] = [
      {
        name: '1. simulator directly',
        child: sim.child,
        url: sim.url,
        path: '/openai/v1/chat/completions',
        headers: baseHeaders,
      },
      {
        name: '2. bare node:http + undici proxy',
        child: bare.child,
        url: bare.url,
        path: '/chat/completions',
        headers: baseHeaders,
      },
      {
        name: '3. failsoft serve (full policies)',
        child: failsoft.child,
        url: failsoft.url,
        path: '/v1/chat/completions',
        headers: baseHeaders,
      },
    ];
    if (!flags['no-portkey']) {
      const port = await freePort();
      const portkey = await startChild(
        ['node_modules/@portkey-ai/gateway/build/start-server.js', `--port=${port}`, '--headless'],
        /(Ready) for connections/,
        { NODE_ENV: 'production' },
      );
      children.push(portkey.child);
      pin(portkey.child.pid, allCpus);
      const url = `http://127.0.0.1:${port}`;
      await waitReady(url);
      targets.push({
        name: '4. Portkey gateway 1.15',
        child: portkey.child,
        url,
        path: '/v1/chat/completions',
        headers: { ...baseHeaders, 'x-portkey-provider': 'openai', 'x-portkey-custom-host': simOpenAi },
      });
    }
    for (const target of targets) await check(target);
    const rssIdle = rssMb(failsoft.child.pid);

    // ---- throughput: every target in turn, `rounds` times; ratios taken per round, then the median ----------
    // A shared 2-vCPU VM drifts by tens of percent from minute to minute (the same build measured 0.46–0.93 of
    // the bare proxy in back-to-back single runs): alternating rounds put the drift on every target alike.
    interface Row {
      target: Target;
      result: AutocannonResult;
      cpuUsPerReq: number | undefined;
    }
    const median = (values: number[]): number =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
    for (const target of targets) await load(target, 2); // warm-up: JIT, pools
    const runsOf = targets.map(() => [] as Row[]);
    for (let round = 0; round < rounds; round++) {
      for (const [k, target] of targets.entries()) {
        const before = cpuMs(target.child.pid);
        const result = await load(target, duration);
        const after = cpuMs(target.child.pid);
        const cpuUsPerReq =
          before === undefined || after === undefined ? undefined : ((after - before) * 1000) / result.requests.total;
        runsOf[k]?.push({ target, result, cpuUsPerReq });
        console.error(`round ${round + 1}/${rounds} ${target.name}: ${Math.round(result.requests.average)} req/s`);
      }
    }
    const indexOf = (prefix: string): number => targets.findIndex((t) => t.name.startsWith(prefix));
    const rpsRuns = (prefix: string): number[] => (runsOf[indexOf(prefix)] ?? []).map((r) => r.result.requests.average);
    /** failsoft's rps over another target's in the same round, per round. */
    const roundRatios = (prefix: string): number[] => {
      const d = rpsRuns(prefix);
      return rpsRuns('3.').map((n, i) => n / (d[i] ?? Number.NaN));
    };
    const vsBare = roundRatios('2.');
    const vsPortkey = roundRatios('4.');
    const rows = targets.map((target, k) => {
      const runs = runsOf[k] ?? [];
      const cpu = runs.map((r) => r.cpuUsPerReq).filter((v): v is number => v !== undefined);
      return {
        target,
        rps: median(runs.map((r) => r.result.requests.average)),
        rpsRuns: runs.map((r) => r.result.requests.average),
        p50: median(runs.map((r) => r.result.latency.p50)),
        p99: median(runs.map((r) => r.result.latency.p99)),
        failed: runs.reduce((n, r) => n + r.result.non2xx + r.result.errors + r.result.timeouts, 0),
        cpuUsPerReq: cpu.length === 0 ? undefined : median(cpu),
      };
    });
    const rpsOf = (prefix: string): number => rows.find((r) => r.target.name.startsWith(prefix))?.rps ?? Number.NaN;
    const bareRps = rpsOf('2.');
    const portkeyRps = rpsOf('4.');

    const rssAfterThroughput = rssMb(failsoft.child.pid);

    // ---- fixed rate: p99 at `rate` req/s, bare and failsoft alternating (noise falls on both alike) ----
    const fixedRounds = rounds;
    const fixedTargets = targets.filter((t) => t.name.startsWith('2.') || t.name.startsWith('3.'));
    const fixedRuns = fixedTargets.map(() => [] as AutocannonResult[]);
    for (let round = 0; round < fixedRounds; round++) {
      for (const [k, target] of fixedTargets.entries())
        fixedRuns[k]?.push(await load(target, Math.max(2, duration / 2), rate));
    }
    const fixed = fixedTargets.map((target, k) => {
      const runs = fixedRuns[k] ?? [];
      return {
        name: target.name,
        rps: median(runs.map((r) => r.requests.average)),
        p50: median(runs.map((r) => r.latency.p50)),
        p99: median(runs.map((r) => r.latency.p99)),
        p99s: runs.map((r) => r.latency.p99),
        failed: runs.reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0),
      };
    });
    // The same rate, evenly paced (see paced-load.ts: autocannon's overallRate sends synchronized bursts).
    const pacedRuns = fixedTargets.map(() => [] as PacedResult[]);
    for (let round = 0; round < fixedRounds; round++) {
      for (const [k, target] of fixedTargets.entries()) {
        pacedRuns[k]?.push(
          await pacedLoad({
            url: target.url + target.path,
            headers: target.headers,
            body,
            rate,
            seconds: Math.max(2, duration / 2),
          }),
        );
      }
    }
    const paced = fixedTargets.map((target, k) => {
      const runs = pacedRuns[k] ?? [];
      return {
        name: target.name,
        rps: median(runs.map((r) => r.rps)),
        p50: median(runs.map((r) => percentile(r.latencies, 0.5))),
        p99: median(runs.map((r) => percentile(r.latencies, 0.99))),
        p99s: runs.map((r) => percentile(r.latencies, 0.99).toFixed(2)),
        failed: runs.reduce((n, r) => n + r.failed, 0),
      };
    });

    const rss = rssMb(failsoft.child.pid);
    const bareRss = rssMb(bare.child.pid);

    // ---- first chunk of a streamed answer: through failsoft vs directly ----------------------------------
    const agent = new Agent({ keepAliveTimeout: 30_000 });
    const ttfb = async (url: string): Promise<number> => {
      const t0 = performance.now();
      const res = await request(url, { method: 'POST', headers: baseHeaders, body: streamBody, dispatcher: agent });
      let first = Number.NaN;
      for await (const chunk of res.body) {
        if (Number.isNaN(first) && (chunk as Buffer).length > 0) first = performance.now() - t0;
      }
      if (res.statusCode !== 200) throw new Error(`stream ${url}: ${res.statusCode}`);
      return first;
    };
    const directUrl = `${sim.url}/openai/v1/chat/completions`;
    const gatewayUrl = `${failsoft.url}/v1/chat/completions`;
    for (let i = 0; i < 100; i++) {
      await ttfb(directUrl);
      await ttfb(gatewayUrl);
    }
    const direct: number[] = [];
    const through: number[] = [];
    for (let i = 0; i < ttfbSamples; i++) {
      direct.push(await ttfb(directUrl));
      through.push(await ttfb(gatewayUrl));
    }
    // The issue's measure: from the upstream writing the first chunk to the client holding it (first-chunk-probe.ts).
    const probeBody = JSON.stringify({ model: 'probe', stream: true, messages: [{ role: 'user', content: prompt }] });
    const probeSamples = Math.min(ttfbSamples, 200);
    const probeDirect: number[] = [];
    const probeThrough: number[] = [];
    const probeBare: number[] = [];
    for (let i = 0; i < 20; i++)
      await firstChunkDelay(probe, `${failsoft.url}/v1/chat/completions`, baseHeaders, probeBody, agent);
    for (let i = 0; i < probeSamples; i++) {
      probeDirect.push(await firstChunkDelay(probe, `${probe.url}/chat/completions`, baseHeaders, probeBody, agent));
      probeThrough.push(
        await firstChunkDelay(probe, `${failsoft.url}/v1/chat/completions`, baseHeaders, probeBody, agent),
      );
      probeBare.push(await firstChunkDelay(probe, `${bareProbe.url}/chat/completions`, baseHeaders, probeBody, agent));
    }
    await agent.close();
    await probe.close();
    const pct = (values: number[], q: number): number => {
      const sorted = [...values].sort((a, b) => a - b);
      return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
    };

    // ---- report ---------------------------------------------------------------------------------------------
    const fmt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
    const ratio = (n: number, d: number): string => (Number.isFinite(n / d) ? `${(n / d).toFixed(2)}×` : '-');
    const table = [
      ['target', 'req/s', 'p50 ms', 'p99 ms', 'failed', 'vs bare proxy', 'vs Portkey', 'server CPU µs/req'],
      ...rows.map(({ target, rps, p50, p99, failed, cpuUsPerReq }) => [
        target.name,
        fmt(rps),
        p50.toFixed(1),
        p99.toFixed(1),
        String(failed),
        target.name.startsWith('3.') ? `${median(vsBare).toFixed(2)}×` : ratio(rps, bareRps),
        target.name.startsWith('3.') && Number.isFinite(portkeyRps)
          ? `${median(vsPortkey).toFixed(2)}×`
          : ratio(rps, portkeyRps),
        cpuUsPerReq === undefined ? '-' : cpuUsPerReq.toFixed(0),
      ]),
    ];
    const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]?.length ?? 0)));
    const line = (cells: string[]): string =>
      `| ${cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join(' | ')} |`;
    console.log(
      `\nnode ${process.version}, ${cpus().length} CPUs (${cpuModel()}), ${(totalmem() / 2 ** 30).toFixed(0)} GB, load average ${loadavg()[0]?.toFixed(1) ?? '?'} at the end; ` +
        `${connections} connections, pipelining 1, ${rounds} rounds of ${duration} s per target (targets in turn) after 2 s warm-up; medians; ${flags['pin-load'] ? 'load generator and simulator pinned to CPU 0, gateways on any CPU; ' : ''}failsoft/simulator via ${builtCli ?? 'tsx'}\n`,
    );
    console.log(line(table[0]!));
    console.log(`|${widths.map((w, c) => (c === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
    for (const row of table.slice(1)) console.log(line(row));

    const verdict = (ok: boolean): string => (ok ? 'MET' : 'NOT MET');
    console.log('');
    const list = (values: number[], digits: number): string => values.map((v) => v.toFixed(digits)).join(', ');
    for (const row of rows) console.log(`req/s per round, ${row.target.name}: ${list(row.rpsRuns, 0)}`);
    console.log(
      `failsoft / bare proxy rps, median of rounds: ${median(vsBare).toFixed(2)} (rounds: ${list(vsBare, 2)}; target ≥ 0.70): ${verdict(median(vsBare) >= 0.7)}`,
    );
    if (Number.isFinite(portkeyRps)) {
      console.log(
        `failsoft / Portkey rps, median of rounds: ${median(vsPortkey).toFixed(1)}× (rounds: ${list(vsPortkey, 1)}; target ≥ 10×): ${verdict(median(vsPortkey) >= 10)}`,
      );
      // The ceiling for any Node gateway here: the bare pass-through over Portkey, in the same rounds.
      const bareOverPortkey = rpsRuns('2.').map((n, i) => n / (rpsRuns('4.')[i] ?? Number.NaN));
      console.log(
        `bare proxy / Portkey rps, median of rounds: ${median(bareOverPortkey).toFixed(1)}× (rounds: ${list(bareOverPortkey, 1)}): the practical limit of a Node gateway on this box`,
      );
    }
    for (const f of fixed) {
      console.log(
        `at ${rate} req/s (${fixedRounds} alternating runs of ${Math.max(2, duration / 2)} s, medians): ${f.name}: ${fmt(f.rps)} req/s, p50 ${f.p50.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms (runs: ${f.p99s.join(', ')}), failed ${f.failed}`,
      );
    }
    const [bareFixed, failsoftFixed] = fixed;
    if (bareFixed && failsoftFixed) {
      const extra = failsoftFixed.p99 - bareFixed.p99;
      console.log(
        `p99 at ${rate} req/s in autocannon's synchronized bursts, failsoft − bare: ${extra >= 0 ? '+' : ''}${extra.toFixed(1)} ms (a burst's queueing, see paced-load.ts)`,
      );
    }
    for (const f of paced) {
      console.log(
        `paced ${rate} req/s (evenly spaced, open loop, ${fixedRounds} alternating runs, medians): ${f.name}: ${fmt(f.rps)} req/s, p50 ${f.p50.toFixed(2)} ms, p99 ${f.p99.toFixed(2)} ms (runs: ${f.p99s.join(', ')}), failed ${f.failed}`,
      );
    }
    const [barePaced, failsoftPaced] = paced;
    if (barePaced && failsoftPaced) {
      const extra = failsoftPaced.p99 - barePaced.p99;
      console.log(
        `p99 at ${rate} req/s paced, failsoft − bare: ${extra >= 0 ? '+' : ''}${extra.toFixed(2)} ms (target ≤ +2 ms): ${verdict(extra <= 2)}`,
      );
    }
    const mb = (v: number | undefined): string => (v === undefined ? '?' : v.toFixed(1));
    console.log(
      `failsoft RSS right after the last loaded run: ${mb(rss)} MB (idle after start ${mb(rssIdle)} MB, after the throughput rounds ${mb(rssAfterThroughput)} MB); the bare proxy ${mb(bareRss)} MB`,
    );
    const settleS = Number(flags.settle);
    if (settleS > 0) {
      // The run is over once the load stops: failsoft serve then trims the young generation V8 grew under
      // load (IdleTrim, ~6–8 s after the last busy tick); the bare proxy keeps it.
      await new Promise((resolve) => setTimeout(resolve, settleS * 1000));
      const settled = rssMb(failsoft.child.pid);
      console.log(
        `failsoft RSS after the run, ${settleS} s after the last request: ${mb(settled)} MB (target ≤ 100 MB): ${verdict(settled !== undefined && settled <= 100)}; the bare proxy ${mb(rssMb(bare.child.pid))} MB`,
      );
    }
    const d50 = pct(through, 0.5) - pct(direct, 0.5);
    const d99 = pct(through, 0.99) - pct(direct, 0.99);
    console.log(
      `stream first chunk (${ttfbSamples} each, interleaved, sequential): direct p50 ${pct(direct, 0.5).toFixed(3)} ms / p99 ${pct(direct, 0.99).toFixed(3)} ms; ` +
        `through failsoft p50 ${pct(through, 0.5).toFixed(3)} ms / p99 ${pct(through, 0.99).toFixed(3)} ms; ` +
        `difference p50 ${d50 >= 0 ? '+' : ''}${d50.toFixed(3)} ms, p99 ${d99 >= 0 ? '+' : ''}${d99.toFixed(3)} ms (whole request: parse, engine, upstream call)`,
    );
    const f50 = pct(probeThrough, 0.5) - pct(probeDirect, 0.5);
    const f99 = pct(probeThrough, 0.99) - pct(probeDirect, 0.99);
    console.log(
      `first chunk in transit (${probeSamples} each, upstream holds 20 ms then writes it): upstream→client directly p50 ${pct(probeDirect, 0.5).toFixed(3)} ms / p99 ${pct(probeDirect, 0.99).toFixed(3)} ms; ` +
        `upstream→bare proxy→client p50 ${pct(probeBare, 0.5).toFixed(3)} ms / p99 ${pct(probeBare, 0.99).toFixed(3)} ms; ` +
        `upstream→failsoft→client p50 ${pct(probeThrough, 0.5).toFixed(3)} ms / p99 ${pct(probeThrough, 0.99).toFixed(3)} ms; ` +
        `failsoft adds p50 ${f50 >= 0 ? '+' : ''}${f50.toFixed(3)} ms, p99 ${f99 >= 0 ? '+' : ''}${f99.toFixed(3)} ms (target: within 1 ms of reaching the gateway, at p50): ${verdict(f50 <= 1)}`,
    );
  }
} finally {
  await Promise.all(children.map(stop));
  rmSync(work, { recursive: true, force: true });
}
