import { afterEach, describe, expect, it } from 'vitest';
import { anthropicMessagesDialect } from '../dialects/anthropic-messages.js';
import { openAiChatDialect } from '../dialects/openai-chat.js';
import { sendJson } from '../respond.js';
import { authenticate } from './authenticate.js';
import {
  APP_KEY,
  CRON_KEY,
  chatBody,
  post,
  stepContext,
  startStepServer,
  type StepServer,
} from './step-server.test-helper.js';

let server: StepServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server whose handler is the step: 200 naming the admitted client, or whatever the step answered. */
async function serve(keys: boolean, dialect = openAiChatDialect): Promise<StepServer> {
  const gw = stepContext({ keys });
  server = await startStepServer((req, res) => {
    const who = authenticate(gw, dialect, req, res);
    if (who !== undefined) sendJson(res, 200, { client: who.client?.name ?? null });
  });
  return server;
}

describe('step: authenticate', () => {
  it('an open gateway (no client keys) lets anyone in as nobody', async () => {
    const { url } = await serve(false);
    expect(await post(url, chatBody('chat'))).toMatchObject({ status: 200, body: { client: null } });
  });

  it('with client keys, names the client whose key is presented (Bearer or x-api-key)', async () => {
    const { url } = await serve(true);
    expect((await post(url, chatBody('chat'), { authorization: `Bearer ${CRON_KEY}` })).body).toEqual({
      client: 'cron',
    });
    expect((await post(url, chatBody('chat'), { 'x-api-key': APP_KEY })).body).toEqual({ client: 'app' });
  });

  it('a missing key is refused 401 in the OpenAI shape, with the request id, before the body is read', async () => {
    const { url } = await serve(true);
    const res = await post(url, chatBody('chat'));
    expect(res.status).toBe(401);
    expect(res.headers['x-request-id']).toBe('req-test');
    expect(res.body).toMatchObject({
      error: {
        code: 'invalid_api_key',
        message: expect.stringMatching(/needs a client key: send Authorization: Bearer/),
      },
    });
  });

  it('an unknown key is refused 401 in the Anthropic shape for an Anthropic caller', async () => {
    const { url } = await serve(true, anthropicMessagesDialect);
    const res = await post(url, chatBody('chat'), { 'x-api-key': 'fs-not-a-key' });
    expect(res).toMatchObject({
      status: 401,
      body: { type: 'error', error: { type: 'authentication_error', message: 'invalid client key' } },
    });
  });

  it('a web page whose origin is not listed is refused 403 (no client keys to vouch for it)', async () => {
    const { url } = await serve(false);
    const res = await post(url, chatBody('chat'), { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(res.headers['x-request-id']).toBe('req-test');
    expect(res.body).toMatchObject({
      error: {
        code: 'origin_not_allowed',
        message: expect.stringMatching(/"https:\/\/evil\.example" are refused: add it to gateway\.corsOrigins/),
      },
    });
  });
});
