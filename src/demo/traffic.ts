/**
 * The demo's users: a steady stream of requests to the core API (never AI), to an enhanced feature (AI with a
 * fallback) and to an ai-only one, all over HTTP on the loopback, each timed from send to answer. Open loop:
 * a request is sent every tick whether or not the last one answered, as real users do.
 */

/** What kind of request. */
export type TrafficKind = 'core' | 'enhanced' | 'aiOnly';

/** One request's outcome, as the client saw it. */
export interface TrafficSample {
  kind: TrafficKind;
  /** Real time it was sent (epoch ms). */
  at: number;
  /** Send to full answer, ms. */
  ms: number;
  /** HTTP status; 0 when the request failed without one (refused connection, client timeout). */
  status: number;
  /** `x-failsoft-provider` (`none` for a fallback or a refusal). */
  provider?: string;
  /** `x-failsoft-source`: `provider` or `fallback`. */
  source?: string;
  /** `retry-after` on a refusal. */
  retryAfter?: string;
  /** Why there was no status. */
  error?: string;
}

/** Where the traffic goes. */
export interface TrafficTargets {
  gatewayUrl: string;
  coreUrl: string;
  enhancedFeature: string;
  aiOnlyFeature: string;
}

/** A running stream of traffic. */
export interface RunningTraffic {
  samples(): readonly TrafficSample[];
  /** Stops sending; resolves when every request in flight has answered (or `waitMs` passed). */
  stop(waitMs?: number): Promise<void>;
}

const ARTICLE =
  'The storm closed the harbour for two days. Fishing boats stayed tied up while the council met. ' +
  'Repairs to the sea wall begin on Monday and should take three weeks. Ferries run again from Thursday.';
const CLIENT_TIMEOUT_MS = 15_000;

/**
 * Sends one request of each kind every `tickMs` until stopped.
 * @example const traffic = startTraffic(targets, 50); …; await traffic.stop(); traffic.samples()
 */
export function startTraffic(targets: TrafficTargets, tickMs: number): RunningTraffic {
  const samples: TrafficSample[] = [];
  const inFlight = new Set<Promise<void>>();
  // Orders written so far (ids are serial from 1): the reads ask for the latest.
  let created = 0;
  let n = 0;
  const track = (kind: TrafficKind, send: () => Promise<Response>): void => {
    const at = Date.now();
    const started = performance.now();
    const run = send()
      .then(async (res) => {
        await res.arrayBuffer();
        const sample: TrafficSample = { kind, at, ms: performance.now() - started, status: res.status };
        const provider = res.headers.get('x-failsoft-provider');
        const source = res.headers.get('x-failsoft-source');
        const retryAfter = res.headers.get('retry-after');
        if (provider !== null) sample.provider = provider;
        if (source !== null) sample.source = source;
        if (retryAfter !== null) sample.retryAfter = retryAfter;
        samples.push(sample);
        if (kind === 'core' && res.status === 201) created += 1;
      })
      .catch((error: unknown) => {
        samples.push({
          kind,
          at,
          ms: performance.now() - started,
          status: 0,
          error: error instanceof Error ? error.message : String(error),
        });
      })
      .finally(() => inFlight.delete(run));
    inFlight.add(run);
  };
  const chat = (feature: string, content: string) => () =>
    fetch(`${targets.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
      body: JSON.stringify({ model: feature, max_tokens: 64, messages: [{ role: 'user', content }] }),
    });
  const tick = (): void => {
    n += 1;
    // The core: a write, then reads of what was written.
    if (n % 2 === 1 || created === 0) {
      track('core', () =>
        fetch(`${targets.coreUrl}/api/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ item: `order ${n}` }),
          signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
        }),
      );
    } else {
      track('core', () =>
        fetch(`${targets.coreUrl}/api/orders/${created}`, { signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS) }),
      );
    }
    track('enhanced', chat(targets.enhancedFeature, `Summarize in one line: ${ARTICLE}`));
    track('aiOnly', chat(targets.aiOnlyFeature, `Question ${n}: when do the ferries run again?`));
  };
  const timer = setInterval(tick, tickMs);
  tick();
  return {
    samples: () => samples,
    async stop(waitMs = 5_000) {
      clearInterval(timer);
      let give: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...inFlight]),
        new Promise((resolve) => {
          give = setTimeout(resolve, waitMs);
        }),
      ]);
      clearTimeout(give);
    },
  };
}
