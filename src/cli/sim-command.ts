import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { parseFaultDocument, type FaultDocument } from '../sim/fault-rules.js';
import { SIM_PROTOCOL_NAMES, isSimProtocolName } from '../sim/protocol-registry.js';
import { parseLimitsDocument, type LimitsDocument } from '../sim/provider-limits.js';
import { SimDocumentError } from '../sim/sim-document-error.js';
import type { SimProtocolName } from '../sim/sim-protocol.js';
import { startSimulator, type RunningSimulator } from '../sim/start-simulator.js';
import { isReservedName } from '../engine/config/reserved-names.js';
import { parseFlags, EXIT_USAGE, UsageError, type CliCommand, type CliIo, untilSignal } from './cli-command.js';
import { listenFailure } from './listen-failure.js';

/** Parsed `failsoft sim` flags. */
export interface SimCliOptions {
  port: number;
  host: string;
  faultsFile: string | undefined;
  limitsFile: string | undefined;
  providers: Record<string, SimProtocolName>;
  /** The `--provider` names: they stand for compatible servers, which answer without a key. */
  keyless: string[];
  chunkDelayMs: number;
  seed: number | undefined;
  help: boolean;
}

const DEFAULT_CLI_CHUNK_DELAY_MS = 15;
const PROVIDER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const USAGE = `Usage: failsoft sim [options]

Serves simulated Anthropic, OpenAI and Gemini APIs with scriptable faults and rate limits.

Options:
  --port N                  port to listen on (default 8700; 0 = any free port)
  --host HOST               interface to listen on (default 127.0.0.1)
  --faults FILE             fault rules, JSON or YAML: { <provider>: [{ kind, rate?, count?, retryAfterS?, latencyMs?, afterChunks?,
                            chunkDelayMs?, chunks?, durationMs? }] } (the last three for slow_stream only)
  --limits FILE             rate limits, JSON or YAML: { <provider>: { rpm?, itpm?, otpm?, tpm? } }
  --provider NAME=PROTOCOL  also serve NAME speaking anthropic|openai|gemini (repeatable); like a local server
                            (Ollama, vLLM, llama.cpp) it answers requests without an API key too
  --chunk-delay MS          pause between stream deltas (default ${DEFAULT_CLI_CHUNK_DELAY_MS})
  --seed N                  seed of the PRNG that rolls fault rates (default fixed)
  -h, --help                show this help

Fault kinds: overloaded, rate_limited, quota_exhausted, server_error, timeout (never answers, not even
headers), reset, auth, bad_request, context_length, mid_stream_error, truncated_stream, stall_stream
(afterChunks deltas, then silence), slow (latencyMs before the first byte, then the next rule decides),
slow_stream (a long healthy answer, chunkDelayMs apart: chunks or durationMs; non-streams wait as long).
Control API while running: PUT/GET/DELETE /_sim/faults, /_sim/limits; GET/DELETE /_sim/stats.`;

/**
 * Parses `failsoft sim` arguments; throws `UsageError` on an unknown flag or a bad value.
 * @example parseSimArgs(['--port', '0', '--provider', 'groq=openai']).providers.groq // 'openai'
 */
export function parseSimArgs(argv: readonly string[]): SimCliOptions {
  const values = readFlags(argv);
  const providers: Record<string, SimProtocolName> = { anthropic: 'anthropic', openai: 'openai', gemini: 'gemini' };
  const keyless: string[] = [];
  for (const spec of values.provider ?? []) {
    const [name, protocol] = parseProviderSpec(spec);
    providers[name] = protocol;
    if (!keyless.includes(name)) keyless.push(name);
  }
  return {
    port: values.port === undefined ? 8700 : integerFlag('--port', values.port, 0, 65_535),
    host: values.host ?? '127.0.0.1',
    faultsFile: values.faults,
    limitsFile: values.limits,
    providers,
    keyless,
    chunkDelayMs:
      values['chunk-delay'] === undefined
        ? DEFAULT_CLI_CHUNK_DELAY_MS
        : integerFlag('--chunk-delay', values['chunk-delay'], 0, 60_000),
    seed: values.seed === undefined ? undefined : integerFlag('--seed', values.seed, 0, 2 ** 32 - 1),
    help: values.help ?? false,
  };
}

