/**
 * The gateway: an OpenAI- and Anthropic-compatible HTTP server in front of the engine.
 *
 * Plain node:http, on purpose: the gateway sits in the hot path of every AI call and must add as
 * little as a bare pass-through proxy would, so there is no framework and no router table walk: one
 * switch on the path, then the AI routes' request steps in `steps/` (authenticate → read the call →
 * check access → cancel on disconnect → answer, or map the failure), plain functions called in turn
 * with the gateway, the request and its response, in the style of middleware without a chain of
 * closures per request. What a step learns rides on the response (`GatewayResponse`), and streams are
 * written frame by frame as the engine yields them (never buffered).
 * Operations ride beside it: `/metrics` (fed from engine events), `/admin/*` (admin token), and
 * optional client keys and model aliases from the config's `gateway` section.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Failsoft } from '../engine/failsoft.js';
import type { CancelSignal } from '../model/cancel-signal.js';
import { systemClock } from '../model/clock.js';
import type { CallOptions } from '../engine/results.js';
import type { ResolvedGatewayClient } from '../engine/config/resolve-config.js';
import type { Dialect } from './dialect.js';
import { AdminRoutes, type AdminIncidentSource } from './admin-routes.js';
import { answerPreflight, BrowserOrigins, guardOrigin } from './browser-origin.js';
import { ClientKeys } from './client-keys.js';
import { GatewayMetrics, type GatewayAlertCount, type GatewayStoreStatus } from './metrics.js';
import { IdleTrim } from './idle-trim.js';
import { logWhenClosed, type AccessLogEntry } from './event-log.js';
import { anthropicMessagesDialect } from './dialects/anthropic-messages.js';
import { openAiChatDialect } from './dialects/openai-chat.js';
import { nextId } from './ids.js';
import { MAX_BODY_BYTES, readJsonBody } from './read-body.js';
import { GatewayResponse, sendJson } from './respond.js';
import { modelsBody } from './steps/models-list.js';
import { serveReady, type GatewayReadiness } from './steps/readiness.js';
import { sendAnswer, streamAnswer } from './steps/answer.js';
import { authenticate, refuseKey } from './steps/authenticate.js';
import { cancelOnDisconnect } from './steps/cancel-on-disconnect.js';
import { checkAccess } from './steps/check-access.js';
import type { GatewayContext } from './steps/gateway-context.js';
import { mapFailure } from './steps/map-failure.js';
import { readCall } from './steps/read-call.js';

/** Options of `startGateway`. */
export interface GatewayOptions {
  /** The engine that serves every request. */
  ai: Failsoft;
  /** Port to listen on (default 8787; 0 = any free port). */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** On close, how long in-flight requests may take before their connections are cut (default 10 s). */
  graceMs?: number;
  /** Largest request body, in bytes (default 8 MiB: room for one 5 MB image as base64). */
  maxBodyBytes?: number;
  /** Token for `/admin/*` (default: `FAILSOFT_ADMIN_TOKEN` from `env`). */
  adminToken?: string;
  /** Environment read for `FAILSOFT_ADMIN_TOKEN` (default process.env). */
  env?: Record<string, string | undefined>;
  /** Serve `GET /metrics` (default true). */
  metrics?: boolean;
  /** Start-up warnings (default console.warn); nothing is logged per request. */
  log?: (line: string) => void;
  /** Against slow clients (defaults: headers 10 s, whole request 30 s, idle keep-alive 5 s). */
  timeouts?: Partial<ServerTimeouts>;
  /**
   * After a busy spell, once quiet for ~6 s, run one young-generation collection so V8 gives the memory
   * it grew under load back to the OS (see `IdleTrim`). Default false; `failsoft serve` turns it on.
   */
  idleTrim?: boolean;
  /** Called once per request when its response closes (the access log of `--log-level debug`); default none. */
  accessLog?: (entry: AccessLogEntry) => void;
  /** Where `GET /admin/incidents[/:id]` reads (`failsoft serve` passes its record store); none: 404. */
  incidents?: AdminIncidentSource;
  /** The record writer's status: a `store` line in `/health/ready` (never failing readiness) and `failsoft_store_*` metrics. */
  storeStatus?: () => GatewayStoreStatus;
  /**
   * The core checks as last run (`failsoft serve` passes its monitor): `/health/ready` answers 503 while one fails,
   * listing them. Never AI: AI state is `/health/ai`.
   */
  readiness?: () => GatewayReadiness;
  /** Alert deliveries so far by channel and status, for `failsoft_alerts_sent_total`. */
  alertCounts?: () => readonly GatewayAlertCount[];
  /** Routes served beside the API (the dashboard); consulted only for paths the gateway does not own. */
  pages?: GatewayPages;
}

/** Routes served beside the API: `owns` is asked for every path the gateway has no route of its own for. */
export interface GatewayPages {
  owns(path: string): boolean;
  handle(req: IncomingMessage, res: ServerResponse, path: string, method: string): Promise<void> | void;
}

export type { GatewayReadiness } from './steps/readiness.js';

