/** Step 3 of an AI request: may this client call this feature (its `features` list in `gateway.clients`)? */
import type { ResolvedGatewayClient } from '../../engine/config/resolve-config.js';
import { renderAccessError } from '../auth-errors.js';
import type { Dialect } from '../dialect.js';
import { sendJson, type GatewayResponse } from '../respond.js';
import type { GatewayContext } from './gateway-context.js';

/**
 * True when the call goes on; false once refused with 403 in the caller's dialect (SDKs raise their
 * `PermissionDeniedError`).
 * @example if (!checkAccess(gw, dialect, res, who.client, call.feature)) return;
 */
export function checkAccess(
  gw: GatewayContext,
  dialect: Dialect,
  res: GatewayResponse,
  client: ResolvedGatewayClient | undefined,
  feature: string,
): boolean {
  if (gw.keys.allows(client, feature)) return true;
  const { status, body } = renderAccessError(
    dialect.name,
    'forbidden',
    `client "${client?.name ?? ''}" may not call feature "${feature}"`,
  );
  sendJson(res, status, body, { 'x-request-id': res.requestId ?? '' });
  return false;
}