function readFlags(argv: readonly string[]) {
  return parseFlags({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      faults: { type: 'string' },
      limits: { type: 'string' },
      provider: { type: 'string', multiple: true },
      'chunk-delay': { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
}

/** Parses one `--provider NAME=PROTOCOL`. */
export function parseProviderSpec(spec: string): [string, SimProtocolName] {
  const at = spec.indexOf('=');
  const name = at === -1 ? '' : spec.slice(0, at);
  const protocol = at === -1 ? '' : spec.slice(at + 1);
  if (!PROVIDER_NAME.test(name) || name === '_sim') {
    throw new UsageError(`--provider ${spec}: expected NAME=PROTOCOL with a name of letters, digits, '.', '_' or '-'`);
  }
  if (isReservedName(name))
    throw new UsageError(`--provider ${spec}: "${name}" is a name every JavaScript object has: choose another`);
  if (!isSimProtocolName(protocol)) {
    throw new UsageError(`--provider ${spec}: unknown protocol "${protocol}" (use ${SIM_PROTOCOL_NAMES.join(', ')})`);
  }
  return [name, protocol];
}

function integerFlag(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max)
    throw new UsageError(`${flag} ${text}: expected an integer from ${min} to ${max}`);
  return value;
}

/** A configuration file that cannot be used; the message starts with the file name. */
export class SimFileError extends Error {
  override readonly name = 'SimFileError';
}

/**
 * Reads a fault or limits document from a JSON or YAML file and validates it.
 * @example await loadSimDocument('faults.yaml', 'faults', ['openai'])
 */
export async function loadSimDocument(
  file: string,
  kind: 'faults',
  providers: readonly string[],
): Promise<FaultDocument>;
export async function loadSimDocument(
  file: string,
  kind: 'limits',
  providers: readonly string[],
): Promise<LimitsDocument>;
export async function loadSimDocument(
  file: string,
  kind: 'faults' | 'limits',
  providers: readonly string[],
): Promise<FaultDocument | LimitsDocument> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new SimFileError(
      `${file}: cannot read ${kind} file (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  let data: unknown;
  try {
    data = parseYaml(text) ?? {};
  } catch (error) {
    throw new SimFileError(
      `${file}: not valid JSON or YAML (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  try {
    return kind === 'faults'
      ? parseFaultDocument(data, providers, 'faults')
      : parseLimitsDocument(data, providers, 'limits');
  } catch (error) {
    if (error instanceof SimDocumentError) throw new SimFileError(`${file}: ${error.message}`);
    throw error;
  }
}

/** Starts the simulator from parsed flags (files loaded and validated first). */
export async function startSimFromCli(options: SimCliOptions): Promise<RunningSimulator> {
  const names = Object.keys(options.providers);
  const faults =
    options.faultsFile === undefined ? undefined : await loadSimDocument(options.faultsFile, 'faults', names);
  const limits =
    options.limitsFile === undefined ? undefined : await loadSimDocument(options.limitsFile, 'limits', names);
  return startSimulator({
    port: options.port,
    host: options.host,
    providers: options.providers,
    keyless: options.keyless,
    chunkDelayMs: options.chunkDelayMs,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(faults ? { faults } : {}),
    ...(limits ? { limits } : {}),
  });
}

/** The start-up banner: one line per provider with its SDK base URL (and whether it needs a key), then the control API. */
export function describeSimulator(
  sim: RunningSimulator,
  providers: Record<string, SimProtocolName>,
  keyless: readonly string[] = [],
): string[] {
  const names = Object.keys(providers);
  const rows: [string, string, string][] = names.map((name) => {
    const protocol = providers[name] ?? 'openai';
    // urlFor is what the SDK takes: OpenAI's with /v1, Anthropic's and Gemini's without (they add their own).
    return [name, sim.urlFor(name), `${protocol} SDK base URL${keyless.includes(name) ? '; no key needed' : ''}`];
  });
  rows.push(['control API', `${sim.url}/_sim`, 'faults, limits, stats']);
  const nameWidth = Math.max(...rows.map((row) => row[0].length));
  const urlWidth = Math.max(...rows.map((row) => row[1].length));
  return [
    `failsoft simulator listening on ${sim.url}`,
    ...rows.map(([name, url, note]) => `  ${name.padEnd(nameWidth)}  ${url.padEnd(urlWidth)}  (${note})`),
  ];
}

/** `failsoft sim`. */
export const simCommand: CliCommand = {
  summary: 'serve simulated Anthropic, OpenAI and Gemini APIs with scriptable faults and limits',
  usage: USAGE,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const options = parseSimArgs(argv);
    if (options.help) {
      io.out(USAGE);
      return 0;
    }
    let sim: RunningSimulator;
    try {
      sim = await startSimFromCli(options);
    } catch (error) {
      if (error instanceof SimFileError) {
        io.err(`failsoft sim: ${error.message}`);
        return EXIT_USAGE;
      }
      const failure = listenFailure(error, options.port, '--port');
      io.err(`failsoft sim: cannot start: ${failure instanceof Error ? failure.message : String(failure)}`);
      return 1;
    }
    for (const line of describeSimulator(sim, options.providers, options.keyless)) io.out(line);
    const signal = await untilSignal();
    io.err(`failsoft sim: ${signal}, closing`);
    await sim.close();
    return 0;
  },
};