/** Node server timeouts, in ms. */
export interface ServerTimeouts {
  /** All request headers must arrive within this. */
  headersMs: number;
  /** The whole request (headers and body) must arrive within this. */
  requestMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveMs: number;
}

/** A gateway that is listening. */
export interface RunningGateway {
  /** `http://HOST:PORT`. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** The gateway's Prometheus metrics (undefined when turned off). */
  readonly metrics: GatewayMetrics | undefined;
  /** Stops accepting, lets in-flight requests finish (up to the grace period), then closes. */
  close(): Promise<void>;
}

/** Against slow clients: all headers within 10 s, the whole body within 30 s; idle keep-alive 5 s. */
const DEFAULT_TIMEOUTS: ServerTimeouts = { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000 };
/** A caller's own `x-request-id` is kept when it looks like one; otherwise the gateway makes one. */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The dialect a request without a body speaks: Anthropic SDKs send `anthropic-version`. */
function dialectOf(req: IncomingMessage): Dialect {
  return req.headers['anthropic-version'] === undefined ? openAiChatDialect : anthropicMessagesDialect;
}

/** Serves one gateway; all per-process work (models lists, bound handlers) is done once here. */
class Gateway implements GatewayContext {
  private readonly modelsBody: string;
  private readonly clientModels = new Map<ResolvedGatewayClient, string>();
  readonly aliases: ReadonlyMap<string, string>;
  readonly keys: ClientKeys;
  readonly origins: BrowserOrigins;
  private closing = false;
  /** Requests received so far (read by the idle trim). */
  served = 0;

  constructor(
    readonly ai: Failsoft,
    readonly maxBodyBytes: number,
    private readonly admin: AdminRoutes,
    readonly metrics: GatewayMetrics | undefined,
    private readonly accessLog: ((entry: AccessLogEntry) => void) | undefined,
    private readonly storeStatus: (() => GatewayStoreStatus) | undefined,
    private readonly readiness: (() => GatewayReadiness) | undefined = undefined,
    private readonly pages: GatewayPages | undefined = undefined,
  ) {
    this.aliases = new Map(Object.entries(ai.config.gateway?.aliases ?? {}));
    this.keys = new ClientKeys(ai.config.gateway?.clients ?? {});
    this.origins = new BrowserOrigins({
      corsOrigins: ai.config.gateway?.corsOrigins ?? [],
      clientKeys: this.keys.enabled,
    });
    this.modelsBody = modelsBody(ai, this.aliases, () => true);
    for (const client of this.keys.list())
      this.clientModels.set(
        client,
        modelsBody(ai, this.aliases, (f) => this.keys.allows(client, f)),
      );
  }

  startClosing(): void {
    this.closing = true;
  }

  readonly handle = (req: IncomingMessage, res: GatewayResponse): void => {
    this.served++;
    if (this.closing) res.setHeader('connection', 'close');
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const method = req.method ?? 'GET';
    if (this.accessLog) logWhenClosed(this.accessLog, res, method, path);
    try {
      const pending = this.route(req, res, path, method);
      if (pending !== undefined) pending.catch((error: unknown) => this.crash(res, error));
    } catch (error) {
      this.crash(res, error);
    }
  };

  /** One switch on the path: what serves it (a method, not a closure made per request). */
  private route(req: IncomingMessage, res: GatewayResponse, path: string, method: string): Promise<void> | void {
    switch (path) {
      case '/v1/chat/completions':
        return method === 'POST'
          ? this.serveAi(openAiChatDialect, req, res)
          : this.otherMethod('openai', req, res, 'POST');
      case '/v1/messages':
        return method === 'POST'
          ? this.serveAi(anthropicMessagesDialect, req, res)
          : this.otherMethod('anthropic', req, res, 'POST');
      case '/v1/models':
        return method === 'GET' ? this.serveModels(req, res) : this.otherMethod(dialectOf(req).name, req, res, 'GET');
      case '/health':
        return sendJson(res, 200, '{"status":"ok"}');
      // Core dependencies only (none yet beyond this process); never AI providers.
      case '/health/ready':
        return this.storeStatus || this.readiness
          ? serveReady(res, this.readiness, this.storeStatus)
          : sendJson(res, 200, '{"status":"ready"}');
      case '/health/ai':
        return this.serveAiHealth(res);
      case '/metrics':
        return this.metrics && method === 'GET'
          ? this.serveMetrics(this.metrics, res)
          : this.notFound(res, method, path);
      default:
        if (path.startsWith('/admin/')) return this.admin.handle(req, res, path, method);
        if (this.pages?.owns(path)) return this.pages.handle(req, res, path, method);
        return this.notFound(res, method, path);
    }
  }

  private crash(res: ServerResponse, error: unknown): void {
    if (!res.headersSent)
      sendJson(res, 500, {
        error: { message: 'internal gateway error', type: 'server_error', param: null, code: null },
      });
    else res.destroy(error instanceof Error ? error : undefined);
  }

  private notFound(res: ServerResponse, method: string, path: string): void {
    sendJson(res, 404, {
      error: { message: `no route for ${method} ${path}`, type: 'not_found_error', param: null, code: null },
    });
  }

