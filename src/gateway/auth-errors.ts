/**
 * Refusals of the gateway's own access control (client keys), in the client's dialect, shaped as the
 * real APIs send them so SDKs raise their usual `AuthenticationError` / `PermissionDeniedError`.
 */
import type { DialectError } from './dialect.js';

/** Why a caller is refused: no or an unknown key (401), or a feature outside its list (403). */
export type AccessRefusal = 'unauthorized' | 'forbidden';

/**
 * The refusal's status and body for a dialect (`openai` or `anthropic`).
 * @example renderAccessError('anthropic', 'unauthorized', 'invalid x-api-key') // { status: 401, body: { type: 'error', … } }
 */
export function renderAccessError(dialect: 'openai' | 'anthropic', refusal: AccessRefusal, message: string): DialectError {
  const status = refusal === 'unauthorized' ? 401 : 403;
  if (dialect === 'anthropic') {
    return { status, body: { type: 'error', error: { type: refusal === 'unauthorized' ? 'authentication_error' : 'permission_error', message } } };
  }
  return {
    status,
    body: { error: { message, type: 'invalid_request_error', param: refusal === 'forbidden' ? 'model' : null, code: refusal === 'unauthorized' ? 'invalid_api_key' : 'model_not_allowed' } },
  };
}
