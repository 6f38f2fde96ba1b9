/**
 * `/admin/*`: read state and incidents, flip kill switches, force providers open or closed. Behind
 * `Authorization: Bearer $FAILSOFT_ADMIN_TOKEN` (constant-time compare; wrong tokens are rate-limited
 * per remote address). Without a token the routes are served only when the gateway listens on a
 * loopback interface, and never to a browser page; elsewhere they answer 403. A token that is set but
 * blank stops start-up. Every change goes through the engine (switches, forceOpen/forceClose), so it is
 * an event and takes effect on the next request.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { z } from 'zod';
import type { Failsoft } from '../engine/failsoft.js';
import { systemClock, type Clock } from '../model/clock.js';
import { ConfigError, retryAfterSeconds } from '../model/errors.js';
import { parseDurationText } from '../engine/config/duration.js';
import { fromBrowser } from './browser-origin.js';
import { FailedAuthLimiter } from './failed-auth-limiter.js';
import { readJsonBody } from './read-body.js';

/** Admin bodies are small: 16 KiB is plenty. */
const ADMIN_BODY_BYTES = 16 * 1024;
const SOURCE = 'admin';

const switchBody = z.strictObject({ enabled: z.boolean() });
const providerBody = z.strictObject({ model: z.string().min(1).optional() });

/**
 * True for interfaces only this machine can reach: `localhost`, 127.0.0.0/8, `::1` (and IPv4-mapped 127.x).
 * @example isLoopbackHost('127.0.0.1') // true; isLoopbackHost('0.0.0.0') // false
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || h.startsWith('::ffff:127.');
  return false;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** How admin access is decided. */
export type AdminAccess = 'token' | 'open-loopback' | 'refused';

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

function refuse(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  send(res, status, { error: { message } });
}

/** Options of `AdminRoutes`. */
export interface AdminRoutesOptions {
  /** The admin token (else `FAILSOFT_ADMIN_TOKEN` from `env`); none = no token. Set but blank (whitespace only) is a `ConfigError`. */
  token: string | undefined;
  /** Where `FAILSOFT_ADMIN_TOKEN` is read when `token` is undefined (default: not read). */
  env?: Record<string, string | undefined>;
  /** The interface the gateway listens on (tokenless admin is served on loopback only). */
  host: string;
  /** Time for the wrong-token rate limit (tests pass a FakeClock). */
  clock?: Clock;
  /** Wrong tokens allowed per remote address per minute before 429 (default 10). */
  maxFailures?: number;
  /** Where `GET /admin/incidents[/:id]` reads (none: those routes answer 404 saying no record is kept). */
  incidents?: AdminIncidentSource;
}

/**
 * The incident record as `/admin/incidents` serves it: passed in by `failsoft serve` (the gateway never opens
 * a store). `list` answers the `--json` shape of `failsoft incidents`, `get` that of `failsoft incident <id>`.
 */
export interface AdminIncidentSource {
  list(query: { since?: number; limit?: number }): Promise<unknown[]>;
  get(id: string): Promise<unknown>;
}

/** The admin API of one gateway. */
export class AdminRoutes {
  /** How this gateway decides admin access (`token`, `open-loopback` or `refused`). */
  readonly access: AdminAccess;
  private readonly tokenHash: Buffer | undefined;
  private readonly failures: FailedAuthLimiter;
  private readonly incidents: AdminIncidentSource | undefined;

  constructor(
    private readonly ai: Failsoft,
    options: AdminRoutesOptions,
  ) {
    this.incidents = options.incidents;
    const fromEnv = options.token === undefined;
    const token = (fromEnv ? options.env?.FAILSOFT_ADMIN_TOKEN : options.token)?.trim();
    // A token that is set was meant to protect admin: running without it (open on loopback) would
    // silently do the opposite, so a blank one is a start-up error.
    if (token === '') {
      const where = fromEnv ? 'FAILSOFT_ADMIN_TOKEN (environment)' : 'adminToken (gateway option)';
      throw new ConfigError([
        { path: where, message: 'is set but blank: set it to a secret (e.g. `openssl rand -hex 32`) or unset it' },
      ]);
    }
    this.tokenHash = token === undefined ? undefined : sha256(token);
    this.access = token !== undefined ? 'token' : isLoopbackHost(options.host) ? 'open-loopback' : 'refused';
    this.failures = new FailedAuthLimiter({
      clock: options.clock ?? systemClock,
      ...(options.maxFailures === undefined ? {} : { maxFailures: options.maxFailures }),
    });
  }

