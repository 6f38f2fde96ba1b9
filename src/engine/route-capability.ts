import { providerError } from '../model/errors.js';
import type { RouteState } from './route-attempt.js';

/**
 * Capability skip: a route entry whose provider cannot take the request's content at all (an image URL of
 * unknown media type for Gemini, whose `fileData` requires one) is skipped without being called, like an
 * open breaker, and never retried: calling it would only fail, and count against its breaker. When no
 * entry of the route can take the request, that is the request's problem (a 400 naming why), not an outage.
 */

/**
 * Checks entry `index` against the request; records a `skipped-unsupported` attempt and returns true when
 * its adapter cannot take it. The request is only checked when the router was given it (`RouteRequest.call`).
 */
export function skipUnfit<T>(state: RouteState<T>, index: number): boolean {
  const { request } = state;
  const target = request.targets[index];
  if (request.call === undefined || target === undefined) return false;
  const reason = target.adapter.cannotTake?.(request.call);
  if (reason === undefined) return false;
  const { entry } = target;
  state.excluded.add(index);
  state.record({ provider: entry.provider, model: entry.model, outcome: 'skipped-unsupported', ms: 0 });
  state.unfit.push(`${entry.provider}/${entry.model}: ${reason}`);
  if (state.unfit.length === request.targets.length) {
    state.requestError = providerError({
      class: 'bad_request',
      provider: entry.provider,
      model: entry.model,
      message: `no entry of the route of feature "${request.feature.name}" can take this request (${state.unfit.join('; ')})`,
    });
  }
  return true;
}
