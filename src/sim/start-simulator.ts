import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../model/clock.js';
import { handleControlRequest } from './control-api.js';
import type { FaultDocument } from './fault-rules.js';
import { sendJson } from './http-io.js';
import { DEFAULT_SIM_MODELS, isSimProtocolName, loadSimProtocol } from './protocol-registry.js';
import type { LimitsDocument, ProviderLimitsConfig } from './provider-limits.js';
import { handleProviderRequest } from './provider-request.js';
import type { SimProtocol, SimProtocolName } from './sim-protocol.js';
import { emptyProviderStats, type SimStats } from './sim-stats.js';
import { SimulatorState, type SimProviderState } from './simulator-state.js';

export type { FaultDocument, FaultRule, FaultKind } from './fault-rules.js';
export type { LimitsDocument, ProviderLimitsConfig } from './provider-limits.js';
export type { ProviderStats, SimStats } from './sim-stats.js';
export { SimDocumentError } from './sim-document-error.js';

/** Options of `startSimulator`; every field is optional. */
export interface SimulatorOptions {
  /** Port to listen on (default 8700; 0 = any free port). */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /**
   * Providers by name, each speaking a protocol (or a custom `SimProtocol`, e.g. in tests).
   * Default `{ anthropic: 'anthropic', openai: 'openai', gemini: 'gemini' }`.
   */
  providers?: Record<string, SimProtocolName | SimProtocol>;
  /** Fault rules to start with. */
  faults?: FaultDocument;
  /** Rate limits to start with. */
  limits?: LimitsDocument;
  /** Pause between stream deltas in ms (default 0). */
  chunkDelayMs?: number;
  /** Per provider: the only API key accepted (default: every non-empty key is accepted). */
  apiKeys?: Record<string, string>;
  /**
   * Providers that answer a request without a key (and with any key), as local OpenAI-compatible
   * servers do (Ollama, vLLM, llama.cpp); the others answer a missing key with their provider's 401.
   * A name here may not also be in `apiKeys`. Default none; `failsoft sim --provider` names are keyless.
   */
  keyless?: readonly string[];
  /** Seed of the PRNG that rolls fault rates (default fixed, so runs are reproducible). */
  seed?: number;
  /** Clock of the token buckets and of `created` timestamps (default the system clock). */
  clock?: Clock;
  /** Per provider: the models `GET …/models` lists (default a list per protocol). */
  models?: Record<string, readonly string[]>;
  /** Largest request body accepted, in bytes (default 32 MiB). */
  maxBodyBytes?: number;
}

/** A simulator that is listening. */
export interface RunningSimulator {
  /** `http://HOST:PORT`. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** Provider names served, in order. */
  readonly providers: readonly string[];
  /**
   * The base URL of a provider, as its own SDK and a failsoft provider's `baseUrl` take it:
   * `http://HOST:PORT/{name}`, plus `/v1` for the OpenAI protocol (as `https://api.openai.com/v1`).
   * Throws on a provider the simulator does not serve.
   */
  urlFor(name: string): string;
  /** Replaces the rules of the providers named in `document` (`[]` clears one). Throws on a bad document. */
  setFaults(document: FaultDocument): void;
  /** Removes every fault rule. */
  clearFaults(): void;
  /** The fault rules in force. */
  faults(): FaultDocument;
  /** Replaces the limits of the providers named in `document` (`null` removes). Throws on a bad document. */
  setLimits(document: LimitsDocument): void;
  /** Removes every limit. */
  clearLimits(): void;
  /** The limits in force. */
  limits(): Record<string, ProviderLimitsConfig>;
  /** Counters per provider. */
  stats(): SimStats;
  /** Zeroes the counters. */
  resetStats(): void;
  /** Stops listening and ends every connection, including held-open `timeout` sockets. */
  close(): Promise<void>;
}

