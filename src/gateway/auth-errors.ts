/**
 * Refusals of the gateway's own access control (client keys, browser origins), in the client's dialect, shaped as the
 * real APIs send them so SDKs raise their usual `AuthenticationError` / `PermissionDeniedError`.
 */
import type { DialectError } from './dialect.js';

/** Why a caller is refused: no or an unknown key (401), a feature outside its list (403), or a web page whose origin is not listed (403). */
export type AccessRefusal = 'unauthorized' | 'forbidden' | 'origin';

const OPENAI_CODE: Record<AccessRefusal, string> = {
  unauthorized: 'invalid_api_key',
  forbidden: 'model_not_allowed',
  origin: 'origin_not_allowed',
};

/**
 * The refusal's status and body for a dialect (`openai` or `anthropic`).
 * @example renderAccessError('anthropic', 'unauthorized', 'invalid x-api-key') // { status: 401, body: { type: 'error', … } }
 */
export function renderAccessError(
  dialect: 'openai' | 'anthropic',
  refusal: AccessRefusal,
  message: string,
): DialectError {
  const status = refusal === 'unauthorized' ? 401 : 403;
  if (dialect === 'anthropic') {
    return {
      status,
      body: {
        type: 'error',
        error: { type: refusal === 'unauthorized' ? 'authentication_error' : 'permission_error', message },
      },
    };
  }
  return {
    status,
    body: {
      error: {
        message,
        type: 'invalid_request_error',
        param: refusal === 'forbidden' ? 'model' : null,
        code: OPENAI_CODE[refusal],
      },
    },
  };
}
