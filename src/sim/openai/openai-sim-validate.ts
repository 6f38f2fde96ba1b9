import { invalidRequest, type OpenAIWireError } from './openai-sim-errors.js';

/**
 * Validates a Chat Completions body the way api.openai.com does, failing on the first problem with
 * OpenAI's own wording (`Missing required parameter: 'messages[0].role'.`, `Invalid type for …`,
 * `Invalid value: 'bot'. Supported values are: …`) and the offending parameter in `param`.
 */

/** A validation failure carrying OpenAI's error object. */
export class OpenAIValidationError extends Error {
  constructor(readonly wire: OpenAIWireError) {
    super(wire.message);
  }
}

/** A message reduced to what answer derivation and token counting need. */
export interface ValidMessage {
  role: string;
  /** All text the message carries: content, refusal parts, tool call names and arguments. */
  text: string;
  /** `image_url` parts in its content. */
  images: number;
}

export interface ValidTool {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
}

/** A validated request. */
export interface ValidChatRequest {
  model: string;
  stream: boolean;
  includeUsage: boolean;
  maxOutputTokens: number | undefined;
  messages: ValidMessage[];
  tools: ValidTool[];
  toolChoice: 'auto' | 'none' | 'required' | { name: string } | undefined;
  /** `response_format` json_object (no schema) or json_schema (its `schema`); undefined for text. */
  json: { schema?: Record<string, unknown> } | undefined;
}

type JsonObject = Record<string, unknown>;

/** OpenAI's answer to a body that is not a JSON object. */
export const UNPARSABLE_BODY: OpenAIWireError = invalidRequest(
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library " +
    'correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble ' +
    'figuring out how to fix this, please contact us through our help center at help.openai.com.)',
  null,
);

const ROLES = ['system', 'assistant', 'user', 'function', 'tool', 'developer'];
const PART_TYPES: Record<string, string[]> = {
  user: ['text', 'image_url', 'input_audio', 'file'],
  system: ['text'],
  developer: ['text'],
  assistant: ['text', 'refusal'],
  tool: ['text'],
  function: ['text'],
};
const TOOL_NAME = /^[a-zA-Z0-9_-]+$/;

function fail(message: string, param: string | null, code: string | null = null): never {
  throw new OpenAIValidationError(invalidRequest(message, param, code));
}

/** OpenAI's name for a JSON value's type: `a string`, `an integer`, `a decimal`, `null`, … */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function quoteList(values: readonly string[]): string {
  const quoted = values.map((v) => `'${v}'`);
  if (quoted.length <= 1) return quoted.join('');
  if (quoted.length === 2) return `${quoted[0]} and ${quoted[1]}`;
  return `${quoted.slice(0, -1).join(', ')}, and ${quoted[quoted.length - 1]}`;
}

function wrongType(param: string, expected: string, value: unknown): never {
  return fail(
    `Invalid type for '${param}': expected ${expected}, but got ${describe(value)} instead.`,
    param,
    'invalid_type',
  );
}

function required(object: JsonObject, key: string, path: string): unknown {
  const value = object[key];
  if (value === undefined) fail(`Missing required parameter: '${path}'.`, path, 'missing_required_parameter');
  return value;
}

function requiredString(object: JsonObject, key: string, path: string): string {
  const value = required(object, key, path);
  if (typeof value !== 'string') wrongType(path, 'a string', value);
  return value;
}

function requiredObject(object: JsonObject, key: string, path: string): JsonObject {
  const value = required(object, key, path);
  if (!isObject(value)) wrongType(path, 'an object', value);
  return value;
}

function oneOf(value: string, allowed: readonly string[], path: string): void {
  if (!allowed.includes(value)) {
    fail(`Invalid value: '${value}'. Supported values are: ${quoteList(allowed)}.`, path, 'invalid_value');
  }
}

function optionalInteger(body: JsonObject, key: string): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) wrongType(key, 'an integer', value);
  if (value < 1) {
    fail(
      `Invalid '${key}': integer below minimum value. Expected a value >= 1, but got ${value} instead.`,
      key,
      'integer_below_min_value',
    );
  }
  return value;
}

