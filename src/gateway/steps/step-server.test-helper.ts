/**
 * For the request steps' tests: a gateway context over an engine with a scripted provider (no network), and a
 * node:http server on 127.0.0.1 whose only handler is the step under test, with the gateway's response class.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import type { FailsoftConfig } from '../../engine/config/config-schema.js';
import { createFailsoft } from '../../engine/failsoft.js';
import { scriptedAdapter, type ScriptStep } from '../../testing/scripted-adapter.js';
import { BrowserOrigins } from '../browser-origin.js';
import { ClientKeys, hashClientKey } from '../client-keys.js';
import { GatewayResponse } from '../respond.js';
import type { GatewayContext } from './gateway-context.js';

/** The key of client `cron`, which may call `summary` only, at batch priority. */
export const CRON_KEY = 'fs-cron-0123456789';
/** The key of client `app`, which may call every feature. */
export const APP_KEY = 'fs-app-9876543210';

/** A context: features `chat` (ai-only) and `summary` (enhanced, fallback), alias `gpt-4o` → `chat`. */
export function stepContext(
  options: { keys?: boolean; script?: () => ScriptStep; maxBodyBytes?: number } = {},
): GatewayContext {
  const gateway: NonNullable<FailsoftConfig['gateway']> = { aliases: { 'gpt-4o': 'chat' } };
  if (options.keys) {
    gateway.clients = {
      cron: { keyHash: hashClientKey(CRON_KEY), features: ['summary'], priority: 'batch' },
      app: { keyHash: hashClientKey(APP_KEY) },
    };
  }
  const ai = createFailsoft(
    {
      providers: { gpt: { type: 'openai', apiKey: 'k' } },
      features: {
        chat: { tier: 'ai-only', route: ['gpt/mini'], maxRetries: 0 },
        summary: { tier: 'enhanced', route: ['gpt/mini'], fallback: { leadSentences: 1 }, maxRetries: 0 },
      },
      gateway,
    },
    { env: {}, adapters: { gpt: scriptedAdapter('gpt', options.script ?? (() => ({ text: 'from gpt' }))) } },
  );
  const keys = new ClientKeys(ai.config.gateway?.clients ?? {});
  return {
    ai,
    keys,
    origins: new BrowserOrigins({ corsOrigins: [], clientKeys: keys.enabled }),
    aliases: new Map(Object.entries(ai.config.gateway?.aliases ?? {})),
    maxBodyBytes: options.maxBodyBytes ?? 1024,
  };
}

/** A server running one step (the handler gives the request id `req-test`, as the gateway would). */
export interface StepServer {
  url: string;
  /** The responses made so far, in order: what the steps noted on them. */
  responses: GatewayResponse[];
  close(): Promise<void>;
}

export async function startStepServer(
  handler: (req: IncomingMessage, res: GatewayResponse) => unknown,
): Promise<StepServer> {
  const responses: GatewayResponse[] = [];
  const server = createServer({ ServerResponse: GatewayResponse }, (req, res) => {
    responses.push(res);
    res.requestId = 'req-test';
    void Promise.resolve(handler(req, res)).catch((error: unknown) =>
      res.destroy(error instanceof Error ? error : undefined),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    responses,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One POST; the answer's status, headers and body (parsed when JSON). */
export async function post(
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: unknown }> {
  const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.body.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON (an SSE stream): the text as it came
  }
  return { status: res.statusCode, headers: res.headers, body: parsed };
}

/** An OpenAI chat body for `model`. */
export function chatBody(model: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    model,
    messages: [{ role: 'user', content: 'Summarize: The plant closed. Workers waited.' }],
    ...extra,
  });
}
