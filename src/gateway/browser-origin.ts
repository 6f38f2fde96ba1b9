/**
 * Requests from web pages. A gateway on a laptop or an internal network trusts whoever can reach it,
 * and that includes every page open in a browser there: a cross-site `fetch` or form POST (or a DNS
 * rebinding) would spend the providers' budget, flip admin switches, or read answers. Browsers mark
 * their requests (`Origin`, `Sec-Fetch-Site`); curl, SDKs and servers send neither, so they pass untouched.
 *
 * On the AI routes a browser request is served when its page is listed in `gateway.corsOrigins` (and
 * then gets the CORS headers that let the page read the answer), when it comes from the gateway's own
 * origin, or when client keys are configured (the key authenticates the caller; without a listed
 * origin the browser just cannot read the answer). Everything else is refused.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { ANY_ORIGIN } from '../engine/config/cors-origins.js';
import { renderAccessError } from './auth-errors.js';

/**
 * True when a browser sent this request (it carries `Origin` or `Sec-Fetch-Site`).
 * @example fromBrowser({ origin: 'https://evil.example' }) // true; fromBrowser({ 'user-agent': 'curl/8' }) // false
 */
export function fromBrowser(headers: IncomingHttpHeaders): boolean {
  return headers.origin !== undefined || headers['sec-fetch-site'] !== undefined;
}

/** Response headers a listed page may read: who answered, when to retry, the request id. */
export const CORS_EXPOSED_HEADERS =
  'x-failsoft-feature, x-failsoft-provider, x-failsoft-source, x-failsoft-degraded, x-should-retry, retry-after, x-request-id';

/** Request headers a listed page may always send (the SDKs' own are added from the preflight's request). */
export const CORS_ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'x-api-key',
  'anthropic-version',
  'anthropic-beta',
  'x-request-id',
];

/** How long a browser may cache a preflight answer, in seconds. */
const PREFLIGHT_MAX_AGE_S = '600';

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

/** The verdict on one request: served (with the CORS headers to add, when there are some) or refused (and why). */
export type OriginVerdict =
  | { readonly allowed: true; readonly headers: Readonly<Record<string, string>> | undefined }
  | { readonly allowed: false; readonly message: string };

/** What a preflight (`OPTIONS`) is answered with: 204 and these headers, or a refusal. */
export type PreflightVerdict =
  | { readonly allowed: true; readonly headers: Readonly<Record<string, string>> }
  | { readonly allowed: false; readonly message: string };

/** Options of `BrowserOrigins`. */
export interface BrowserOriginOptions {
  /** `gateway.corsOrigins`, as browsers send them (`*`: every origin; the config allows it only with client keys). */
  corsOrigins: readonly string[];
  /** Client keys are configured: a key, not the page's origin, decides who may call. */
  clientKeys: boolean;
}

const PASS: OriginVerdict = Object.freeze({ allowed: true, headers: undefined });

/** `host[:port]` of a Host header, when its host is an IP literal or `localhost` (names a page cannot rebind). */
function isLiteralHost(host: string): boolean {
  const match = /^(\[[^\]]+\]|[^:[\]]+)(?::\d+)?$/.exec(host);
  const name = match?.[1]?.replace(/^\[|\]$/g, '').toLowerCase();
  return name !== undefined && (name === 'localhost' || isIP(name) !== 0);
}

/**
 * True when the request comes from a page the gateway itself served: `Sec-Fetch-Site` absent,
 * `same-origin` or `none` (typed in the address bar), and the page's origin is `http://` + the Host
 * header where that host is an IP literal or `localhost`. A DNS name is not trusted here: a page can
 * rebind its own name to this gateway's address and be "same-origin" with it (list such names).
 */
function isOwnOrigin(headers: IncomingHttpHeaders): boolean {
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = headers.origin;
  if (origin === undefined && site === 'none') return true;
  const host = headers.host;
  if (host === undefined || !isLiteralHost(host)) return false;
  return origin === undefined || origin.toLowerCase() === `http://${host.toLowerCase()}`;
}

/**
 * Decides which browser requests the AI routes serve, and the CORS headers of listed origins.
 * @example const origins = new BrowserOrigins({ corsOrigins: ['https://app.example.com'], clientKeys: false }); origins.check(req.headers)
 */
export class BrowserOrigins {
  private readonly listed: ReadonlySet<string>;
  private readonly everyOrigin: boolean;
  /** For requests without an Origin when origins are listed: caches must keep answers per Origin apart. */
  private readonly passVary: OriginVerdict;
  /** The CORS headers of each listed origin, built once. */
  private readonly corsHeaders = new Map<string, Readonly<Record<string, string>>>();

  constructor(private readonly options: BrowserOriginOptions) {
    this.everyOrigin = options.corsOrigins.includes(ANY_ORIGIN);
    this.listed = new Set(options.corsOrigins.filter((o) => o !== ANY_ORIGIN));
    this.passVary =
      options.corsOrigins.length > 0
        ? Object.freeze({ allowed: true, headers: Object.freeze({ vary: 'origin' }) })
        : PASS;
    for (const origin of this.listed) this.corsHeaders.set(origin, this.headersFor(origin));
  }

