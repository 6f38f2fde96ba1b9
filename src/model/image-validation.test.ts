import { describe, expect, it } from 'vitest';
import {
  MAX_IMAGE_BYTES,
  base64Bytes,
  findImageIssue,
  imageUrlProblem,
  inlineImageProblem,
  mediaTypeFromUrl,
  parseImageDataUrl,
} from './image-validation.js';
import type { Message } from './message.js';
import { IMAGE_TOKENS, estimateInputTokens } from './token-estimate.js';
import { TINY_PNG_BASE64 } from './tiny-png.test-helper.js';

describe('inlineImageProblem', () => {
  it('accepts a real PNG', () => {
    expect(inlineImageProblem('image/png', TINY_PNG_BASE64)).toBeUndefined();
  });

  it('names an unsupported media type and the ones that work', () => {
    expect(inlineImageProblem('image/bmp', 'Qk0=')).toBe(
      'unsupported media type "image/bmp" (use image/png, image/jpeg, image/gif or image/webp)',
    );
  });

  it('refuses text that is not base64, a data: prefix, and empty data', () => {
    expect(inlineImageProblem('image/png', 'not base64!')).toMatch(/not valid base64/);
    expect(inlineImageProblem('image/png', `data:image/png;base64,${TINY_PNG_BASE64}`)).toMatch(
      /without a "data:…;base64," prefix/,
    );
    expect(inlineImageProblem('image/png', '')).toMatch(/is empty/);
  });

  it('refuses bytes that are not of the stated type', () => {
    expect(inlineImageProblem('image/jpeg', TINY_PNG_BASE64)).toBe(
      'the bytes are not a JPEG image (their media type is wrong, or they are not an image)',
    );
    expect(inlineImageProblem('image/png', Buffer.from('hello world!').toString('base64'))).toMatch(/not a PNG image/);
  });

  it('refuses an image over 5 MB, saying how big it is', () => {
    const big = Buffer.alloc(MAX_IMAGE_BYTES + 3);
    Buffer.from(TINY_PNG_BASE64, 'base64').copy(big);
    const data = big.toString('base64');
    expect(base64Bytes(data)).toBe(MAX_IMAGE_BYTES + 3);
    expect(inlineImageProblem('image/png', data)).toBe('the image is 5.0 MB, over the 5.0 MB limit');
  });
});

describe('imageUrlProblem', () => {
  it('accepts http(s) URLs with or without a known media type', () => {
    expect(imageUrlProblem('https://example.com/cat.png', undefined)).toBeUndefined();
    expect(imageUrlProblem('http://example.com/cat', 'image/webp')).toBeUndefined();
  });

  it('refuses other schemes, relative URLs, data: URLs and unknown media types', () => {
    expect(imageUrlProblem('ftp://example.com/cat.png', undefined)).toBe('url must be http or https, not ftp');
    expect(imageUrlProblem('/cat.png', undefined)).toMatch(/is not an absolute URL/);
    expect(imageUrlProblem(`data:image/png;base64,${TINY_PNG_BASE64}`, undefined)).toMatch(
      /goes as \{ mediaType, data \}/,
    );
    expect(imageUrlProblem('https://example.com/a.tiff', 'image/tiff')).toMatch(/unsupported media type "image\/tiff"/);
  });
});

describe('findImageIssue', () => {
  const image = { type: 'image' as const, mediaType: 'image/png' as const, data: TINY_PNG_BASE64 };

  it('passes images in user messages', () => {
    expect(
      findImageIssue([{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, image] }]),
    ).toBeUndefined();
  });

  it('names the message and part of an image outside a user message', () => {
    const messages: Message[] = [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: [{ type: 'text', text: 'x' }, image] },
    ];
    expect(findImageIssue(messages)).toEqual({
      path: 'messages[1].content[1]',
      message: 'images are allowed only in user messages, and this is a assistant message',
    });
  });

  it('names the part of a bad image', () => {
    const messages = [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'x' },
          { type: 'image', mediaType: 'image/png', data: '%%%' },
        ],
      },
    ] as Message[];
    expect(findImageIssue(messages)?.path).toBe('messages[0].content[1]');
  });

  it('wants exactly one of data and url', () => {
    const messages = [{ role: 'user', content: [{ type: 'image', mediaType: 'image/png' }] }] as unknown as Message[];
    expect(findImageIssue(messages)?.message).toBe(
      'an image part has either data (with mediaType) or url, exactly one of them',
    );
  });
});

describe('helpers', () => {
  it('splits data: URLs', () => {
    expect(parseImageDataUrl(`data:image/png;base64,${TINY_PNG_BASE64}`)).toEqual({
      mediaType: 'image/png',
      data: TINY_PNG_BASE64,
    });
    expect(parseImageDataUrl('data:image/PNG;name=a.png;base64,AAAA')).toEqual({
      mediaType: 'image/png',
      data: 'AAAA',
    });
    expect(parseImageDataUrl('https://example.com/a.png')).toBeUndefined();
    expect(parseImageDataUrl('data:text/plain,hello')).toBeUndefined();
  });

  it('reads a media type from a URL extension only', () => {
    expect(mediaTypeFromUrl('https://example.com/cat.JPG?size=2')).toBe('image/jpeg');
    expect(mediaTypeFromUrl('https://example.com/cat.webp')).toBe('image/webp');
    expect(mediaTypeFromUrl('https://example.com/cat')).toBeUndefined();
    expect(mediaTypeFromUrl('https://example.com/png')).toBeUndefined();
  });

  it('counts IMAGE_TOKENS per image, never the base64 text', () => {
    const text = estimateInputTokens({ messages: [{ role: 'user', content: 'What is this?' }] });
    const withImage = estimateInputTokens({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image', mediaType: 'image/png', data: TINY_PNG_BASE64 },
          ],
        },
      ],
    });
    expect(withImage - text).toBe(IMAGE_TOKENS);
  });
});