function optionalNumberInRange(body: JsonObject, key: string, max: number): void {
  const value = body[key];
  if (value === undefined || value === null) return;
  if (typeof value !== 'number') wrongType(key, 'a decimal', value);
  if (value < 0)
    fail(
      `Invalid '${key}': decimal below minimum value. Expected a value >= 0, but got ${value} instead.`,
      key,
      'decimal_below_min_value',
    );
  if (value > max)
    fail(
      `Invalid '${key}': decimal above maximum value. Expected a value <= ${max}, but got ${value} instead.`,
      key,
      'decimal_above_max_value',
    );
}

function optionalBoolean(object: JsonObject, key: string, path: string): boolean | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') wrongType(path, 'a boolean', value);
  return value;
}

const IMAGE_FORMATS = ['png', 'jpeg', 'gif', 'webp'];
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * An `image_url` part: `image_url.url` is an http(s) URL or a base64 `data:` URL of one of the four image
 * formats; `detail` is auto, low or high. The wording of the image errors is unconfirmed.
 */
function imageUrlPart(part: JsonObject, path: string): void {
  const image = requiredObject(part, 'image_url', `${path}.image_url`);
  const url = requiredString(image, 'url', `${path}.image_url.url`);
  if (image['detail'] !== undefined) {
    if (typeof image['detail'] !== 'string') wrongType(`${path}.image_url.detail`, 'a string', image['detail']);
    oneOf(image['detail'], ['auto', 'low', 'high'], `${path}.image_url.detail`);
  }
  if (/^https?:\/\//i.test(url)) return;
  const data = /^data:image\/([a-z0-9.+-]+);base64,(.*)$/is.exec(url);
  if (data === null) {
    fail(
      `Invalid image URL: '${path}.image_url.url'. Expected a valid URL or a base64-encoded data URL with an image MIME type (e.g. 'data:image/png;base64,...').`,
      `${path}.image_url.url`,
      'invalid_image_url',
    );
  }
  const format = (data[1] ?? '').toLowerCase().replace(/^jpg$/, 'jpeg');
  if (!IMAGE_FORMATS.includes(format)) {
    fail(
      "You uploaded an unsupported image. Please make sure your image has of one the following formats: ['png', 'jpeg', 'gif', 'webp'].",
      null,
      'invalid_image_format',
    );
  }
  const base64 = data[2] ?? '';
  if (base64 === '' || base64.length % 4 !== 0 || !BASE64.test(base64)) {
    fail(`Invalid base64 image data in '${path}.image_url.url'.`, `${path}.image_url.url`, 'invalid_image_url');
  }
}

/** Images among a message's content parts (0 for string content). */
function imageCount(content: unknown): number {
  return Array.isArray(content) ? content.filter((part) => isObject(part) && part['type'] === 'image_url').length : 0;
}

function contentText(content: unknown, role: string, path: string): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) wrongType(path, 'one of a string or array of objects', content);
  let text = '';
  content.forEach((part: unknown, index) => {
    const partPath = `${path}[${index}]`;
    if (!isObject(part)) wrongType(partPath, 'an object', part);
    const type = requiredString(part, 'type', `${partPath}.type`);
    oneOf(type, PART_TYPES[role] ?? ['text'], `${partPath}.type`);
    if (type === 'text') text += requiredString(part, 'text', `${partPath}.text`);
    if (type === 'refusal') text += requiredString(part, 'refusal', `${partPath}.refusal`);
    if (type === 'image_url') imageUrlPart(part, partPath);
  });
  return text;
}

function toolCallsText(value: unknown, path: string): { text: string; ids: string[] } {
  if (!Array.isArray(value)) wrongType(path, 'an array of objects', value);
  let text = '';
  const ids: string[] = [];
  value.forEach((call: unknown, index) => {
    const callPath = `${path}[${index}]`;
    if (!isObject(call)) wrongType(callPath, 'an object', call);
    ids.push(requiredString(call, 'id', `${callPath}.id`));
    oneOf(requiredString(call, 'type', `${callPath}.type`), ['function'], `${callPath}.type`);
    const fn = requiredObject(call, 'function', `${callPath}.function`);
    text += requiredString(fn, 'name', `${callPath}.function.name`);
    text += requiredString(fn, 'arguments', `${callPath}.function.arguments`);
  });
  return { text, ids };
}