  /** Is this Origin listed (or are all listed, with `*`)? */
  allows(origin: string): boolean {
    return this.everyOrigin || this.listed.has(origin);
  }

  /** The verdict on an AI-route request (anything but a preflight). Costs two header reads for non-browser callers. */
  check(headers: IncomingHttpHeaders): OriginVerdict {
    const origin = headers.origin;
    if (origin === undefined && headers['sec-fetch-site'] === undefined) return this.passVary;
    if (origin !== undefined && this.allows(origin))
      return { allowed: true, headers: this.corsHeaders.get(origin) ?? this.headersFor(origin) };
    if (isOwnOrigin(headers) || this.options.clientKeys) return this.passVary;
    return { allowed: false, message: refusal(headers) };
  }

  /** The answer to an `OPTIONS` preflight from a page: the methods and headers a listed origin may use. */
  preflight(headers: IncomingHttpHeaders, methods: string): PreflightVerdict {
    const origin = headers.origin;
    if (origin === undefined || !this.allows(origin)) {
      // Refused even with client keys: granting a page CORS is what corsOrigins is for.
      if (origin === undefined || isOwnOrigin(headers))
        return { allowed: true, headers: { allow: `${methods}, OPTIONS` } };
      return { allowed: false, message: refusal(headers) };
    }
    return {
      allowed: true,
      headers: {
        ...(this.corsHeaders.get(origin) ?? this.headersFor(origin)),
        'access-control-allow-methods': `${methods}, OPTIONS`,
        'access-control-allow-headers': allowedHeaders(headers['access-control-request-headers']),
        'access-control-max-age': PREFLIGHT_MAX_AGE_S,
        vary: 'origin, access-control-request-headers',
      },
    };
  }

  private headersFor(origin: string): Readonly<Record<string, string>> {
    return Object.freeze({
      'access-control-allow-origin': origin,
      'access-control-expose-headers': CORS_EXPOSED_HEADERS,
      vary: 'origin',
    });
  }
}

/**
 * The base list plus what the page asks for: the SDKs add headers of their own (`x-stainless-*`,
 * `anthropic-dangerous-direct-browser-access`) that change between versions. Only listed origins get here.
 */
function allowedHeaders(requested: string | undefined): string {
  const names = new Set(CORS_ALLOWED_HEADERS);
  for (const raw of (requested ?? '').split(',')) {
    const name = raw.trim().toLowerCase();
    if (HEADER_NAME.test(name)) names.add(name);
  }
  return [...names].join(', ');
}

/** Why a browser request is refused, and what to change. */
function refusal(headers: IncomingHttpHeaders): string {
  const origin = headers.origin;
  if (origin !== undefined)
    return `requests from the web page origin "${origin}" are refused: add it to gateway.corsOrigins to let its pages call this gateway`;
  return `cross-site browser requests are refused (Sec-Fetch-Site: ${String(headers['sec-fetch-site'])}): add the calling page's origin to gateway.corsOrigins`;
}

function sendRefusal(
  res: ServerResponse,
  dialect: 'openai' | 'anthropic',
  message: string,
  requestId: string | undefined,
): void {
  const { status, body } = renderAccessError(dialect, 'origin', message);
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  };
  if (requestId !== undefined) headers['x-request-id'] = requestId;
  res.writeHead(status, headers);
  res.end(text);
}

/**
 * The AI routes' origin check: true when the request goes on (with the CORS headers of a listed origin
 * set on `res`), false when it was answered 403 in the caller's dialect.
 * @example if (!guardOrigin(origins, 'openai', req, res, requestId)) return;
 */
export function guardOrigin(
  origins: BrowserOrigins,
  dialect: 'openai' | 'anthropic',
  req: IncomingMessage,
  res: ServerResponse,
  requestId?: string,
): boolean {
  const verdict = origins.check(req.headers);
  if (verdict.allowed) {
    if (verdict.headers !== undefined)
      for (const name in verdict.headers) res.setHeader(name, verdict.headers[name] as string);
    return true;
  }
  req.resume();
  sendRefusal(res, dialect, verdict.message, requestId);
  return false;
}

/**
 * Answers `OPTIONS` on an AI route: 204 with the CORS grant for a listed origin (or just `allow` for a
 * caller that is not a cross-site page), 403 in the caller's dialect for an unlisted page.
 * @example answerPreflight(origins, 'openai', req, res, 'POST')
 */
export function answerPreflight(
  origins: BrowserOrigins,
  dialect: 'openai' | 'anthropic',
  req: IncomingMessage,
  res: ServerResponse,
  methods: string,
): void {
  req.resume();
  const verdict = origins.preflight(req.headers, methods);
  if (!verdict.allowed) return sendRefusal(res, dialect, verdict.message, undefined);
  res.writeHead(204, { ...verdict.headers, 'content-length': 0 });
  res.end();
}
