import { describe, expect, it } from 'vitest';
import { TINY_PNG_BASE64 } from '../../model/tiny-png.test-helper.js';
import { toOpenAIRequest } from './to-openai-request.js';

const openai = { stream: false, maxTokensField: 'max_completion_tokens' } as const;

describe('toOpenAIRequest with images', () => {
  it('sends a user turn with images as content parts: text, then image_url (bytes as a data: URL)', () => {
    const body = toOpenAIRequest(
      'gpt-4o',
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in these?' },
              { type: 'image', mediaType: 'image/png', data: TINY_PNG_BASE64 },
              { type: 'text', text: '' },
              { type: 'image', url: 'https://example.com/cat.jpg', mediaType: 'image/jpeg' },
            ],
          },
        ],
      },
      openai,
    );
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in these?' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${TINY_PNG_BASE64}` } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
        ],
      },
    ]);
  });

  it('keeps a plain string for user turns without images', () => {
    const body = toOpenAIRequest(
      'gpt-4o',
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'a' },
              { type: 'text', text: 'b' },
            ],
          },
        ],
      },
      openai,
    );
    expect(body.messages).toEqual([{ role: 'user', content: 'ab' }]);
  });

  it('finds "json" in the text parts of an image turn (no hint added)', () => {
    const body = toOpenAIRequest(
      'gpt-4o',
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Describe it as JSON' },
              { type: 'image', url: 'https://example.com/a.png' },
            ],
          },
        ],
        responseFormat: { type: 'json' },
      },
      openai,
    );
    expect(body.messages).toHaveLength(1);
  });
});
