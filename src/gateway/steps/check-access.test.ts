import { afterEach, describe, expect, it } from 'vitest';
import { anthropicMessagesDialect } from '../dialects/anthropic-messages.js';
import { openAiChatDialect } from '../dialects/openai-chat.js';
import { sendJson } from '../respond.js';
import { checkAccess } from './check-access.js';
import { chatBody, post, stepContext, startStepServer, type StepServer } from './step-server.test-helper.js';

let server: StepServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The step for client `client` (by name; none: an open gateway) calling `feature` (the `x-feature` header). */
async function serve(dialect = openAiChatDialect): Promise<StepServer> {
  const gw = stepContext({ keys: true });
  const clients = new Map(gw.keys.list().map((c) => [c.name, c]));
  server = await startStepServer((req, res) => {
    const client = clients.get(String(req.headers['x-client']));
    req.resume();
    if (checkAccess(gw, dialect, res, client, String(req.headers['x-feature']))) sendJson(res, 200, '{"ok":true}');
  });
  return server;
}

describe('step: check access', () => {
  it('lets a client call a feature on its list, and any client without a list call anything', async () => {
    const { url } = await serve();
    expect((await post(url, chatBody('x'), { 'x-client': 'cron', 'x-feature': 'summary' })).status).toBe(200);
    expect((await post(url, chatBody('x'), { 'x-client': 'app', 'x-feature': 'chat' })).status).toBe(200);
    expect((await post(url, chatBody('x'), { 'x-feature': 'chat' })).status).toBe(200);
  });

  it("refuses a feature off the client's list: 403 with the request id, OpenAI and Anthropic shapes", async () => {
    const { url } = await serve();
    const res = await post(url, chatBody('x'), { 'x-client': 'cron', 'x-feature': 'chat' });
    expect(res.status).toBe(403);
    expect(res.headers['x-request-id']).toBe('req-test');
    expect(res.body).toMatchObject({
      error: { code: 'model_not_allowed', param: 'model', message: 'client "cron" may not call feature "chat"' },
    });
    await server?.close();
    const anthropic = await serve(anthropicMessagesDialect);
    const refused = await post(anthropic.url, chatBody('x'), { 'x-client': 'cron', 'x-feature': 'chat' });
    expect(refused).toMatchObject({ status: 403, body: { type: 'error', error: { type: 'permission_error' } } });
  });
});
