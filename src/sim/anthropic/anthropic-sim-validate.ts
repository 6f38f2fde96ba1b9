/**
 * Validation of a Messages API request body, with the real API's messages: fields are named by
 * their dotted path (`messages.0.content`) in the pydantic wording Anthropic returns
 * ("max_tokens: Field required", "messages.1.role: Input should be 'user' or 'assistant'").
 * Hand-written rather than zod: it runs on the simulator's hot path and must word errors exactly.
 */

/** What the simulator needs from a valid body. */
export interface ValidAnthropicBody {
  model: string;
  maxTokens: number;
  stream: boolean;
  /** All counted text (system, messages, tool results, tool calls, tool schemas), joined. */
  countedText: string;
  lastUserText: string;
  lastIsToolResult: boolean;
  /** Images in the whole conversation (counted as input tokens) and in the last user message. */
  images: number;
  lastUserImages: number;
  tools: { name: string; inputSchema?: Record<string, unknown> }[];
  toolChoice: 'auto' | 'none' | 'required' | { name: string };
}

class Invalid extends Error {}

type Json = Record<string, unknown>;

function fail(path: string, problem: string): never {
  throw new Invalid(`${path}: ${problem}`);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function need(object: Json, key: string, path: string): unknown {
  const value = object[key];
  if (value === undefined) fail(path, 'Field required');
  return value;
}

function string(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(path, 'Input should be a valid string');
  return value;
}

function list(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) fail(path, 'Input should be a valid list');
  return value;
}

function object(value: unknown, path: string): Json {
  if (!isObject(value)) fail(path, 'Input should be a valid dictionary or object to extract fields from');
  return value;
}

function optionalNumber(body: Json, key: string): void {
  const value = body[key];
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value)))
    fail(key, 'Input should be a valid number');
}

/** Text of a `tool_result` content: a string or a list of blocks (text blocks counted). */
function toolResultText(value: unknown, path: string): string {
  if (value === undefined || typeof value === 'string') return value ?? '';
  let text = '';
  list(value, path).forEach((block, index) => {
    const item = object(block, `${path}.${index}`);
    if (string(need(item, 'type', `${path}.${index}.type`), `${path}.${index}.type`) === 'text') {
      text += string(need(item, 'text', `${path}.${index}.text`), `${path}.${index}.text`);
    }
  });
  return text;
}

interface MessageText {
  counted: string;
  text: string;
  hasToolResult: boolean;
  images: number;
}

const IMAGE_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * An `image` block: `source` is base64 (`media_type` one of the four, `data`) or url. Paths name the
 * source's variant as pydantic does for a tagged union (`….image.source.base64.media_type`).
 */
function imageBlock(block: Json, at: string): void {
  const source = object(need(block, 'source', `${at}.image.source`), `${at}.image.source`);
  const type = string(need(source, 'type', `${at}.image.source.type`), `${at}.image.source.type`);
  if (type === 'base64') {
    const where = `${at}.image.source.base64`;
    const mediaType = string(need(source, 'media_type', `${where}.media_type`), `${where}.media_type`);
    if (!IMAGE_MEDIA_TYPES.includes(mediaType))
      fail(`${where}.media_type`, "Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'");
    const data = string(need(source, 'data', `${where}.data`), `${where}.data`);
    // Wording unconfirmed: the API refuses data that does not decode as base64.
    if (data === '' || data.length % 4 !== 0 || !BASE64.test(data)) fail(`${where}.data`, 'Invalid base64 data');
  } else if (type === 'url') {
    string(need(source, 'url', `${at}.image.source.url.url`), `${at}.image.source.url.url`);
  } else if (type !== 'file') {
    fail(
      `${at}.image.source`,
      `Input tag '${type}' found using 'type' does not match any of the expected tags: 'base64', 'url', 'file'`,
    );
  }
}

function contentBlocks(value: unknown[], path: string): MessageText {
  const out: MessageText = { counted: '', text: '', hasToolResult: false, images: 0 };
  value.forEach((raw, index) => {
    const at = `${path}.${index}`;
    const block = object(raw, at);
    const type = string(need(block, 'type', `${at}.type`), `${at}.type`);
    if (type === 'text') {
      const text = string(need(block, 'text', `${at}.text`), `${at}.text`);
      out.text += text;
      out.counted += text;
    } else if (type === 'tool_use') {
      string(need(block, 'id', `${at}.id`), `${at}.id`);
      const name = string(need(block, 'name', `${at}.name`), `${at}.name`);
      const input = object(need(block, 'input', `${at}.input`), `${at}.input`);
      out.counted += name + JSON.stringify(input);
    } else if (type === 'tool_result') {
      string(need(block, 'tool_use_id', `${at}.tool_use_id`), `${at}.tool_use_id`);
      out.counted += toolResultText(block.content, `${at}.content`);
      out.hasToolResult = true;
    } else if (type === 'image') {
      imageBlock(block, at);
      out.images += 1;
    }
  });
  return out;
}

