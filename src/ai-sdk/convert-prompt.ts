/**
 * The AI SDK's prompt (LanguageModelV4Prompt) in failsoft's message model. failsoft carries text, images in
 * user messages, tool calls and tool results; what it cannot carry is refused by name (other files) or
 * dropped with a warning when dropping it cannot change the answer's meaning (reasoning text of earlier
 * steps, provider-only parts).
 */
import {
  UnsupportedFunctionalityError,
  type LanguageModelV4FilePart,
  type LanguageModelV4Message,
  type LanguageModelV4Prompt,
  type LanguageModelV4ToolResultOutput,
  type SharedV4Warning,
} from '@ai-sdk/provider';
import { detectImageMediaType, isImageMediaType, parseImageDataUrl } from '../model/image-validation.js';
import type { ContentPart, ImagePart, Message, TextPart, ToolCallPart, ToolResultPart } from '../model/message.js';

/** Where a part sits, for error messages: `message 2 (user), part 1`. */
function where(messageIndex: number, role: string, partIndex: number): string {
  return `message ${messageIndex} (${role}), part ${partIndex}`;
}

/** Refuses a part failsoft's message model cannot carry, naming it and where it was. */
function unsupported(what: string, at: string): never {
  throw new UnsupportedFunctionalityError({
    functionality: what,
    message: `failsoft/ai-sdk: ${what} (${at}) is not supported: failsoft's messages carry text, images (png, jpeg, gif, webp) in user messages, tool calls and tool results only`,
  });
}

/** A file part's description: `file part (image/png, photo.png)`. */
function fileName(part: { mediaType: string; filename?: string }, kind = 'file part'): string {
  return `${kind} (${part.mediaType}${part.filename ? `, ${part.filename}` : ''})`;
}

/**
 * An image file part of a user message as a failsoft image: bytes (a Uint8Array or base64 text) go inline,
 * with their media type as given or, when the AI SDK only knows `image`, as read from the bytes; an http(s)
 * URL goes as a URL for the provider to fetch, a `data:` URL as its bytes. Anything else is refused by name.
 */
