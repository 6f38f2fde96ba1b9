import { describe, expect, it } from 'vitest';
import type { GenerateRequest } from '../model/message.js';
import type { ProviderAdapter } from '../providers/provider-adapter.js';
import { geminiCannotTake } from '../providers/gemini/to-gemini-request.js';
import { RouteState } from './route-attempt.js';
import { skipUnfit } from './route-capability.js';
import type { RouteTarget } from './route-target.js';
import type { Attempt, RouteRequest, RouterDeps } from './route-types.js';

/** Only what `skipUnfit` reads: the entry and the adapter's `cannotTake`. */
function target(provider: string, model: string, cannotTake?: ProviderAdapter['cannotTake']): RouteTarget {
  return { entry: { provider, model, key: `${provider}/${model}` }, adapter: { cannotTake } } as unknown as RouteTarget;
}

function state(targets: RouteTarget[], call: GenerateRequest | undefined): RouteState<never> {
  const request = {
    feature: { name: 'vision' },
    targets,
    inputTokens: 1,
    maxOutputTokens: 1,
    priority: 'interactive',
    ...(call ? { call } : {}),
  };
  return new RouteState(
    {} as RouterDeps,
    request as unknown as RouteRequest,
    (() => Promise.reject(new Error('not called'))) as Attempt<never>,
  );
}

const unknownType: GenerateRequest = {
  messages: [{ role: 'user', content: [{ type: 'image', url: 'https://example.com/render?id=7' }] }],
};
const pngUrl: GenerateRequest = {
  messages: [{ role: 'user', content: [{ type: 'image', url: 'https://example.com/cat.png' }] }],
};

describe('skipUnfit', () => {
  it('skips an entry whose provider cannot take the request, records why, and never tries it again', () => {
    const s = state([target('gemini', 'gemini-2.5-flash', geminiCannotTake), target('gpt', 'gpt-4o')], unknownType);
    expect(skipUnfit(s, 0)).toBe(true);
    expect(skipUnfit(s, 1)).toBe(false);
    expect(s.attempts).toEqual([
      { provider: 'gemini', model: 'gemini-2.5-flash', outcome: 'skipped-unsupported', ms: 0 },
    ]);
    expect(s.excluded.has(0)).toBe(true);
    expect(s.unfit).toEqual([
      "gemini/gemini-2.5-flash: Gemini needs an image URL's media type (none given, and the URL has no .png/.jpg/.gif/.webp extension)",
    ]);
    expect(s.requestError).toBeUndefined();
  });

  it('takes the entry when the provider can take the request, or when the router was not given it', () => {
    expect(skipUnfit(state([target('gemini', 'g', geminiCannotTake)], pngUrl), 0)).toBe(false);
    expect(skipUnfit(state([target('gemini', 'g', geminiCannotTake)], undefined), 0)).toBe(false);
  });

  it('makes it a bad request, naming every entry and why, when no entry of the route can take it', () => {
    const s = state(
      [target('gemini', 'a', geminiCannotTake), target('vertex', 'b', () => 'no images here')],
      unknownType,
    );
    skipUnfit(s, 0);
    skipUnfit(s, 1);
    expect(s.requestError?.class).toBe('bad_request');
    expect(s.requestError?.message).toBe(
      'no entry of the route of feature "vision" can take this request (gemini/a: Gemini needs an image URL\'s media type (none given, and the URL has no .png/.jpg/.gif/.webp extension); vertex/b: no images here)',
    );
  });
});
