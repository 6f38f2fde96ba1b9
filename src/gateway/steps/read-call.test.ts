import { afterEach, describe, expect, it } from 'vitest';
import { openAiChatDialect } from '../dialects/openai-chat.js';
import { readJsonBody } from '../read-body.js';
import { sendJson } from '../respond.js';
import { readCall } from './read-call.js';
import { chatBody, post, stepContext, startStepServer, type StepServer } from './step-server.test-helper.js';

let server: StepServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server whose handler is the step: 200 with the call it read, or whatever the step answered. */
async function serve(): Promise<StepServer> {
  const gw = stepContext({ maxBodyBytes: 400 });
  server = await startStepServer(async (req, res) => {
    const call = readCall(gw, openAiChatDialect, res, await readJsonBody(req, gw.maxBodyBytes));
    if (call !== undefined)
      sendJson(res, 200, { feature: call.feature, stream: call.stream, messages: call.request.messages.length });
  });
  return server;
}

describe('step: read the call', () => {
  it('a valid body names its feature, directly or through an alias', async () => {
    const { url } = await serve();
    expect((await post(url, chatBody('summary'))).body).toEqual({ feature: 'summary', stream: false, messages: 1 });
    expect((await post(url, chatBody('gpt-4o', { stream: true }))).body).toEqual({
      feature: 'chat',
      stream: true,
      messages: 1,
    });
  });

  it('a model that names no feature is 404 on `model`, listing what is configured', async () => {
    const { url } = await serve();
    const res = await post(url, chatBody('gpt-5'));
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({
      error: {
        param: 'model',
        message: 'unknown feature "gpt-5": the model names a feature or an alias (configured: chat, summary, gpt-4o)',
      },
    });
  });

  it('a model of `__proto__` or `constructor` names no feature (own keys only)', async () => {
    const { url } = await serve();
    expect((await post(url, chatBody('__proto__'))).status).toBe(404);
    expect((await post(url, chatBody('constructor'))).status).toBe(404);
  });

  it('a body that is not JSON is 400, saying so', async () => {
    const { url } = await serve();
    const res = await post(url, '{"model": ');
    expect(res.status).toBe(400);
    expect(res.headers['x-request-id']).toBe('req-test');
    expect(res.body).toMatchObject({ error: { message: expect.stringMatching(/^request body is not valid JSON/) } });
  });

  it('a call the dialect refuses is 400, naming the bad field', async () => {
    const { url } = await serve();
    const res = await post(url, JSON.stringify({ model: 'chat', messages: 'hello' }));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { param: 'messages', message: expect.stringMatching(/^messages: /) } });
  });

  it('a body over the limit is 413 and the connection is closed', async () => {
    const { url } = await serve();
    const res = await post(url, chatBody('chat', { padding: 'x'.repeat(1_000) }));
    expect(res.status).toBe(413);
    expect(res.headers.connection).toBe('close');
    expect(res.body).toMatchObject({ error: { message: 'request body is larger than 400 bytes' } });
  });
});
