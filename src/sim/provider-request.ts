import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { deriveAnswer } from './derive-answer.js';
import { DEFAULT_AFTER_CHUNKS, type FaultRule } from './fault-rules.js';
import { afterDelay, readBody, sendReply } from './http-io.js';
import type { SimHttpReply, SimParsedRequest, SimRequestInfo } from './sim-protocol.js';
import { countOutcome, type StreamFaultCounts } from './sim-stats.js';
import type { SimProviderState, SimulatorState } from './simulator-state.js';
import { planSlowStream, spacingOver } from './slow-stream.js';
import { writeStream } from './stream-writer.js';

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * Handles one request under a provider's prefix: route → authenticate → body → parse → faults →
 * limits → answer. This is the simulator's hot path: no validation beyond the protocol's own parse,
 * no logging, one `writeHead` + `end` for non-streamed answers.
 */
export function handleProviderRequest(
  sim: SimulatorState,
  provider: SimProviderState,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  queryString: string,
): void {
  provider.stats.requests += 1;
  const { protocol } = provider;
  const info = new RequestInfo(req.method ?? 'GET', path, queryString, req.headers);
  const route = protocol.route(info);
  if (isReply(route)) return reply(provider, res, route);
  const denied = provider.keyless ? undefined : protocol.authenticate(info, provider.acceptedKey);
  if (denied) return reply(provider, res, denied);
  if (route.operation === 'list-models') return reply(provider, res, protocol.listModels(provider.models));
  readBody(req, sim.settings.maxBodyBytes, (body) => {
    if (body === undefined) return replyTooLarge(provider, res);
    const parsed = protocol.parse(route, body);
    if (isReply(parsed)) return reply(provider, res, parsed);
    const decision = provider.faults?.decide(parsed.stream, sim.random);
    if (!decision) return answer(sim, provider, res, parsed);
    if (decision.latencyMs > 0) {
      afterDelay(res, decision.latencyMs, () => applyFault(sim, provider, res, parsed, decision.rule));
    } else {
      applyFault(sim, provider, res, parsed, decision.rule);
    }
  });
}

/** Request data for the protocol; the query string is parsed only if the protocol reads it. */
class RequestInfo implements SimRequestInfo {
  private parsedQuery: URLSearchParams | undefined;

  constructor(
    readonly method: string,
    readonly path: string,
    private readonly queryString: string,
    readonly headers: IncomingHttpHeaders,
  ) {}

  get query(): URLSearchParams {
    this.parsedQuery ??= new URLSearchParams(this.queryString);
    return this.parsedQuery;
  }
}

function isReply<T extends object>(value: T | SimHttpReply): value is SimHttpReply {
  return 'status' in value && 'body' in value;
}

function reply(
  provider: SimProviderState,
  res: ServerResponse,
  rendered: SimHttpReply,
  extraHeaders?: Record<string, string>,
): void {
  countOutcome(provider.stats, rendered.status);
  sendReply(res, rendered, extraHeaders);
}

function replyTooLarge(provider: SimProviderState, res: ServerResponse): void {
  const { protocol } = provider;
  const rendered =
    protocol.renderBodyTooLarge?.() ?? protocol.renderFault('bad_request', { model: '', inputTokens: 0 });
  reply(provider, res, rendered, { connection: 'close' });
}