function validateMessages(body: JsonObject): ValidMessage[] {
  const value = required(body, 'messages', 'messages');
  if (!Array.isArray(value)) wrongType('messages', 'an array of objects', value);
  if (value.length === 0) {
    fail(
      "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      'messages',
      'empty_array',
    );
  }
  const messages: ValidMessage[] = [];
  let pendingCalls: { index: number; ids: Set<string> } | undefined;
  value.forEach((raw: unknown, index) => {
    const path = `messages[${index}]`;
    if (!isObject(raw)) wrongType(path, 'an object', raw);
    const role = requiredString(raw, 'role', `${path}.role`);
    oneOf(role, ROLES, `${path}.role`);
    if (pendingCalls !== undefined && role !== 'tool') unansweredToolCalls(pendingCalls);
    const hasCalls = role === 'assistant' && raw['tool_calls'] !== undefined && raw['tool_calls'] !== null;
    let text = '';
    const content = raw['content'];
    if (content === undefined && !hasCalls) required(raw, 'content', `${path}.content`);
    if (!((content === undefined || content === null) && hasCalls))
      text += contentText(content, role, `${path}.content`);
    if (role === 'tool') {
      const id = requiredString(raw, 'tool_call_id', `${path}.tool_call_id`);
      if (pendingCalls === undefined) {
        fail(
          "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
          `messages.[${index}].role`,
        );
      }
      pendingCalls.ids.delete(id);
      if (pendingCalls.ids.size === 0) pendingCalls = undefined;
    }
    if (hasCalls) {
      const calls = toolCallsText(raw['tool_calls'], `${path}.tool_calls`);
      text += calls.text;
      if (calls.ids.length > 0) pendingCalls = { index, ids: new Set(calls.ids) };
    }
    messages.push({ role, text, images: imageCount(content) });
  });
  if (pendingCalls !== undefined) unansweredToolCalls(pendingCalls);
  return messages;
}

function unansweredToolCalls(pending: { index: number; ids: Set<string> }): never {
  return fail(
    "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. " +
      `The following tool_call_ids did not have response messages: ${[...pending.ids].join(', ')}`,
    `messages.[${pending.index}].role`,
  );
}

function validateTools(body: JsonObject): ValidTool[] {
  const value = body['tools'];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) wrongType('tools', 'an array of objects', value);
  if (value.length === 0) {
    fail(
      "Invalid 'tools': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      'tools',
      'empty_array',
    );
  }
  return value.map((raw: unknown, index): ValidTool => {
    const path = `tools[${index}]`;
    if (!isObject(raw)) wrongType(path, 'an object', raw);
    const type = requiredString(raw, 'type', `${path}.type`);
    oneOf(type, ['function', 'custom'], `${path}.type`);
    const spec = requiredObject(raw, type, `${path}.${type}`);
    const name = requiredString(spec, 'name', `${path}.${type}.name`);
    if (!TOOL_NAME.test(name) || name.length > 64) {
      fail(
        `Invalid '${path}.${type}.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`,
        `${path}.${type}.name`,
        'invalid_value',
      );
    }
    const tool: ValidTool = { name };
    const description = spec['description'];
    if (description !== undefined && description !== null) {
      if (typeof description !== 'string') wrongType(`${path}.${type}.description`, 'a string', description);
      tool.description = description;
    }
    const parameters = spec['parameters'];
    if (type === 'function' && parameters !== undefined && parameters !== null) {
      if (!isObject(parameters)) wrongType(`${path}.function.parameters`, 'an object', parameters);
      tool.parameters = parameters;
    }
    return tool;
  });
}

