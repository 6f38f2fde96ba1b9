/**
 * Issue 14's "images where the route's providers accept them", in an outage: an image sent through the
 * gateway by either official SDK still arrives when the primary is down, at whichever provider answers
 * (the simulator's answer says how many images it saw). Non-streamed and streamed.
 */
import { describe, expect, it } from 'vitest';
import { TINY_PNG_BASE64 } from '../../src/model/tiny-png.test-helper.js';
import { expectAnswered, onPrimary, useFaultScenario } from './gateway-fault-rig.js';

const scenario = useFaultScenario();
const question = 'What colour is this pixel?';

describe('images through the gateway while providers fail', () => {
  it('OpenAI client: claude overloaded, gpt answers and sees the image', async () => {
    scenario.sim.setFaults(onPrimary({ kind: 'overloaded' }));
    const { openai } = await scenario.rig();
    const { data, response } = await openai.chat.completions
      .create({
        model: 'chat',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image_url', image_url: { url: `data:image/png;base64,${TINY_PNG_BASE64}` } },
              { type: 'text', text: question },
            ],
          },
        ],
      })
      .withResponse();
    expectAnswered(response.headers, { provider: 'gpt', source: 'provider', degraded: true }, 'openai');
    expect(data.choices[0]?.message.content).toBe(`Simulated reply from openai (gpt-4o): I see 1 image. ${question}`);
    // The next entry at once, rather than a retry of the failing one: each provider got the image once at most.
    expect(scenario.calls()).toEqual({ claude: 1, gpt: 1, gemini: 0 });
  });

  it('Anthropic client: claude and gpt down, gemini answers a url image and a base64 one', async () => {
    scenario.sim.setFaults({ anthropic: [{ kind: 'server_error' }], openai: [{ kind: 'auth' }] });
    const { anthropic } = await scenario.rig();
    const message = await anthropic.messages.create({
      model: 'chat',
      max_tokens: 200,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'url', url: 'https://example.com/pixel.png' } },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: TINY_PNG_BASE64 } },
            { type: 'text', text: question },
          ],
        },
      ],
    });
    expect(message.content[0]).toMatchObject({
      type: 'text',
      text: `Simulated reply from gemini (gemini-2.5-flash): I see 2 images. ${question}`,
    });
    expect(scenario.calls().gemini).toBe(1);
  });

  it('a stream fails over before its first token and still carries the image', async () => {
    scenario.sim.setFaults(onPrimary({ kind: 'overloaded' }));
    const { openai } = await scenario.rig();
    const stream = await openai.chat.completions.create({
      model: 'chat',
      stream: true,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: question },
            { type: 'image_url', image_url: { url: 'https://example.com/pixel.png' } },
          ],
        },
      ],
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(`Simulated reply from openai (gpt-4o): I see 1 image. ${question}`);
  });
});