function messageText(raw: unknown, path: string): MessageText & { role: string } {
  const message = object(raw, path);
  const role = string(need(message, 'role', `${path}.role`), `${path}.role`);
  if (role !== 'user' && role !== 'assistant' && role !== 'system')
    fail(`${path}.role`, "Input should be 'user' or 'assistant'");
  const content = need(message, 'content', `${path}.content`);
  if (typeof content === 'string') return { role, counted: content, text: content, hasToolResult: false, images: 0 };
  if (!Array.isArray(content)) fail(`${path}.content`, 'Input should be a valid list');
  return { role, ...contentBlocks(content, `${path}.content`) };
}

function systemText(value: unknown): string {
  if (value === undefined || typeof value === 'string') return value ?? '';
  let text = '';
  list(value, 'system').forEach((raw, index) => {
    const block = object(raw, `system.${index}`);
    const type = string(need(block, 'type', `system.${index}.type`), `system.${index}.type`);
    if (type !== 'text') fail(`system.${index}.type`, "Input should be 'text'");
    text += string(need(block, 'text', `system.${index}.text`), `system.${index}.text`);
  });
  return text;
}

function toolsOf(value: unknown): { tools: ValidAnthropicBody['tools']; counted: string } {
  const tools: ValidAnthropicBody['tools'] = [];
  let counted = '';
  if (value === undefined) return { tools, counted };
  list(value, 'tools').forEach((raw, index) => {
    const tool = object(raw, `tools.${index}`);
    const name = string(need(tool, 'name', `tools.${index}.name`), `tools.${index}.name`);
    if (tool.type !== undefined && tool.type !== 'custom') {
      tools.push({ name }); // a server tool (web_search_…, bash_…): no schema of its own
      return;
    }
    const schema = object(need(tool, 'input_schema', `tools.${index}.input_schema`), `tools.${index}.input_schema`);
    const description = tool.description === undefined ? '' : string(tool.description, `tools.${index}.description`);
    counted += name + description + JSON.stringify(schema);
    tools.push({ name, inputSchema: schema });
  });
  return { tools, counted };
}

function toolChoiceOf(value: unknown): ValidAnthropicBody['toolChoice'] {
  if (value === undefined) return 'auto';
  const choice = object(value, 'tool_choice');
  const type = string(need(choice, 'type', 'tool_choice.type'), 'tool_choice.type');
  switch (type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { name: string(need(choice, 'name', 'tool_choice.name'), 'tool_choice.name') };
    default:
      return fail('tool_choice.type', "Input should be 'auto', 'any', 'tool' or 'none'");
  }
}

function validate(body: Json): ValidAnthropicBody {
  const model = string(need(body, 'model', 'model'), 'model');
  const rawMessages = list(need(body, 'messages', 'messages'), 'messages');
  const maxTokens = need(body, 'max_tokens', 'max_tokens');
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens))
    fail('max_tokens', 'Input should be a valid integer');
  if (maxTokens < 1) fail('max_tokens', 'Input should be greater than or equal to 1');
  if (body.stream !== undefined && typeof body.stream !== 'boolean') fail('stream', 'Input should be a valid boolean');
  optionalNumber(body, 'temperature');
  optionalNumber(body, 'top_p');
  if (body.stop_sequences !== undefined)
    for (const [i, s] of list(body.stop_sequences, 'stop_sequences').entries()) string(s, `stop_sequences.${i}`);
  if (rawMessages.length === 0) throw new Invalid('messages: at least one message is required');

  let counted = systemText(body.system);
  let lastUserText = '';
  let lastIsToolResult = false;
  let images = 0;
  let lastUserImages = 0;
  rawMessages.forEach((raw, index) => {
    const message = messageText(raw, `messages.${index}`);
    counted += message.counted;
    images += message.images;
    if (message.role === 'user') {
      lastUserText = message.text;
      lastUserImages = message.images;
    }
    lastIsToolResult = message.hasToolResult;
  });
  const { tools, counted: toolText } = toolsOf(body.tools);
  return {
    model,
    maxTokens,
    stream: body.stream === true,
    countedText: counted + toolText,
    lastUserText,
    lastIsToolResult,
    images,
    lastUserImages,
    tools,
    toolChoice: toolChoiceOf(body.tool_choice),
  };
}

/** Parses and validates a body; on failure returns the API's error message for it. */
export function validateAnthropicBody(text: string): ValidAnthropicBody | { error: string } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return { error: `The request body is not valid JSON: ${jsonProblem(text, error)}` };
  }
  if (!isObject(body)) return { error: 'Input should be a valid dictionary or object to extract fields from' };
  try {
    return validate(body);
  } catch (error) {
    if (error instanceof Invalid) return { error: error.message };
    throw error;
  }
}

/** "Expecting value: line 1 column 1 (char 0)", the wording of the real API's JSON decoder. */
function jsonProblem(text: string, error: unknown): string {
  const match = /position (\d+)/.exec(error instanceof Error ? error.message : '');
  const char = match ? Number(match[1]) : text.trimEnd().length;
  const before = text.slice(0, char);
  const line = before.split('\n').length;
  const column = char - before.lastIndexOf('\n');
  return `Expecting value: line ${line} column ${column} (char ${char})`;
}
