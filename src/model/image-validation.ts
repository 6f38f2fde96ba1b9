import { IMAGE_MEDIA_TYPES, type ContentPart, type ImageMediaType, type Message } from './message.js';

/**
 * The largest image failsoft accepts, decoded: 5 MB, Anthropic's per-image limit and the smallest of the
 * three providers' (OpenAI takes 20 MB per image, Gemini 100 MB of inline data per request), so an image
 * that passes here can fail over to any entry of its route.
 */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The first bytes of each accepted format; the providers refuse an image whose bytes are not its stated type. */
const SIGNATURES: Record<ImageMediaType, (bytes: Buffer) => boolean> = {
  'image/png': (b) => b.length >= 8 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a,
  'image/jpeg': (b) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/gif': (b) =>
    b.length >= 6 && (b.toString('latin1', 0, 6) === 'GIF87a' || b.toString('latin1', 0, 6) === 'GIF89a'),
  'image/webp': (b) =>
    b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP',
};

/**
 * The image type the bytes are, read from their signature; undefined when they are none of the four.
 * @example detectImageMediaType(pngBytes) // 'image/png'
 */
export function detectImageMediaType(bytes: Uint8Array): ImageMediaType | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 16));
  return (Object.keys(SIGNATURES) as ImageMediaType[]).find((type) => SIGNATURES[type](head));
}

/** True for one of the four image media types failsoft passes on. */
export function isImageMediaType(value: unknown): value is ImageMediaType {
  return typeof value === 'string' && (IMAGE_MEDIA_TYPES as readonly string[]).includes(value);
}

/** Decoded size of well-formed base64 text, without decoding it. */
export function base64Bytes(data: string): number {
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return (data.length / 4) * 3 - padding;
}

function sizeText(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * What is wrong with an inline image (`mediaType` + base64 `data`), or undefined when it is fine: the media
 * type, the base64 text (padded, standard alphabet, no `data:` prefix), the size, and that the bytes are
 * an image of the stated type.
 * @example inlineImageProblem('image/bmp', 'Qk0=') // 'unsupported media type "image/bmp" (use image/png, image/jpeg, image/gif or image/webp)'
 */
export function inlineImageProblem(mediaType: unknown, data: unknown): string | undefined {
  if (!isImageMediaType(mediaType))
    return `unsupported media type ${JSON.stringify(mediaType)} (use image/png, image/jpeg, image/gif or image/webp)`;
  if (typeof data !== 'string' || data === '') return 'data must be the image bytes in base64, and is empty';
  if (data.startsWith('data:')) return 'data must be plain base64, without a "data:…;base64," prefix';
  if (data.length % 4 !== 0 || !BASE64.test(data))
    return 'data is not valid base64 (standard alphabet A-Z a-z 0-9 + /, padded with = to a multiple of 4)';
  const bytes = base64Bytes(data);
  if (bytes > MAX_IMAGE_BYTES) return `the image is ${sizeText(bytes)}, over the ${sizeText(MAX_IMAGE_BYTES)} limit`;
  // Only the head is decoded: enough for the signature, whatever the image's size.
  const head = Buffer.from(data.slice(0, 16), 'base64');
  if (!SIGNATURES[mediaType](head))
    return `the bytes are not a ${mediaType.slice('image/'.length).toUpperCase()} image (their media type is wrong, or they are not an image)`;
  return undefined;
}

/**
 * What is wrong with an image URL, or undefined: an absolute http(s) URL (inline images go as
 * `{ mediaType, data }`, not as `data:` URLs), and a known media type when one is given.
 */
export function imageUrlProblem(url: unknown, mediaType: unknown): string | undefined {
  if (typeof url !== 'string') return 'url must be a string';
  if (url.startsWith('data:')) return 'a data: URL goes as { mediaType, data } (parseImageDataUrl splits one)';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `url ${JSON.stringify(url.slice(0, 80))} is not an absolute URL`;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    return `url must be http or https, not ${parsed.protocol.slice(0, -1)}`;
  if (mediaType !== undefined && !isImageMediaType(mediaType)) {
    return `unsupported media type ${JSON.stringify(mediaType)} (use image/png, image/jpeg, image/gif or image/webp)`;
  }
  return undefined;
}

/** What is wrong with one image part (either form), or undefined. */
export function imagePartProblem(part: Record<string, unknown>): string | undefined {
  const hasData = part['data'] !== undefined;
  const hasUrl = part['url'] !== undefined;
  if (hasData === hasUrl) return 'an image part has either data (with mediaType) or url, exactly one of them';
  return hasData
    ? inlineImageProblem(part['mediaType'], part['data'])
    : imageUrlProblem(part['url'], part['mediaType']);
}

/** A problem found in a request's messages, with the path of the part it concerns. */
export interface ImageIssue {
  /** e.g. `messages[0].content[1]` */
  path: string;
  message: string;
}

/**
 * Checks every image part of a conversation: only user messages may carry images, and each must pass
 * `imagePartProblem`. Returns the first problem, naming the message and part index.
 * @example findImageIssue([{ role: 'assistant', content: [{ type: 'image', url: 'https://x/y.png' }] }])?.path // 'messages[0].content[0]'
 */
export function findImageIssue(messages: readonly Message[]): ImageIssue | undefined {
  for (const [m, message] of messages.entries()) {
    if (typeof message.content === 'string') continue;
    for (const [p, part] of (message.content as readonly ContentPart[]).entries()) {
      if (part.type !== 'image') continue;
      const path = `messages[${m}].content[${p}]`;
      if (message.role !== 'user')
        return { path, message: `images are allowed only in user messages, and this is a ${message.role} message` };
      const problem = imagePartProblem(part as unknown as Record<string, unknown>);
      if (problem !== undefined) return { path, message: problem };
    }
  }
  return undefined;
}

/**
 * Splits a `data:image/png;base64,…` URL into media type and base64 data; undefined when the text is not
 * a base64 data URL. The media type is returned as written (check it with `inlineImageProblem`).
 * @example parseImageDataUrl('data:image/png;base64,iVBORw0KGgo=') // { mediaType: 'image/png', data: 'iVBORw0KGgo=' }
 */
export function parseImageDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const match = /^data:([^;,]+)((?:;[^;,]*)*);base64,(.*)$/s.exec(url);
  if (match === null) return undefined;
  return { mediaType: (match[1] ?? '').toLowerCase(), data: match[3] ?? '' };
}

/**
 * The media type an image URL's file extension implies (`.png`, `.jpg`/`.jpeg`, `.gif`, `.webp`), for
 * providers that must be told one (Gemini's `fileData.mimeType`).
 * @example mediaTypeFromUrl('https://example.com/cat.JPG?size=2') // 'image/jpeg'
 */
export function mediaTypeFromUrl(url: string): ImageMediaType | undefined {
  let path: string;
  try {
    path = new URL(url).pathname.toLowerCase();
  } catch {
    return undefined;
  }
  const extension = path.slice(path.lastIndexOf('.') + 1);
  if (extension === 'png') return 'image/png';
  if (extension === 'jpg' || extension === 'jpeg') return 'image/jpeg';
  if (extension === 'gif') return 'image/gif';
  if (extension === 'webp') return 'image/webp';
  return undefined;
}
