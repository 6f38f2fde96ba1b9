/**
 * Simulator throughput: `npx tsx bench/sim.ts [--duration 10] [--connections 50] [--dist]`.
 *
 * The simulator runs in a CHILD process (the CLI, `failsoft sim --port 0 --chunk-delay 0`), so the load
 * generator (autocannon, in this process) and the server do not share an event loop. A bare node:http
 * server answering a fixed JSON body, also in a child, is the baseline measured in the same run: it
 * shows what this machine can do at all with the load generator beside it. Target: ≥ 15k non-stream
 * req/s with 50 connections on 2 cores. `--dist` runs the built `dist/cli/main.js` instead of tsx.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { autocannon, cpuMs, cpuModel, startChild, stop, type AutocannonResult } from './bench-support.js';

const TARGET_RPS = 15_000;

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    dist: { type: 'boolean', default: false },
  },
});
const duration = Number(flags.duration);
const connections = Number(flags.connections);

interface Scenario {
  name: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Measured against the baseline server instead of the simulator. */
  baseline?: boolean;
}

const prompt = 'Summarise the incident report for the on-call channel in two sentences.';
const scenarios: Scenario[] = [
  { name: 'baseline: bare node:http, fixed JSON', path: '/', headers: {}, baseline: true },
  {
    name: 'openai chat, non-stream',
    path: '/openai/v1/chat/completions',
    headers: { authorization: 'Bearer sk-bench', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] }),
  },
  {
    name: 'anthropic messages, non-stream',
    path: '/anthropic/v1/messages',
    headers: { 'x-api-key': 'sk-ant-bench', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 256, messages: [{ role: 'user', content: prompt }] }),
  },
  {
    name: 'openai chat, stream (delay 0)',
    path: '/openai/v1/chat/completions',
    headers: { authorization: 'Bearer sk-bench', 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: prompt }],
    }),
  },
];

const BASELINE_SERVER = `
const body = JSON.stringify({ id: 'chatcmpl-0', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'x'.repeat(600) } }] });
const server = require('node:http').createServer((req, res) => {
  req.resume();
  req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }); res.end(body); });
});
server.keepAliveTimeout = 65000;
server.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + server.address().port));
`;

async function measure(url: string, scenario: Scenario, seconds: number): Promise<AutocannonResult> {
  return autocannon({
    url: url + scenario.path,
    connections,
    duration: seconds,
    pipelining: 1,
    method: scenario.body === undefined ? 'GET' : 'POST',
    headers: scenario.headers,
    ...(scenario.body === undefined ? {} : { body: scenario.body }),
  });
}

const simArgs = flags.dist
  ? ['dist/cli/main.js', 'sim', '--port', '0', '--chunk-delay', '0']
  : ['--import', 'tsx', 'src/cli/main.ts', 'sim', '--port', '0', '--chunk-delay', '0'];
const baseline = await startChild(['-e', BASELINE_SERVER]);
const simulator = await startChild(simArgs);

const rows: string[][] = [];
let baselineRps = 0;
try {
  for (const scenario of scenarios) {
    const server = scenario.baseline ? baseline : simulator;
    await measure(server.url, scenario, 2); // warm-up: JIT, connection pool
    const cpuBefore = cpuMs(server.child.pid);
    const result = await measure(server.url, scenario, duration);
    const cpuAfter = cpuMs(server.child.pid);
    const rps = result.requests.average;
    const usPerRequest =
      cpuBefore === undefined || cpuAfter === undefined
        ? undefined
        : ((cpuAfter - cpuBefore) * 1000) / result.requests.total;
    if (scenario.baseline) baselineRps = rps;
    rows.push([
      scenario.name,
      Math.round(rps).toLocaleString('en-US'),
      result.latency.p50.toFixed(1),
      result.latency.p99.toFixed(1),
      String(result.non2xx + result.errors + result.timeouts),
      (rps / TARGET_RPS).toFixed(2),
      baselineRps > 0 ? (rps / baselineRps).toFixed(2) : '-',
      usPerRequest === undefined ? '-' : usPerRequest.toFixed(0),
      usPerRequest === undefined ? '-' : Math.round(1e6 / usPerRequest).toLocaleString('en-US'),
    ]);
  }
} finally {
  await Promise.all([stop(baseline.child), stop(simulator.child)]);
}

const header = [
  'scenario',
  'req/s',
  'p50 ms',
  'p99 ms',
  'failed',
  'vs 15k target',
  'vs baseline',
  'server CPU µs/req',
  'req/s per core',
];
const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
const line = (cells: string[]): string =>
  `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join(' | ')} |`;
console.log(
  `node ${process.version}, ${cpus().length} CPUs (${cpuModel()}), load average ${loadavg()[0]?.toFixed(1) ?? '?'} at the end, ` +
    `${connections} connections, pipelining 1, ${duration} s per scenario, simulator via ${flags.dist ? 'dist' : 'tsx'}`,
);
console.log(line(header));
console.log(
  `|${widths.map((width, column) => (column === 0 ? '-'.repeat(width + 2) : `${'-'.repeat(width + 1)}:`)).join('|')}|`,
);
for (const row of rows) console.log(line(row));
