/**
 * Step 2 of an AI request: the body read (by `readJsonBody`) becomes a call: parsed in the caller's dialect,
 * its model resolved through the aliases to a configured feature. Synchronous on purpose: the one await of
 * the body stays in the route, so the step adds no promise per request.
 */
import type { Dialect, ParsedCall } from '../dialect.js';
import type { BodyOutcome } from '../read-body.js';
import { sendDialectError, type GatewayResponse } from '../respond.js';
import type { GatewayContext } from './gateway-context.js';

/**
 * The call the body makes, or undefined once answered: 413 (too large, and the connection closed), 400 (not
 * JSON, or not a valid call: `param` names the field), 404 (a model that names no feature or alias); a body
 * that never arrived destroys the response.
 * @example const call = readCall(gw, dialect, res, await readJsonBody(req, gw.maxBodyBytes)); if (!call) return;
 */
export function readCall(
  gw: GatewayContext,
  dialect: Dialect,
  res: GatewayResponse,
  body: BodyOutcome,
): ParsedCall | undefined {
  if (!body.ok) {
    if (body.failure === 'aborted') return void res.destroy();
    if (body.failure === 'too_large') res.setHeader('connection', 'close');
    return void sendDialectError(
      dialect,
      res,
      body.failure === 'too_large' ? 'too_large' : 'invalid_request',
      body.message,
    );
  }
  const parsed = dialect.parse(body.value);
  if (!parsed.ok) {
    const { path, message } = parsed.failure;
    return void sendDialectError(dialect, res, 'invalid_request', `${path}: ${message}`, path);
  }
  const aliased = gw.aliases.get(parsed.call.feature);
  const call = aliased === undefined ? parsed.call : Object.assign({}, parsed.call, { feature: aliased });
  // Own keys only: a `model` of `__proto__` or `constructor` names no feature.
  if (!Object.hasOwn(gw.ai.config.features, call.feature)) {
    const known = [...Object.keys(gw.ai.config.features), ...gw.aliases.keys()].join(', ');
    const message = `unknown feature "${call.feature}": the model names a feature or an alias (configured: ${known || 'none'})`;
    return void sendDialectError(dialect, res, 'not_found', message, 'model');
  }
  return call;
}
