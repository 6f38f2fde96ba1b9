import { describe, expect, it } from 'vitest';
import { RequestError } from '../model/errors.js';
import { TINY_PNG_BASE64 } from '../model/tiny-png.test-helper.js';
import { assertGenerateRequest } from './request-schema.js';

describe('assertGenerateRequest with images', () => {
  it('accepts both forms in a user message', () => {
    expect(() =>
      assertGenerateRequest('f', {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', mediaType: 'image/png', data: TINY_PNG_BASE64 },
              { type: 'image', url: 'https://example.com/a.jpg' },
            ],
          },
        ],
      }),
    ).not.toThrow();
  });

  it('throws a RequestError naming the message and part', () => {
    const call = () =>
      assertGenerateRequest('vision', {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'hi' },
              { type: 'image', mediaType: 'image/bmp', data: 'Qk0=' },
            ],
          },
        ],
      });
    expect(call).toThrow(RequestError);
    expect(call).toThrow(
      'request.messages[0].content[1]: unsupported media type "image/bmp" (use image/png, image/jpeg, image/gif or image/webp)',
    );
  });

  it('refuses unknown keys on an image part', () => {
    expect(() =>
      assertGenerateRequest('f', {
        messages: [{ role: 'user', content: [{ type: 'image', url: 'https://x.org/a.png', detail: 'high' }] }],
      }),
    ).toThrow(/request\.messages\[0\]\.content\[0\]\.detail: unknown key/);
  });
});