function validateToolChoice(body: JsonObject, tools: readonly ValidTool[]): ValidChatRequest['toolChoice'] {
  const value = body['tool_choice'];
  if (value === undefined || value === null) return undefined;
  if (tools.length === 0) {
    fail("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", 'tool_choice');
  }
  if (typeof value === 'string') {
    oneOf(value, ['none', 'auto', 'required'], 'tool_choice');
    return value as 'none' | 'auto' | 'required';
  }
  if (!isObject(value)) wrongType('tool_choice', 'one of a string or object', value);
  oneOf(requiredString(value, 'type', 'tool_choice.type'), ['function'], 'tool_choice.type');
  const name = requiredString(
    requiredObject(value, 'function', 'tool_choice.function'),
    'name',
    'tool_choice.function.name',
  );
  if (!tools.some((tool) => tool.name === name)) {
    fail(
      `Invalid value for 'tool_choice': function '${name}' was not found in 'tools'.`,
      'tool_choice',
      'invalid_value',
    );
  }
  return { name };
}

function validateStop(body: JsonObject): void {
  const value = body['stop'];
  if (value === undefined || value === null || typeof value === 'string') return;
  if (!Array.isArray(value)) wrongType('stop', 'one of a string or array of strings', value);
  if (value.length > 4) {
    fail(
      `Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length ${value.length} instead.`,
      'stop',
      'array_above_max_length',
    );
  }
}

const RESPONSE_FORMATS = ['text', 'json_object', 'json_schema'];

/**
 * `response_format`: `text` (the default), `json_object` (whose messages must say "json", as the
 * API demands) or `json_schema` with a `name` matching the tool-name pattern and a `schema` object.
 */
function validateResponseFormat(body: JsonObject, messages: readonly ValidMessage[]): ValidChatRequest['json'] {
  const value = body['response_format'];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) wrongType('response_format', 'an object', value);
  const type = requiredString(value, 'type', 'response_format.type');
  oneOf(type, RESPONSE_FORMATS, 'response_format.type');
  if (type === 'text') return undefined;
  if (type === 'json_object') {
    if (!messages.some((message) => /json/i.test(message.text))) {
      fail(
        "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
        'messages',
      );
    }
    return {};
  }
  const path = 'response_format.json_schema';
  const spec = requiredObject(value, 'json_schema', path);
  const name = requiredString(spec, 'name', `${path}.name`);
  if (!TOOL_NAME.test(name) || name.length > 64) {
    fail(
      `Invalid '${path}.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`,
      `${path}.name`,
      'invalid_value',
    );
  }
  const description = spec['description'];
  if (description !== undefined && description !== null && typeof description !== 'string')
    wrongType(`${path}.description`, 'a string', description);
  optionalBoolean(spec, 'strict', `${path}.strict`);
  return { schema: requiredObject(spec, 'schema', `${path}.schema`) };
}

/** Validates a parsed JSON body; throws `OpenAIValidationError` with OpenAI's wording on the first problem. */
export function validateChatRequest(body: unknown): ValidChatRequest {
  if (!isObject(body)) throw new OpenAIValidationError(UNPARSABLE_BODY);
  const model = body['model'];
  if (model === undefined || model === null || model === '') fail('you must provide a model parameter', null);
  if (typeof model !== 'string') wrongType('model', 'a string', model);
  const messages = validateMessages(body);
  const stream = optionalBoolean(body, 'stream', 'stream') ?? false;
  let includeUsage = false;
  const streamOptions = body['stream_options'];
  if (streamOptions !== undefined && streamOptions !== null) {
    if (!stream) fail("The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'stream_options');
    if (!isObject(streamOptions)) wrongType('stream_options', 'an object', streamOptions);
    includeUsage = optionalBoolean(streamOptions, 'include_usage', 'stream_options.include_usage') ?? false;
  }
  const maxCompletion = optionalInteger(body, 'max_completion_tokens');
  const maxTokens = optionalInteger(body, 'max_tokens');
  optionalNumberInRange(body, 'temperature', 2);
  optionalNumberInRange(body, 'top_p', 1);
  validateStop(body);
  const tools = validateTools(body);
  const toolChoice = validateToolChoice(body, tools);
  const json = validateResponseFormat(body, messages);
  return {
    model,
    stream,
    includeUsage,
    maxOutputTokens: maxCompletion ?? maxTokens,
    messages,
    tools,
    toolChoice,
    json,
  };
}