  /** Why start-up should warn, if it should. */
  get warning(): string | undefined {
    return this.access === 'refused'
      ? 'FAILSOFT_ADMIN_TOKEN is not set and the gateway listens on a non-loopback interface: /admin/* answers 403 (set the token to use it)'
      : undefined;
  }

  /** Serves one `/admin/...` request. */
  async handle(req: IncomingMessage, res: ServerResponse, path: string, method: string): Promise<void> {
    if (!this.authorized(req, res)) {
      req.resume();
      return;
    }
    const parts = path
      .split('/')
      .filter((p) => p !== '')
      .map(safeDecode);
    const [, first, second, third] = parts;
    if (parts.length === 2 && first === 'state')
      return method === 'GET' ? this.state(res) : this.notAllowed(res, 'GET');
    if ((parts.length === 2 || parts.length === 3) && first === 'incidents') {
      if (method !== 'GET') return this.notAllowed(res, 'GET');
      return second === undefined ? this.listIncidents(req, res) : this.incident(res, second);
    }
    if (method !== 'POST') return this.notAllowed(res, 'POST');
    if (parts.length === 3 && first === 'switches' && second === 'global') return this.switchGlobal(req, res);
    if (parts.length === 4 && first === 'switches' && second === 'features' && third !== undefined)
      return this.switchFeature(req, res, third);
    if (parts.length === 4 && first === 'providers' && second !== undefined && (third === 'open' || third === 'close'))
      return this.forceProvider(req, res, second, third);
    req.resume();
    return refuse(res, 404, `no admin route for ${method} ${path}`);
  }

