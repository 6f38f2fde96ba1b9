import { describe, expect, it } from 'vitest';
import type { GenerateRequest } from '../../model/message.js';
import { TINY_PNG_BASE64 } from '../../model/tiny-png.test-helper.js';
import { toAnthropicRequest } from './to-anthropic-request.js';

describe('toAnthropicRequest with images', () => {
  it('sends an inline image as a base64 image block and a URL as a url source, in order with the text', () => {
    const request: GenerateRequest = {
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare these.' },
            { type: 'image', mediaType: 'image/png', data: TINY_PNG_BASE64 },
            { type: 'image', url: 'https://example.com/cat.jpg' },
          ],
        },
      ],
    };
    expect(toAnthropicRequest('claude-sonnet-4-5', request, { stream: false }).messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Compare these.' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: TINY_PNG_BASE64 } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
        ],
      },
    ]);
  });

  it('keeps tool results first when a user turn also carries an image', () => {
    const body = toAnthropicRequest(
      'm',
      {
        messages: [
          { role: 'user', content: 'Look' },
          { role: 'assistant', content: [{ type: 'tool-call', id: 't1', name: 'snap', input: {} }] },
          { role: 'tool', content: [{ type: 'tool-result', toolCallId: 't1', content: 'taken' }] },
          { role: 'user', content: [{ type: 'image', url: 'https://example.com/shot.png' }] },
        ],
      },
      { stream: false },
    );
    expect(body.messages[2]?.content.map((b) => b.type)).toEqual(['tool_result', 'image']);
  });
});
