import type { Failsoft } from '../engine/failsoft.js';
import type { FailsoftEvent, FailsoftEventType } from '../engine/events.js';
import { describeEvent } from '../engine/event-messages.js';
import type { GatewayResponse } from './respond.js';

/** How much `failsoft serve` logs: state changes at `info` (the default), every request at `debug`. */
export type LogLevel = 'silent' | 'warn' | 'info' | 'debug';
type LineLevel = Exclude<LogLevel, 'silent'>;

export const LOG_LEVELS: readonly LogLevel[] = ['silent', 'warn', 'info', 'debug'];
const RANK: Record<LogLevel, number> = { silent: 0, warn: 1, info: 2, debug: 3 };

/** One gateway request, as the access log writes it at `debug`. */
export interface AccessLogEntry {
  id: string | undefined;
  method: string;
  path: string;
  status: number;
  feature: string | undefined;
  provider: string | undefined;
  source: string | undefined;
  ms: number;
}

/**
 * Writes JSON lines (`time`, `level`, `msg`, then fields) at or above a level. Not pino: loading it costs
 * the gateway +8.4 MB of RSS (measured) against its 100 MB target, and what is logged here is rare (state
 * changes) or debug-only, so pino's fast asynchronous writing buys nothing.
 */
export class LineLog {
  private readonly rank: number;

  constructor(
    readonly level: LogLevel,
    private readonly write: (line: string) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.rank = RANK[level];
  }

  enabled(level: LineLevel): boolean {
    return RANK[level] <= this.rank;
  }

  log(level: LineLevel, msg: string, fields: Record<string, unknown> = {}): void {
    if (!this.enabled(level)) return;
    this.write(JSON.stringify({ time: new Date(this.now()).toISOString(), level, msg, ...fields }));
  }

  /** The access-log line of one request (`debug`). */
  request(entry: AccessLogEntry): void {
    this.log('debug', `${entry.method} ${entry.path} ${entry.status}`, { event: 'request', ...entry });
  }
}

/**
 * Calls `accessLog` once the response closes, with who answered as the request steps noted it on the
 * response (`GatewayResponse`: the same values as its failsoft headers) and the time taken; 499 when the
 * client left before the answer ended. One listener per request, only with the access log on.
 */
export function logWhenClosed(
  accessLog: (entry: AccessLogEntry) => void,
  res: GatewayResponse,
  method: string,
  path: string,
): void {
  const started = performance.now();
  res.once('close', () => {
    accessLog({
      id: res.requestId,
      method,
      path,
      status: res.writableFinished ? res.statusCode : 499,
      feature: res.feature,
      provider: res.provider,
      source: res.source,
      ms: Math.round((performance.now() - started) * 100) / 100,
    });
  });
}

/** State changes (logged at `info` and `warn`); per-request events only at `debug`. */
const STATE_EVENTS: readonly FailsoftEventType[] = [
  'provider-opened',
  'provider-half-opened',
  'provider-closed',
  'feature-mode-changed',
  'budget-exhausted',
  'budget-recovered',
  'switch-changed',
  'stream-failed',
  'shared-state-lost',
  'shared-state-restored',
  'provider-cooldown-started',
  'provider-cooldown-ended',
  'engine-faulted',
];
const REQUEST_EVENTS: readonly FailsoftEventType[] = ['attempt-failed', 'attempt-hedged'];

/**
 * Logs the engine's events as JSON lines: every state change (a provider opening or closing, a feature
 * falling back, a budget running out, a switch flipped) at `warn`/`info`, the timeline an on-call reads;
 * failed attempts at `debug`. Subscribes only to what the level shows, so at `info` the request path
 * builds no event it would not have built anyway. Returns the unsubscribe function.
 * @example const off = attachEventLog(ai, new LineLog('info', (line) => process.stdout.write(`${line}\n`)));
 */
export function attachEventLog(ai: Failsoft, log: LineLog): () => void {
  if (log.level === 'silent') return () => undefined;
  const types = log.enabled('debug') ? [...STATE_EVENTS, ...REQUEST_EVENTS] : STATE_EVENTS;
  const offs = types.map((type) =>
    ai.on(type, (event: FailsoftEvent) => {
      const [level, msg] = describeEvent(event);
      const { at, type, ...fields } = event;
      log.log(level, msg, { event: type, at: new Date(at).toISOString(), ...fields });
    }),
  );
  return () => {
    for (const off of offs) off();
  };
}
