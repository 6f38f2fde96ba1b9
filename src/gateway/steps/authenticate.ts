/**
 * Step 1 of an AI request: the browser origin, then the client key, both before the body is read, so an
 * unknown caller costs a hash, never a parse.
 */
import type { IncomingMessage } from 'node:http';
import { renderAccessError } from '../auth-errors.js';
import { guardOrigin } from '../browser-origin.js';
import type { ClientCheck } from '../client-keys.js';
import type { Dialect } from '../dialect.js';
import { sendJson, type GatewayResponse } from '../respond.js';
import type { GatewayContext } from './gateway-context.js';

/** A caller let in: a configured client, or nobody when the gateway is open. */
export type Admitted = Extract<ClientCheck, { ok: true }>;

/**
 * Who calls, or undefined once the request was refused (403 for an unlisted web page, 401 for a missing or
 * unknown key, in the caller's dialect, with the request id).
 * @example const who = authenticate(gw, dialect, req, res); if (who === undefined) return;
 */
export function authenticate(
  gw: GatewayContext,
  dialect: Dialect,
  req: IncomingMessage,
  res: GatewayResponse,
): Admitted | undefined {
  if (!guardOrigin(gw.origins, dialect.name, req, res, res.requestId)) return undefined;
  const who = gw.keys.identify(req.headers);
  if (who.ok) return who;
  req.resume();
  refuseKey(dialect.name, res, who.reason);
  return undefined;
}

/** 401 in the dialect's own shape (SDKs raise their `AuthenticationError`); the request id when there is one. */
export function refuseKey(dialect: Dialect['name'], res: GatewayResponse, reason: 'missing' | 'unknown'): void {
  const message =
    reason === 'missing'
      ? 'this gateway needs a client key: send Authorization: Bearer <key> or x-api-key: <key>'
      : 'invalid client key';
  const { status, body } = renderAccessError(dialect, 'unauthorized', message);
  sendJson(res, status, body, res.requestId === undefined ? {} : { 'x-request-id': res.requestId });
}