  /** Token given: must match (401 otherwise). No token: loopback only (403 elsewhere). */
  private authorized(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.access === 'refused') {
      refuse(
        res,
        403,
        'admin routes are off: FAILSOFT_ADMIN_TOKEN is not set and the gateway listens on a non-loopback interface',
      );
      return false;
    }
    if (this.tokenHash === undefined) {
      // Tokenless admin trusts whoever can reach loopback, which includes web pages in a local browser
      // (a cross-site form POST, DNS rebinding): refuse every request a browser marks as its own.
      if (!fromBrowser(req.headers)) return true;
      refuse(
        res,
        403,
        'admin routes without FAILSOFT_ADMIN_TOKEN refuse requests from browsers (Origin or Sec-Fetch-Site present): set the token to use them from a page',
      );
      return false;
    }
    const address = req.socket.remoteAddress ?? 'unknown';
    const waitMs = this.failures.blockedForMs(address);
    if (waitMs > 0) {
      const seconds = retryAfterSeconds(waitMs);
      refuse(res, 429, `too many wrong admin tokens from ${address}: try again in ${seconds} s`, {
        'retry-after': String(seconds),
      });
      return false;
    }
    const auth = req.headers.authorization;
    const presented =
      typeof auth === 'string' && auth.slice(0, 7).toLowerCase() === 'bearer ' ? auth.slice(7).trim() : '';
    // Hashing first gives equal lengths, so the comparison's time says nothing about the token (not even its length).
    if (presented !== '' && timingSafeEqual(sha256(presented), this.tokenHash)) {
      this.failures.succeed(address);
      return true;
    }
    if (presented !== '') this.failures.fail(address);
    refuse(res, 401, 'admin routes need Authorization: Bearer $FAILSOFT_ADMIN_TOKEN', {
      'www-authenticate': 'Bearer realm="failsoft-admin"',
    });
    return false;
  }

  private notAllowed(res: ServerResponse, allow: string): void {
    refuse(res, 405, `use ${allow}`, { allow });
  }

  private async state(res: ServerResponse): Promise<void> {
    send(res, 200, { health: await this.ai.health(), switches: this.ai.switches.toJSON() });
  }

  private async listIncidents(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const source = this.incidents;
    if (!source) return refuse(res, 404, 'no incident record: this gateway was started without a record store');
    const query = new URL(req.url ?? '/', 'http://admin').searchParams;
    const sinceText = query.get('since') ?? '24h';
    const sinceMs = parseDurationText(sinceText);
    if (sinceMs === undefined) return refuse(res, 400, `since=${sinceText}: expected a duration like 30m, 24h or 7d`);
    const limitText = query.get('limit');
    const limit = limitText === null ? undefined : Number(limitText);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 1000))
      return refuse(res, 400, `limit=${limitText}: expected an integer from 1 to 1000`);
    await this.fromRecord(res, async () => ({
      incidents: await source.list({ since: Date.now() - sinceMs, ...(limit === undefined ? {} : { limit }) }),
    }));
  }

  private async incident(res: ServerResponse, id: string): Promise<void> {
    const source = this.incidents;
    if (!source) return refuse(res, 404, 'no incident record: this gateway was started without a record store');
    await this.fromRecord(res, () => source.get(id), `no incident "${id}"`);
  }

  /** Answers what the record store returned; 404 for nothing, 503 when the store cannot answer (never a 500). */
  private async fromRecord(res: ServerResponse, read: () => Promise<unknown>, missing?: string): Promise<void> {
    let value: unknown;
    try {
      value = await read();
    } catch (error) {
      return refuse(
        res,
        503,
        `the record store cannot answer: ${error instanceof Error ? error.message : String(error)}`,
        { 'retry-after': '5' },
      );
    }
    if (value === undefined) return refuse(res, 404, missing ?? 'not found');
    send(res, 200, value);
  }

  /** Reads and validates a small JSON body; an empty body reads as `{}`. Answers 400 itself when bad. */
  private async body<T>(req: IncomingMessage, res: ServerResponse, schema: z.ZodType<T>): Promise<T | undefined> {
    const length = req.headers['content-length'];
    const empty = length === '0' || (length === undefined && req.headers['transfer-encoding'] === undefined);
    let value: unknown = {};
    if (!empty) {
      const read = await readJsonBody(req, ADMIN_BODY_BYTES);
      if (!read.ok) {
        if (read.failure === 'aborted') res.destroy();
        else refuse(res, read.failure === 'too_large' ? 413 : 400, read.message);
        return undefined;
      }
      value = read.value;
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    refuse(res, 400, `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid body'}`);
    return undefined;
  }

  private async switchGlobal(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await this.body(req, res, switchBody);
    if (!body) return;
    this.ai.switches.setAiEnabled(body.enabled, SOURCE);
    send(res, 200, { switches: this.ai.switches.toJSON() });
  }

  private async switchFeature(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    const body = await this.body(req, res, switchBody);
    if (!body) return;
    // Own keys only: `__proto__` or `constructor` is no feature, and no switch is kept for it.
    const feature = Object.hasOwn(this.ai.config.features, name) ? this.ai.config.features[name] : undefined;
    if (!feature)
      return refuse(
        res,
        404,
        `unknown feature "${name}" (configured: ${Object.keys(this.ai.config.features).join(', ') || 'none'})`,
      );
    if (feature.tier === 'critical')
      return refuse(res, 400, `feature "${name}" is critical: it never calls AI, so it has no switch`);
    if (body.enabled) this.ai.switches.enable(name, SOURCE);
    else this.ai.switches.disable(name, SOURCE);
    send(res, 200, { switches: this.ai.switches.toJSON() });
  }

  private async forceProvider(
    req: IncomingMessage,
    res: ServerResponse,
    name: string,
    action: 'open' | 'close',
  ): Promise<void> {
    const body = await this.body(req, res, providerBody);
    if (!body) return;
    if (!Object.hasOwn(this.ai.config.providers, name)) {
      return refuse(
        res,
        404,
        `unknown provider "${name}" (configured: ${Object.keys(this.ai.config.providers).join(', ') || 'none'})`,
      );
    }
    const models = new Set(
      Object.values(this.ai.config.features).flatMap((f) =>
        f.route.filter((r) => r.provider === name).map((r) => r.model),
      ),
    );
    if (body.model !== undefined && !models.has(body.model)) {
      return refuse(
        res,
        404,
        `provider "${name}" serves no route entry with model "${body.model}" (routed: ${[...models].join(', ') || 'none'})`,
      );
    }
    if (action === 'open') this.ai.forceOpen(name, body.model);
    else this.ai.forceClose(name, body.model);
    const health = await this.ai.health();
    send(res, 200, {
      provider: name,
      ...(body.model === undefined ? {} : { model: body.model }),
      state: health.providers[name]?.state,
      models: health.providers[name]?.models,
    });
  }
}
