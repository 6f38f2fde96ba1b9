import { describe, expect, it } from 'vitest';
import type { GenerateRequest } from '../../model/message.js';
import { TINY_PNG_BASE64 } from '../../model/tiny-png.test-helper.js';
import { geminiCannotTake, toGeminiRequest } from './to-gemini-request.js';

describe('toGeminiRequest with images', () => {
  it('sends bytes as inlineData and URLs as fileData with their media type (given, or from the extension)', () => {
    const body = toGeminiRequest(
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What are these?' },
              { type: 'image', mediaType: 'image/png', data: TINY_PNG_BASE64 },
              { type: 'image', url: 'https://example.com/cat.jpg' },
              { type: 'image', url: 'https://example.com/render?id=7', mediaType: 'image/webp' },
            ],
          },
        ],
      },
      { model: 'gemini-2.5-flash' },
    );
    expect(body.contents).toEqual([
      {
        role: 'user',
        parts: [
          { text: 'What are these?' },
          { inlineData: { mimeType: 'image/png', data: TINY_PNG_BASE64 } },
          { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/cat.jpg' } },
          { fileData: { mimeType: 'image/webp', fileUri: 'https://example.com/render?id=7' } },
        ],
      },
    ]);
  });

  it('cannot take an image URL of unknown media type, and says why', () => {
    const unknown: GenerateRequest = {
      messages: [{ role: 'user', content: [{ type: 'image', url: 'https://example.com/render?id=7' }] }],
    };
    expect(geminiCannotTake(unknown)).toMatch(/needs an image URL's media type/);
    expect(() => toGeminiRequest(unknown, { model: 'gemini-2.5-flash' })).toThrow(/give the part a mediaType/);
    expect(
      geminiCannotTake({
        messages: [{ role: 'user', content: [{ type: 'image', url: 'https://example.com/a.gif' }] }],
      }),
    ).toBeUndefined();
    expect(geminiCannotTake({ messages: [{ role: 'user', content: 'no images' }] })).toBeUndefined();
  });
});
