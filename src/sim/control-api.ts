import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from './http-io.js';
import { SimDocumentError } from './sim-document-error.js';
import type { SimulatorState } from './simulator-state.js';

const MAX_CONTROL_BODY_BYTES = 1024 * 1024;

/**
 * The simulator's control API under `/_sim`:
 * - `PUT /_sim/faults` `{ "<name>": [rules] }` replaces the named providers' rules (others kept);
 *   `GET` shows them; `DELETE` clears all.
 * - `PUT /_sim/limits` `{ "<name>": { rpm, itpm?, otpm?, tpm? } | null }` replaces (null removes);
 *   `GET`, `DELETE` likewise.
 * - `GET /_sim/stats` counters per provider; `DELETE /_sim/stats` zeroes them.
 * A bad document is a 400 `{ "error": "faults.openai[1].rate: must be ≤ 1" }`; unknown paths 404.
 */
export function handleControlRequest(
  sim: SimulatorState,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): void {
  const method = req.method ?? 'GET';
  switch (path) {
    case '/faults':
      return resource(req, res, method, {
        get: () => sim.faultDocument(),
        put: (body) => {
          sim.setFaults(body);
          return sim.faultDocument();
        },
        delete: () => {
          sim.clearFaults();
          return sim.faultDocument();
        },
        root: 'faults',
      });
    case '/limits':
      return resource(req, res, method, {
        get: () => sim.limitsDocument(),
        put: (body) => {
          sim.setLimits(body);
          return sim.limitsDocument();
        },
        delete: () => {
          sim.clearLimits();
          return sim.limitsDocument();
        },
        root: 'limits',
      });
    case '/stats':
      return resource(req, res, method, {
        get: () => sim.stats(),
        delete: () => {
          sim.resetStats();
          return sim.stats();
        },
        root: 'stats',
      });
    default:
      return sendJson(res, 404, {
        error: `unknown control path /_sim${path} (try /_sim/faults, /_sim/limits, /_sim/stats)`,
      });
  }
}

interface Resource {
  get: () => unknown;
  put?: (body: unknown) => unknown;
  delete: () => unknown;
  root: string;
}

function resource(req: IncomingMessage, res: ServerResponse, method: string, handlers: Resource): void {
  if (method === 'GET') return sendJson(res, 200, handlers.get());
  if (method === 'DELETE') return sendJson(res, 200, handlers.delete());
  const put = handlers.put;
  if (method !== 'PUT' || !put) {
    res.setHeader('allow', put ? 'GET, PUT, DELETE' : 'GET, DELETE');
    return sendJson(res, 405, { error: `method ${method} not allowed on /_sim/${handlers.root}` });
  }
  readBody(req, MAX_CONTROL_BODY_BYTES, (text) => {
    if (text === undefined) return sendJson(res, 413, { error: `${handlers.root}: document over 1 MB` });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return sendJson(res, 400, { error: `${handlers.root}: not valid JSON` });
    }
    try {
      sendJson(res, 200, put(body));
    } catch (error) {
      if (error instanceof SimDocumentError) return sendJson(res, 400, { error: error.message });
      throw error;
    }
  });
}