  private async serveMetrics(metrics: GatewayMetrics, res: ServerResponse): Promise<void> {
    const { contentType, body } = await metrics.render();
    res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  /** Features as models; with client keys, the caller's own features (and their aliases). */
  private serveModels(req: IncomingMessage, res: GatewayResponse): void {
    if (!guardOrigin(this.origins, dialectOf(req).name, req, res)) return;
    const who = this.keys.identify(req.headers);
    if (!who.ok) return refuseKey(dialectOf(req).name, res, who.reason);
    sendJson(res, 200, who.client ? (this.clientModels.get(who.client) ?? this.modelsBody) : this.modelsBody);
  }

  /** `OPTIONS` is a browser's preflight (see browser-origin.ts); any other method is 405. */
  private otherMethod(dialect: Dialect['name'], req: IncomingMessage, res: ServerResponse, allow: string): void {
    return req.method === 'OPTIONS'
      ? answerPreflight(this.origins, dialect, req, res, allow)
      : this.notAllowed(res, allow);
  }

  private notAllowed(res: ServerResponse, allow: string): void {
    sendJson(
      res,
      405,
      { error: { message: `use ${allow}`, type: 'invalid_request_error', param: null, code: null } },
      { allow },
    );
  }

  private async serveAiHealth(res: ServerResponse): Promise<void> {
    sendJson(res, 200, await this.ai.health());
  }

  /**
   * An AI route: the request steps in turn (each in `steps/`, each answering the request itself when it
   * stops it), then the engine's answer, or its failure in the caller's dialect.
   */
  private async serveAi(dialect: Dialect, req: IncomingMessage, res: GatewayResponse): Promise<void> {
    const incoming = req.headers['x-request-id'];
    res.requestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : nextId('req_');
    const who = authenticate(this, dialect, req, res);
    if (who === undefined) return;
    const call = readCall(this, dialect, res, await readJsonBody(req, this.maxBodyBytes));
    if (call === undefined || !checkAccess(this, dialect, res, who.client, call.feature)) return;
    const options: CallOptions & { signal: CancelSignal } = { signal: cancelOnDisconnect(res) };
    if (who.client?.priority !== undefined) options.priority = who.client.priority;
    res.feature = call.feature;
    try {
      if (call.stream) await streamAnswer(this, dialect, call, res, options);
      else sendAnswer(dialect, res, await this.ai.generate(call.feature, call.request, options));
    } catch (error) {
      mapFailure(dialect, res, error);
    }
  }
}

/**
 * Starts the gateway: OpenAI `POST /v1/chat/completions`, Anthropic `POST /v1/messages`, `GET /v1/models`,
 * `GET /health`, `GET /health/ready`, `GET /health/ai`, `GET /metrics` and `/admin/*`.
 * @example const gw = await startGateway({ ai: createFailsoft(config), port: 8787 }); // OpenAI SDK: baseURL `${gw.url}/v1`
 */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const host = options.host ?? '127.0.0.1';
  const admin = new AdminRoutes(options.ai, {
    token: options.adminToken,
    env: options.env ?? process.env,
    host,
    ...(options.incidents ? { incidents: options.incidents } : {}),
  });
  const metrics =
    options.metrics === false ? undefined : new GatewayMetrics(options.ai, options.storeStatus, options.alertCounts);
  const gateway = new Gateway(
    options.ai,
    options.maxBodyBytes ?? MAX_BODY_BYTES,
    admin,
    metrics,
    options.accessLog,
    options.storeStatus,
    options.readiness,
    options.pages,
  );
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const server: Server<typeof IncomingMessage, typeof GatewayResponse> = createServer(
    {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      keepAliveTimeout: timeouts.keepAliveMs,
      noDelay: true,
      // Node enforces headers/request timeouts only on this sweep (default every 30 s): sweep often enough
      // that a slow client is cut close to its timeout, not up to 30 s later.
      connectionsCheckingInterval: Math.max(
        100,
        Math.min(1_000, Math.floor(Math.min(timeouts.headersMs, timeouts.requestMs) / 10)),
      ),
      // One GatewayResponse per request instead of a plain ServerResponse: the steps' per-request slots.
      ServerResponse: GatewayResponse,
    },
    gateway.handle,
  );
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      metrics?.close();
      reject(error);
    };
    server.once('error', onError);
    server.listen(options.port ?? 8787, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const trim =
    options.idleTrim === true ? new IdleTrim({ clock: systemClock, served: () => gateway.served }) : undefined;
  trim?.start();
  if (admin.warning !== undefined) (options.log ?? console.warn)(`failsoft gateway: ${admin.warning}`);
  const graceMs = options.graceMs ?? 10_000;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    host,
    metrics,
    close(): Promise<void> {
      closed ??= new Promise<void>((resolve) => {
        gateway.startClosing();
        trim?.stop();
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        // Keep-alive connections whose last request finishes during the grace period are closed as they go idle.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        timer.unref();
        sweep.unref();
        server.close(() => {
          clearTimeout(timer);
          clearInterval(sweep);
          metrics?.close();
          resolve();
        });
        server.closeIdleConnections();
      });
      return closed;
    },
  };
}