function imagePart(part: LanguageModelV4FilePart, at: string): ImagePart {
  const given = part.mediaType.toLowerCase();
  const known = isImageMediaType(given) ? given : undefined;
  if (part.data.type === 'data') {
    const bytes = part.data.data;
    const base64 =
      typeof bytes === 'string'
        ? bytes
        : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    const mediaType =
      known ?? detectImageMediaType(typeof bytes === 'string' ? Buffer.from(base64.slice(0, 24), 'base64') : bytes);
    if (mediaType === undefined) return unsupported(fileName(part, 'image part'), at);
    return { type: 'image', mediaType, data: base64 };
  }
  if (part.data.type === 'url') {
    const url = part.data.originalUrl ?? part.data.url.href;
    const inline = url.startsWith('data:') ? parseImageDataUrl(url) : undefined;
    if (inline !== undefined && isImageMediaType(inline.mediaType))
      return { type: 'image', mediaType: inline.mediaType, data: inline.data };
    if (/^https?:\/\//i.test(url))
      return known === undefined ? { type: 'image', url } : { type: 'image', url, mediaType: known };
  }
  return unsupported(fileName(part, `image part (${part.data.type})`), at);
}

/** True for a file part that is an image (`image`, `image/*` or a full `image/…` type). */
function isImageFile(part: LanguageModelV4FilePart): boolean {
  return part.mediaType.toLowerCase().startsWith('image');
}

/**
 * Converts the AI SDK prompt to failsoft messages; pushes a warning for every part it leaves out.
 * Throws `UnsupportedFunctionalityError` for files other than images, and for images outside user messages.
 * @example convertPrompt([{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], []) // [{ role: 'user', content: 'Hi' }]
 */
export function convertPrompt(prompt: LanguageModelV4Prompt, warnings: SharedV4Warning[]): Message[] {
  const messages: Message[] = [];
  prompt.forEach((message, index) => {
    const converted = convertMessage(message, index, warnings);
    if (converted) messages.push(converted);
  });
  return messages;
}

function convertMessage(
  message: LanguageModelV4Message,
  index: number,
  warnings: SharedV4Warning[],
): Message | undefined {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content };
    case 'user': {
      const parts: Array<TextPart | ImagePart> = [];
      message.content.forEach((part, p) => {
        if (part.type === 'text') parts.push({ type: 'text', text: part.text });
        else if (isImageFile(part)) parts.push(imagePart(part, where(index, 'user', p)));
        else unsupported(fileName(part), where(index, 'user', p));
      });
      return { role: 'user', content: simplify(parts) };
    }
    case 'assistant': {
      const parts: Array<TextPart | ToolCallPart> = [];
      message.content.forEach((part, p) => {
        const at = where(index, 'assistant', p);
        switch (part.type) {
          case 'text':
            parts.push({ type: 'text', text: part.text });
            break;
          case 'tool-call':
            if (part.providerExecuted) dropped(warnings, 'provider-executed tool call', at);
            else parts.push({ type: 'tool-call', id: part.toolCallId, name: part.toolName, input: part.input });
            break;
          case 'reasoning':
            // An earlier step's reasoning: informative for the model that wrote it, meaningless to another.
            dropped(warnings, 'reasoning part', at);
            break;
          case 'tool-result':
            // Only provider-executed tools put results in assistant messages; failsoft runs none.
            dropped(warnings, 'provider-executed tool result', at);
            break;
          case 'custom':
            dropped(warnings, `custom part (${part.kind})`, at);
            break;
          case 'file':
            unsupported(fileName(part), at);
            break;
          case 'reasoning-file':
            unsupported(fileName(part, 'reasoning file part'), at);
            break;
        }
      });
      // A step that was only reasoning leaves nothing; an empty assistant message would be refused upstream.
      return parts.length === 0 ? undefined : { role: 'assistant', content: simplify(parts) };
    }
    case 'tool': {
      const parts: ToolResultPart[] = [];
      message.content.forEach((part, p) => {
        const at = where(index, 'tool', p);
        if (part.type === 'tool-result') parts.push(toolResult(part.toolCallId, part.toolName, part.output, at));
        else dropped(warnings, 'tool approval response', at);
      });
      return parts.length === 0 ? undefined : { role: 'tool', content: parts };
    }
  }
}

/** Text-only content as one string (what every adapter sends most simply); anything else as parts. */
function simplify(parts: Array<TextPart | ToolCallPart | ImagePart>): string | ContentPart[] {
  if (parts.every((part) => part.type === 'text')) return parts.map((part) => (part as TextPart).text).join('');
  return parts;
}

/** A tool's output as failsoft's tool result: text, JSON as its text, errors flagged. */
function toolResult(
  toolCallId: string,
  name: string,
  output: LanguageModelV4ToolResultOutput,
  at: string,
): ToolResultPart {
  const part = (content: string, isError: boolean): ToolResultPart => ({
    type: 'tool-result',
    toolCallId,
    name,
    content,
    ...(isError ? { isError: true } : {}),
  });
  switch (output.type) {
    case 'text':
      return part(output.value, false);
    case 'json':
      return part(JSON.stringify(output.value), false);
    case 'error-text':
      return part(output.value, true);
    case 'error-json':
      return part(JSON.stringify(output.value), true);
    case 'execution-denied':
      return part(`Tool execution denied${output.reason ? `: ${output.reason}` : '.'}`, true);
    case 'content': {
      let text = '';
      output.value.forEach((item, i) => {
        if (item.type === 'text') text += item.text;
        else if (item.type === 'file') unsupported(fileName(item, 'file in a tool result'), `${at}, item ${i}`);
        else unsupported('custom content in a tool result', `${at}, item ${i}`);
      });
      return part(text, false);
    }
  }
}

function dropped(warnings: SharedV4Warning[], what: string, at: string): void {
  warnings.push({
    type: 'other',
    message: `failsoft/ai-sdk left out a ${what} (${at}): failsoft's messages cannot carry it`,
  });
}