const DEFAULT_PORT = 8700;
const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_SEED = 0x5eed;
const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
const DEFAULT_PROVIDERS: Record<string, SimProtocolName> = {
  anthropic: 'anthropic',
  openai: 'openai',
  gemini: 'gemini',
};
/** Idle keep-alive connections stay open this long, so load generators and SDK pools reuse them. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
const CONTROL_PREFIX = '_sim';

/**
 * Starts the provider simulator: Anthropic, OpenAI and Gemini APIs under `/{name}`, with scriptable
 * faults, token-bucket rate limits and a control API under `/_sim`.
 * @example
 * const sim = await startSimulator({ port: 0, faults: { openai: [{ kind: 'overloaded', count: 2 }] } });
 * const client = new OpenAI({ baseURL: sim.urlFor('openai'), apiKey: 'sk-test' });
 * await sim.close();
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const providers = await buildProviders(options);
  const state = new SimulatorState(providers, {
    clock: options.clock ?? systemClock,
    seed: options.seed ?? DEFAULT_SEED,
    chunkDelayMs: options.chunkDelayMs ?? 0,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
  });
  if (options.faults) state.setFaults(options.faults);
  if (options.limits) state.setLimits(options.limits);

  // Plain node:http, no framework: the simulator must sustain ≥ 15k non-stream req/s with 50
  // connections on 2 cores while the load generator runs on the same box, so nothing but the
  // protocol's own parsing and rendering sits on the request path.
  const server = createServer((req, res) => route(state, req, res));
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;

  const host = options.host ?? DEFAULT_HOST;
  const port = await listen(server, options.port ?? DEFAULT_PORT, host);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;

  return {
    url,
    port,
    host,
    providers: state.names,
    urlFor(name) {
      const provider = state.providers.get(name);
      if (!provider) throw new Error(`unknown simulator provider "${name}" (known: ${state.names.join(', ')})`);
      return `${url}/${name}${provider.protocol.sdkBasePath ?? ''}`;
    },
    setFaults: (document) => state.setFaults(document),
    clearFaults: () => state.clearFaults(),
    faults: () => state.faultDocument(),
    setLimits: (document) => state.setLimits(document),
    clearLimits: () => state.clearLimits(),
    limits: () => state.limitsDocument(),
    stats: () => state.stats(),
    resetStats: () => state.resetStats(),
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** Dispatches on the first path segment: `/_sim/…` control API, `/{name}/…` a provider. */
function route(state: SimulatorState, req: IncomingMessage, res: ServerResponse): void {
  const target = req.url ?? '/';
  const queryAt = target.indexOf('?');
  const pathname = queryAt === -1 ? target : target.slice(0, queryAt);
  const slash = pathname.indexOf('/', 1);
  const name = slash === -1 ? pathname.slice(1) : pathname.slice(1, slash);
  const rest = slash === -1 ? '/' : pathname.slice(slash);
  const provider = state.providers.get(name);
  if (provider)
    return handleProviderRequest(state, provider, req, res, rest, queryAt === -1 ? '' : target.slice(queryAt + 1));
  if (name === CONTROL_PREFIX) return handleControlRequest(state, req, res, rest);
  sendJson(res, 404, {
    error: `unknown provider "${name}": this simulator serves ${state.names.map((known) => `/${known}`).join(', ')} and /_sim`,
    providers: state.names,
  });
}

async function buildProviders(options: SimulatorOptions): Promise<SimProviderState[]> {
  const entries = Object.entries(options.providers ?? DEFAULT_PROVIDERS);
  if (entries.length === 0) throw new Error('the simulator needs at least one provider');
  const names = entries.map(([name]) => name);
  for (const [field, record] of [
    ['apiKeys', options.apiKeys],
    ['models', options.models],
  ] as const) {
    for (const name of Object.keys(record ?? {})) {
      if (!names.includes(name)) throw new Error(`${field}.${name}: unknown provider (known: ${names.join(', ')})`);
    }
  }
  for (const name of options.keyless ?? []) {
    if (!names.includes(name)) throw new Error(`keyless: unknown provider "${name}" (known: ${names.join(', ')})`);
    if (options.apiKeys !== undefined && Object.hasOwn(options.apiKeys, name))
      throw new Error(`keyless: "${name}" also has apiKeys.${name}: a provider either needs that key or none`);
  }
  return Promise.all(
    entries.map(async ([name, spec]): Promise<SimProviderState> => {
      if (name.length === 0 || name.includes('/') || name === CONTROL_PREFIX) {
        throw new Error(`invalid simulator provider name "${name}"`);
      }
      const protocol = typeof spec === 'string' ? await protocolByName(name, spec) : spec;
      return {
        name,
        protocol,
        acceptedKey: options.apiKeys?.[name],
        keyless: options.keyless?.includes(name) ?? false,
        models: options.models?.[name] ?? DEFAULT_SIM_MODELS[protocol.protocol],
        faults: undefined,
        limits: undefined,
        stats: emptyProviderStats(),
      };
    }),
  );
}

function protocolByName(name: string, spec: string): Promise<SimProtocol> {
  if (!isSimProtocolName(spec))
    throw new Error(`providers.${name}: unknown protocol "${spec}" (use anthropic, openai or gemini)`);
  return loadSimProtocol(spec);
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
