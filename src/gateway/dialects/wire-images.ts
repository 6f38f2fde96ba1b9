import { imageUrlProblem, inlineImageProblem, parseImageDataUrl } from '../../model/image-validation.js';
import type { ImageMediaType, ImagePart } from '../../model/message.js';

/** An image read from a dialect's wire form, or what is wrong with it (the dialect adds the wire path). */
export type WireImage = { ok: true; part: ImagePart } | { ok: false; problem: string };

/**
 * An image given as bytes (Anthropic's base64 source), checked as the library checks it, so a bad image is
 * refused at the gateway, in the client's dialect, before any provider sees it.
 */
export function inlineWireImage(mediaType: string, data: string): WireImage {
  const problem = inlineImageProblem(mediaType, data);
  if (problem !== undefined) return { ok: false, problem };
  return { ok: true, part: { type: 'image', mediaType: mediaType as ImageMediaType, data } };
}

/**
 * An image given by URL (OpenAI's `image_url.url`, Anthropic's url source): a `data:` URL becomes bytes,
 * an http(s) URL stays a URL for the provider to fetch.
 * @example urlWireImage('https://example.com/cat.png') // { ok: true, part: { type: 'image', url: 'https://example.com/cat.png' } }
 */
export function urlWireImage(url: string): WireImage {
  if (url.startsWith('data:')) {
    const inline = parseImageDataUrl(url);
    if (inline === undefined) return { ok: false, problem: 'a data: URL must be base64, as data:image/png;base64,…' };
    return inlineWireImage(inline.mediaType, inline.data);
  }
  const problem = imageUrlProblem(url, undefined);
  if (problem !== undefined) return { ok: false, problem };
  return { ok: true, part: { type: 'image', url } };
}