/** Carries out the outcome a fault rule decided (or the normal answer after a `slow` delay). */
function applyFault(
  sim: SimulatorState,
  provider: SimProviderState,
  res: ServerResponse,
  request: SimParsedRequest,
  rule: FaultRule | undefined,
): void {
  if (!rule) return answer(sim, provider, res, request);
  switch (rule.kind) {
    case 'timeout':
      // Accepted and never answered: the socket stays open until the client leaves or close() ends it.
      countOutcome(provider.stats, 'timeout');
      return;
    case 'reset': {
      countOutcome(provider.stats, 'reset');
      const socket = res.socket;
      if (socket && typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
      else socket?.destroy();
      return;
    }
    case 'mid_stream_error':
    case 'truncated_stream':
    case 'stall_stream':
      return streamWithFault(sim, provider, res, request, rule.kind, rule.afterChunks ?? DEFAULT_AFTER_CHUNKS);
    case 'slow':
      return answer(sim, provider, res, request);
    case 'slow_stream':
      return answer(sim, provider, res, request, rule);
    default: {
      const rendered = provider.protocol.renderFault(rule.kind, {
        model: request.model,
        retryAfterS: rule.retryAfterS,
        inputTokens: request.inputTokens,
      });
      return reply(provider, res, rendered, limitHeaders(provider, request.model));
    }
  }
}

/** Rate-limit headers for an answer that did not pass through admission (faults). */
function limitHeaders(provider: SimProviderState, model: string): Record<string, string> | undefined {
  const { limits } = provider;
  return limits ? provider.protocol.rateLimitHeaders({ model, snapshot: limits.snapshot() }) : undefined;
}

/**
 * The normal path: admission against the token buckets, then the derived answer. A `slow_stream` rule
 * makes it a long generation: a lengthened answer, paced (stream) or delayed (non-stream) over its total.
 */
function answer(
  sim: SimulatorState,
  provider: SimProviderState,
  res: ServerResponse,
  request: SimParsedRequest,
  slowStream?: FaultRule,
): void {
  const { protocol, limits } = provider;
  let headers: Record<string, string> = NO_HEADERS;
  if (limits) {
    const refusal = limits.admit(request);
    if (refusal) {
      const snapshot = limits.snapshot();
      return reply(provider, res, protocol.renderOverLimit({ ...refusal, model: request.model, snapshot }));
    }
  }
  let derived = deriveAnswer(provider.name, request, sim.settings.clock.now());
  let totalMs = 0;
  if (slowStream) {
    ({ answer: derived, totalMs } = planSlowStream(slowStream, derived, request));
    countSlowStream(provider, res);
  }
  if (limits) {
    limits.settle(request, derived.outputTokens);
    headers = protocol.rateLimitHeaders({ model: request.model, snapshot: limits.snapshot() });
  }
  if (!request.stream) {
    const rendered = protocol.renderAnswer(derived, headers);
    if (totalMs > 0) return afterDelay(res, totalMs, () => reply(provider, res, rendered));
    return reply(provider, res, rendered);
  }
  countOutcome(provider.stats, 200);
  const frames = protocol.renderStream(derived, request);
  writeStream(
    res,
    {
      headers: { ...protocol.streamHeaders(request), ...headers },
      head: frames.head,
      deltas: frames.deltas,
      ending: frames.tail,
    },
    slowStream ? spacingOver(frames.deltas.length, totalMs) : sim.settings.chunkDelayMs,
  );
}

/** Counts a `slow_stream` answer as started, then as completed or abandoned once its response closes. */
function countSlowStream(provider: SimProviderState, res: ServerResponse): void {
  // The counters of the stats window the answer started in (a reset meanwhile starts a new window).
  const counts = provider.stats.slowStreams;
  counts.started += 1;
  res.once('close', () => {
    if (res.writableFinished) counts.completed += 1;
    else counts.abandoned += 1;
  });
}

/** A stream cut after `afterChunks` deltas: by an error frame, by simply ending, or (`stall_stream`) by silence. */
function streamWithFault(
  sim: SimulatorState,
  provider: SimProviderState,
  res: ServerResponse,
  request: SimParsedRequest,
  kind: keyof StreamFaultCounts,
  afterChunks: number,
): void {
  const { protocol } = provider;
  countOutcome(provider.stats, 200);
  provider.stats.streamFaults[kind] += 1;
  const derived = deriveAnswer(provider.name, request, sim.settings.clock.now());
  const frames = protocol.renderStream(derived, request);
  const ending = kind === 'mid_stream_error' ? [protocol.renderStreamError(request.model, request)] : [];
  writeStream(
    res,
    {
      headers: { ...protocol.streamHeaders(request), ...limitHeaders(provider, request.model) },
      head: frames.head,
      deltas: frames.deltas.slice(0, afterChunks),
      ending,
      endingApart: kind === 'mid_stream_error',
      hold: kind === 'stall_stream',
    },
    sim.settings.chunkDelayMs,
  );
}
