/**
 * Engine overhead: `npx tsx bench/engine.ts [--requests 4000] [--concurrency 1]`.
 *
 * The simulator runs in a CHILD process (`failsoft sim --port 0 --chunk-delay 0`) so it does not share
 * this process's event loop. Measured in the same run, through identical OpenAI-dialect requests:
 *   1. baseline: a direct undici call to the simulator (keep-alive Agent, JSON parse of the answer);
 *   2. failsoft `generate` on a feature routed to the same provider (breaker, budget with limits set
 *      high, deadline, events, request validation, translation both ways);
 *   3. failsoft `generate` on a feature whose primary's breaker is open, so it is skipped and the
 *      secondary (the same simulated provider) answers. Target: ≤ 1 ms over (2) at p50 and p99.
 * Prints per-request latency (mean, p50, p99) and ratios against the baseline.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { createFailsoft } from '../src/engine/failsoft.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values: flags } = parseArgs({
  options: { requests: { type: 'string', default: '4000' }, concurrency: { type: 'string', default: '1' } },
});
const total = Number(flags.requests);
const concurrency = Number(flags.concurrency);
const prompt = 'Summarise the incident report for the on-call channel in two sentences.';

function startSimChild(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'sim', '--port', '0', '--chunk-delay', '0'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /(http:\/\/127\.0\.0\.1:\d+)\/openai/.exec(out)?.[1];
      if (url) resolve({ url, child });
    });
    child.once('exit', (code) => reject(new Error(`simulator exited with ${String(code)} before listening`)));
  });
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

interface Figures {
  mean: number;
  p50: number;
  p99: number;
  rps: number;
}

function summarise(latencies: number[], wallMs: number): Figures {
  latencies.sort((a, b) => a - b);
  return {
    mean: latencies.reduce((a, b) => a + b, 0) / latencies.length,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    rps: (latencies.length / wallMs) * 1000,
  };
}

/**
 * Runs the paths interleaved (one request of each in turn, `concurrency` workers), so machine noise
 * and JIT warm-up fall on every path alike; latencies in ms, after a warm-up of each.
 */
async function measure(paths: Array<() => Promise<unknown>>): Promise<Figures[]> {
  for (let i = 0; i < 500; i++) for (const fn of paths) await fn();
  const latencies = paths.map(() => [] as number[]);
  const spent = paths.map(() => 0);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < total) {
        for (let k = 0; k < paths.length; k++) {
          const t0 = performance.now();
          await (paths[k] as () => Promise<unknown>)();
          const ms = performance.now() - t0;
          latencies[k]!.push(ms);
          spent[k]! += ms;
        }
      }
    }),
  );
  return latencies.map((l, k) => summarise(l, spent[k]! / concurrency));
}

const { url, child } = await startSimChild();
try {
  const agent = new Agent({ keepAliveTimeout: 10_000 });
  const body = JSON.stringify({
    model: 'gpt-4o-mini',
    max_completion_tokens: 200,
    messages: [{ role: 'user', content: prompt }],
  });
  const direct = async (): Promise<unknown> => {
    const res = await request(`${url}/openai/v1/chat/completions`, {
      method: 'POST',
      dispatcher: agent,
      body,
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
    });
    return res.body.json();
  };
  const high = { rpm: 10_000_000, tpm: 10_000_000_000 };
  const ai = createFailsoft(
    {
      providers: {
        primary: { type: 'openai', baseUrl: `${url}/openai/v1`, apiKey: 'sk-bench', limits: high },
        secondary: { type: 'openai', baseUrl: `${url}/openai/v1`, apiKey: 'sk-bench', limits: high },
        // The same provider asked for one answer (no upstream stream): what liveness stages cost a non-streamed call.
        plain: { type: 'openai', baseUrl: `${url}/openai/v1`, apiKey: 'sk-bench', limits: high, streamUpstream: false },
      },
      features: {
        direct: { tier: 'ai-only', route: ['secondary/gpt-4o-mini'], maxOutputTokens: 200 },
        unstreamed: { tier: 'ai-only', route: ['plain/gpt-4o-mini'], maxOutputTokens: 200 },
        failover: { tier: 'ai-only', route: ['primary/gpt-4o-mini', 'secondary/gpt-4o-mini'], maxOutputTokens: 200 },
      },
    },
    { env: {} },
  );
  ai.on('request-completed', () => undefined); // a listener, as the monitor will have one
  const req = { messages: [{ role: 'user' as const, content: prompt }] };
  ai.forceOpen('primary');

  const paths = [
    direct,
    () => ai.generate('direct', req),
    () => ai.generate('failover', req),
    () => ai.generate('unstreamed', req),
  ];
  const [baseline, engine, skipped, unstreamed] = (await measure(paths)) as [Figures, Figures, Figures, Figures];
  // CPU per request of this process (engine + client side; the simulator runs in its child), each path alone.
  const cpuPerRequest = async (fn: () => Promise<unknown>): Promise<number> => {
    const n = 2_000;
    let left = n;
    const before = process.cpuUsage();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (left-- > 0) await fn();
      }),
    );
    const used = process.cpuUsage(before);
    return (used.user + used.system) / n;
  };
  const cpu: number[] = [];
  for (const fn of paths) cpu.push(await cpuPerRequest(fn));
  const check = await ai.generate('failover', req);
  if (check.provider !== 'secondary' || check.attempts[0]?.outcome !== 'skipped-open')
    throw new Error('bench setup: the primary was not skipped');

  const row = (name: string, f: Figures): string =>
    `| ${name.padEnd(46)} | ${f.mean.toFixed(3).padStart(7)} | ${f.p50.toFixed(3).padStart(7)} | ${f.p99.toFixed(3).padStart(7)} | ${f.rps.toFixed(0).padStart(6)} | ${(f.p50 / baseline.p50).toFixed(2).padStart(5)}× |`;
  console.log(
    `\nnode ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${total} requests, concurrency ${concurrency}\n`,
  );
  console.log(
    '| path                                           | mean ms |  p50 ms |  p99 ms |  req/s | p50 vs direct |',
  );
  console.log('|------------------------------------------------|---------|---------|---------|--------|------|');
  console.log(row('1. direct undici call to the simulator', baseline));
  console.log(row('2. failsoft generate (full policies)', engine));
  console.log(row('3. generate, primary breaker open → secondary', skipped));
  console.log(row('4. generate, streamUpstream: false', unstreamed));
  console.log(
    `\nCPU of this process per request (each path alone, 2,000 requests, 8 at a time): ${cpu.map((c, i) => `${i + 1}. ${c.toFixed(0)} µs`).join(', ')}`,
  );
  console.log(
    `liveness (streaming a non-streamed call from the provider) costs ${(cpu[1]! - cpu[3]!).toFixed(0)} µs of CPU per call over asking for one answer`,
  );
  const signed = (ms: number): string => `${ms >= 0 ? '+' : ''}${ms.toFixed(3)} ms`;
  console.log(
    `\noverhead of generate over direct: p50 ${signed(engine.p50 - baseline.p50)}, p99 ${signed(engine.p99 - baseline.p99)}`,
  );
  const p50Cost = skipped.p50 - engine.p50;
  const p99Cost = skipped.p99 - engine.p99;
  console.log(
    `open-breaker skip cost over calling the secondary directly: p50 ${signed(p50Cost)}, p99 ${signed(p99Cost)} (target ≤ 1 ms): ${p50Cost <= 1 && p99Cost <= 1 ? 'MET' : 'NOT MET'}`,
  );
  await ai.close();
  await agent.close();
} finally {
  child.kill('SIGTERM');
}
