import { afterEach, describe, expect, it } from 'vitest';
import { openAiChatDialect } from '../dialects/openai-chat.js';
import { readJsonBody } from '../read-body.js';
import { sendAnswer, streamAnswer } from './answer.js';
import { cancelOnDisconnect } from './cancel-on-disconnect.js';
import { mapFailure } from './map-failure.js';
import { readCall } from './read-call.js';
import { chatBody, post, stepContext, startStepServer, type StepServer } from './step-server.test-helper.js';
import type { ScriptStep } from '../../testing/scripted-adapter.js';

let server: StepServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The answer steps behind read-call, as the gateway runs them, the provider following `script`. */
async function serve(script?: () => ScriptStep): Promise<StepServer> {
  const gw = stepContext(script ? { script } : {});
  server = await startStepServer(async (req, res) => {
    const call = readCall(gw, openAiChatDialect, res, await readJsonBody(req, gw.maxBodyBytes));
    if (call === undefined) return;
    res.feature = call.feature;
    const options = { signal: cancelOnDisconnect(res) };
    try {
      if (call.stream) await streamAnswer(gw, openAiChatDialect, call, res, options);
      else sendAnswer(openAiChatDialect, res, await gw.ai.generate(call.feature, call.request, options));
    } catch (error) {
      mapFailure(openAiChatDialect, res, error);
    }
  });
  return server;
}

describe('step: answer', () => {
  it("a finished answer: the dialect's body, headers naming who answered, the same noted on the response", async () => {
    const { url, responses } = await serve();
    const res = await post(url, chatBody('chat'));
    expect(res.status).toBe(200);
    expect(res.headers).toMatchObject({
      'x-request-id': 'req-test',
      'x-failsoft-feature': 'chat',
      'x-failsoft-provider': 'gpt',
      'x-failsoft-source': 'provider',
      'x-failsoft-degraded': 'false',
    });
    expect(res.body).toMatchObject({ object: 'chat.completion', choices: [{ message: { content: 'from gpt' } }] });
    expect(responses[0]).toMatchObject({ feature: 'chat', provider: 'gpt', source: 'provider' });
  });

  it('a fallback is named as one: provider none, source fallback, degraded', async () => {
    const { url, responses } = await serve(() => ({ fail: 'overloaded', status: 529 }));
    const res = await post(url, chatBody('summary'));
    expect(res.status).toBe(200);
    expect(res.headers).toMatchObject({
      'x-failsoft-provider': 'none',
      'x-failsoft-source': 'fallback',
      'x-failsoft-degraded': 'true',
    });
    expect(responses[0]).toMatchObject({ feature: 'summary', provider: 'none', source: 'fallback' });
  });

  it('a stream: SSE headers naming who answers at the start event, then the frames, then [DONE]', async () => {
    const { url, responses } = await serve(() => ({ chunks: ['from ', 'gpt'] }));
    const res = await post(url, chatBody('chat', { stream: true }));
    expect(res.status).toBe(200);
    expect(res.headers).toMatchObject({
      'content-type': 'text/event-stream; charset=utf-8',
      'x-failsoft-provider': 'gpt',
      'x-failsoft-source': 'provider',
    });
    const text = String(res.body);
    expect(text).toContain('"content":"from "');
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(responses[0]).toMatchObject({ provider: 'gpt', source: 'provider' });
  });

  it('a stream whose provider fails before its first content is answered by the failure step (503)', async () => {
    const { url } = await serve(() => ({ fail: 'overloaded', status: 529 }));
    const res = await post(url, chatBody('chat', { stream: true }));
    expect(res.status).toBe(503);
    expect(res.headers['x-failsoft-provider']).toBe('none');
  });
});
