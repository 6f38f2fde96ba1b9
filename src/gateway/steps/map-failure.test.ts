import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { AIUnavailableError, RequestError, UnknownFeatureError } from '../../model/errors.js';
import { anthropicMessagesDialect } from '../dialects/anthropic-messages.js';
import { openAiChatDialect } from '../dialects/openai-chat.js';
import { cancelOnDisconnect } from './cancel-on-disconnect.js';
import { mapFailure } from './map-failure.js';
import { post, startStepServer, type StepServer } from './step-server.test-helper.js';

let server: StepServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server where the engine call for feature `chat` failed with `error`. */
async function failWith(error: unknown, dialect = openAiChatDialect): Promise<StepServer> {
  server = await startStepServer((req, res) => {
    req.resume();
    cancelOnDisconnect(res);
    res.feature = 'chat';
    mapFailure(dialect, res, error);
  });
  return server;
}

describe('step: map the failure', () => {
  it('an unavailable feature is 503 with retry-after, provider none and degraded, noted for the access log', async () => {
    const { url, responses } = await failWith(
      new AIUnavailableError({
        feature: 'chat',
        reason: 'providers-failed',
        attempts: [],
        retryAfterMs: 2_500,
        message: 'chat is unavailable: no provider can serve it right now',
      }),
    );
    const res = await post(url, '{}');
    expect(res.status).toBe(503);
    expect(res.headers).toMatchObject({
      'x-request-id': 'req-test',
      'x-failsoft-feature': 'chat',
      'x-failsoft-provider': 'none',
      'x-failsoft-degraded': 'true',
      'retry-after': '3',
      'x-should-retry': 'false',
    });
    expect(res.body).toMatchObject({ error: { message: 'chat is unavailable: no provider can serve it right now' } });
    expect(responses[0]).toMatchObject({ feature: 'chat', provider: 'none', source: undefined });
  });

  it("the caller's mistakes are 400 (naming the field) and 404, in the caller's dialect; no provider named", async () => {
    const { url, responses } = await failWith(
      new RequestError({ feature: 'chat', message: 'messages[0].content: empty', path: 'messages[0].content' }),
    );
    const res = await post(url, '{}');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { param: 'messages[0].content' } });
    expect(res.headers['x-failsoft-provider']).toBeUndefined();
    expect(responses[0]?.provider).toBeUndefined();
    await server?.close();
    const anthropic = await failWith(new UnknownFeatureError('nope', ['chat']), anthropicMessagesDialect);
    expect(await post(anthropic.url, '{}')).toMatchObject({
      status: 404,
      body: { type: 'error', error: { type: 'not_found_error' } },
    });
  });

  it('anything else is 500 without its message (it may hold internals)', async () => {
    const { url } = await failWith(new Error('secret internals at /srv/app'));
    const res = await post(url, '{}');
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.body)).not.toMatch(/secret/);
    expect(JSON.stringify(res.body)).toMatch(/internal gateway error/);
  });

  it('once the headers are out (a stream under way) it only ends the response', async () => {
    server = await startStepServer((req, res) => {
      req.resume();
      cancelOnDisconnect(res);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"partial":true}\n\n');
      mapFailure(openAiChatDialect, res, new Error('provider dropped the stream'));
    });
    const res = await request(server.url, { method: 'POST', body: '{}' });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('data: {"partial":true}\n\n');
  });
});
