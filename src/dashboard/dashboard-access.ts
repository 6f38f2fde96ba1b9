/**
 * Who may read the dashboard's state. The page itself (HTML, CSS, scripts) holds no data and is served to anyone
 * who reaches the gateway; what it shows (`/dashboard/state`, `/dashboard/plan`, `/dashboard/incidents/:id`)
 * follows the admin routes' rule, with one difference for a local browser:
 * - `FAILSOFT_ADMIN_TOKEN` set: `Authorization: Bearer <token>` (the page asks for it once and keeps it in
 *   sessionStorage); wrong tokens are rate-limited per address like the admin routes' (10 a minute).
 * - no token, loopback `--host`: open, to pages too (the admin routes refuse browsers there, because they change
 *   state; these routes only read), but only when the request's Host names a loopback address, so a page on
 *   another site cannot read it through DNS rebinding; no CORS headers, so no other origin can read it either.
 * - no token, other hosts: 403, as the admin routes.
 * Changes (kill switches) never go through the dashboard: the page calls `/admin/switches/*` with the token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isLoopbackHost } from '../gateway/admin-routes.js';
import { FailedAuthLimiter } from '../gateway/failed-auth-limiter.js';
import { type Clock, systemClock } from '../model/clock.js';
import { ConfigError, retryAfterSeconds } from '../model/errors.js';

/** How the dashboard's reads are guarded: by the admin token, open on loopback, or refused (no token, open host). */
export type DashboardReadAccess = 'token' | 'open-loopback' | 'refused';

/** The verdict on one read. */
export type ReadVerdict =
  | { ok: true }
  | { ok: false; status: 401 | 403 | 429; message: string; headers: Record<string, string> };

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** The host part of a Host header: `127.0.0.1:8787` → `127.0.0.1`, `[::1]:80` → `::1`. */
function hostName(header: string | undefined): string {
  if (header === undefined) return '';
  if (header.startsWith('[')) return header.slice(1, header.indexOf(']'));
  const colon = header.lastIndexOf(':');
  return colon === -1 ? header : header.slice(0, colon);
}

/** Decides the dashboard's reads for one gateway (see the module comment). */
export class DashboardAccess {
  readonly reads: DashboardReadAccess;
  private readonly tokenHash: Buffer | undefined;
  private readonly failures: FailedAuthLimiter;

  /**
   * @param token the gateway's admin token (undefined: none); blank is a `ConfigError`, as for the admin routes.
   * @param host the interface the gateway listens on.
   */
  constructor(token: string | undefined, host: string, clock: Clock = systemClock) {
    const trimmed = token?.trim();
    if (trimmed === '')
      throw new ConfigError([
        {
          path: 'FAILSOFT_ADMIN_TOKEN (environment)',
          message: 'is set but blank: set it to a secret (e.g. `openssl rand -hex 32`) or unset it',
        },
      ]);
    this.tokenHash = trimmed === undefined ? undefined : sha256(trimmed);
    this.reads = trimmed !== undefined ? 'token' : isLoopbackHost(host) ? 'open-loopback' : 'refused';
    this.failures = new FailedAuthLimiter({ clock });
  }

  /** Whether this request may read the dashboard's state. */
  check(req: IncomingMessage): ReadVerdict {
    if (this.reads === 'refused') {
      return {
        ok: false,
        status: 403,
        message:
          "the dashboard's state is off: FAILSOFT_ADMIN_TOKEN is not set and the gateway listens on a non-loopback interface",
        headers: {},
      };
    }
    if (this.tokenHash === undefined) {
      if (isLoopbackHost(hostName(req.headers.host))) return { ok: true };
      return {
        ok: false,
        status: 403,
        message:
          'without FAILSOFT_ADMIN_TOKEN the dashboard answers only requests addressed to a loopback name (localhost, 127.0.0.1, [::1])',
        headers: {},
      };
    }
    const address = req.socket.remoteAddress ?? 'unknown';
    const waitMs = this.failures.blockedForMs(address);
    if (waitMs > 0) {
      const seconds = retryAfterSeconds(waitMs);
      return {
        ok: false,
        status: 429,
        message: `too many wrong admin tokens from ${address}: try again in ${seconds} s`,
        headers: { 'retry-after': String(seconds) },
      };
    }
    const auth = req.headers.authorization;
    const presented =
      typeof auth === 'string' && auth.slice(0, 7).toLowerCase() === 'bearer ' ? auth.slice(7).trim() : '';
    // Hashes have equal lengths, so the comparison's time says nothing about the token.
    if (presented !== '' && timingSafeEqual(sha256(presented), this.tokenHash)) {
      this.failures.succeed(address);
      return { ok: true };
    }
    if (presented !== '') this.failures.fail(address);
    return {
      ok: false,
      status: 401,
      message: 'the dashboard needs the admin token: Authorization: Bearer $FAILSOFT_ADMIN_TOKEN',
      headers: {},
    };
  }
}
