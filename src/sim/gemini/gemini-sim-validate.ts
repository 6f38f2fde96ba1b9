import type { SimHttpReply } from '../sim-protocol.js';
import { invalidArgument } from './gemini-sim-errors.js';
import {
  GeminiValidationError,
  semantic,
  plain,
  invalidValue,
  isRecord,
  field,
  checkKnown,
  join,
  list,
  text,
  number,
} from './gemini-sim-fields.js';

export { GeminiValidationError };

/**
 * Validates a `GenerateContentRequest` body the way the Gemini API does, with its own 400s:
 * proto-JSON parse errors ("Invalid JSON payload received. Unknown name …", "Invalid value at
 * 'generation_config.max_output_tokens' (TYPE_INT32), …") carry a BadRequest field violation;
 * semantic errors read "* GenerateContentRequest.contents: contents is not specified". Field
 * names are accepted in camelCase or snake_case (proto JSON allows both); `null` means unset.
 */

/** A request that passed validation, reduced to what the simulator needs. */
export interface ValidGeminiRequest {
  contents: ValidContent[];
  systemText: string;
  tools: ValidFunctionDeclaration[];
  mode: FunctionCallingMode | undefined;
  allowedFunctionNames: string[];
  /** Unset (or 0, which proto3 cannot tell from unset) when the request gives none. */
  maxOutputTokens: number | undefined;
  /** `responseMimeType: application/json`, with `responseJsonSchema` or `responseSchema` if given; undefined otherwise. */
  json: { schema?: Record<string, unknown> } | undefined;
}

export interface ValidContent {
  role: 'user' | 'model';
  parts: ValidPart[];
}

export type ValidPart =
  | { kind: 'text'; text: string }
  | { kind: 'call'; name: string; args: Record<string, unknown> }
  | { kind: 'response'; name: string; response: unknown }
  | { kind: 'media'; image: boolean };

export interface ValidFunctionDeclaration {
  name: string;
  description?: string;
  schema?: Record<string, unknown>;
}

type FunctionCallingMode = 'MODE_UNSPECIFIED' | 'AUTO' | 'ANY' | 'NONE' | 'VALIDATED';
const MODES: readonly string[] = ['MODE_UNSPECIFIED', 'AUTO', 'ANY', 'NONE', 'VALIDATED'];

const V1BETA = 'type.googleapis.com/google.ai.generativelanguage.v1beta.';
const REQUEST_FIELDS = new Set([
  'model',
  'contents',
  'systemInstruction',
  'tools',
  'toolConfig',
  'safetySettings',
  'generationConfig',
  'cachedContent',
  'labels',
  'serviceTier',
  'store',
]);
const CONTENT_FIELDS = new Set(['role', 'parts']);
const PART_FIELDS = new Set([
  'text',
  'inlineData',
  'functionCall',
  'functionResponse',
  'fileData',
  'executableCode',
  'codeExecutionResult',
  'thought',
  'thoughtSignature',
  'videoMetadata',
  'partMetadata',
  'mediaResolution',
]);
const DATA_FIELDS = [
  'text',
  'inlineData',
  'functionCall',
  'functionResponse',
  'fileData',
  'executableCode',
  'codeExecutionResult',
] as const;
const DECLARATION_FIELDS = new Set([
  'name',
  'description',
  'parameters',
  'parametersJsonSchema',
  'response',
  'responseJsonSchema',
  'behavior',
]);
const FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$/;

/** The 400 for a body that is not JSON at all. */
export function unparsableBodyReply(body: string): SimHttpReply {
  const snippet = body.slice(0, 40).replace(/\s+/g, ' ');
  return invalidArgument(`Invalid JSON payload received. Unexpected token.\n${snippet}\n^`, null);
}

function parts(value: unknown, path: string): ValidPart[] {
  const items = list(value, path, `${V1BETA}Part`);
  return items.map((item, index) => part(item, `${path}[${index}]`));
}

function part(value: unknown, path: string): ValidPart {
  if (!isRecord(value)) throw invalidValue(path, `${V1BETA}Part`, value);
  checkKnown(value, PART_FIELDS, path);
  const set = DATA_FIELDS.filter((name) => field(value, name) !== undefined);
  if (set.length === 0) throw semantic(`${path}.data`, "required oneof field 'data' must have one initialized field");
  if (set.length > 1)
    throw plain(`Invalid JSON payload received. Oneof field 'data' is already set. Cannot set '${set[1] ?? ''}'`);
  const kind = set[0];
  if (kind === 'text') return { kind: 'text', text: text(field(value, 'text'), join(path, 'text')) ?? '' };
  if (kind === 'functionCall') {
    const call = field(value, 'functionCall');
    const at = join(path, 'functionCall');
    if (!isRecord(call)) throw invalidValue(at, `${V1BETA}FunctionCall`, call);
    const name = text(field(call, 'name'), join(at, 'name')) ?? '';
    if (name === '') throw semantic(join(at, 'name'), 'Name cannot be empty.');
    const args = field(call, 'args');
    if (args !== undefined && !isRecord(args))
      throw invalidValue(join(at, 'args'), 'type.googleapis.com/google.protobuf.Struct', args);
    return { kind: 'call', name, args: args ?? {} };
  }
  if (kind === 'functionResponse') {
    const response = field(value, 'functionResponse');
    const at = join(path, 'functionResponse');
    if (!isRecord(response)) throw invalidValue(at, `${V1BETA}FunctionResponse`, response);
    const name = text(field(response, 'name'), join(at, 'name')) ?? '';
    if (name === '') throw semantic(join(at, 'name'), 'Name cannot be empty.');
    const body = field(response, 'response');
    if (body !== undefined && !isRecord(body))
      throw invalidValue(join(at, 'response'), 'type.googleapis.com/google.protobuf.Struct', body);
    return { kind: 'response', name, response: body ?? {} };
  }
  if (kind === 'inlineData')
    return { kind: 'media', image: inlineData(field(value, 'inlineData'), join(path, 'inlineData')) };
  if (kind === 'fileData') return { kind: 'media', image: fileData(field(value, 'fileData'), join(path, 'fileData')) };
  return { kind: 'media', image: false };
}

const MEDIA_TYPE = /^[a-z]+\/[a-z0-9.+-]+$/i;
/** Image types Gemini reads (its documented list: PNG, JPEG, WEBP, HEIC, HEIF; GIF is taken too). */
const IMAGE_TYPES: readonly string[] = [
  'image/png',
  'image/jpeg',
  'image/webp',
  'image/heic',
  'image/heif',
  'image/gif',
];
/** Proto-JSON bytes: standard or URL-safe base64, padding optional. */
const PROTO_BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function mimeTypeOf(value: Record<string, unknown>, path: string): string {
  const mimeType = text(field(value, 'mimeType'), join(path, 'mimeType')) ?? '';
  if (mimeType === '') throw semantic(join(path, 'mimeType'), 'mime_type must be specified.');
  if (!MEDIA_TYPE.test(mimeType) || (mimeType.startsWith('image/') && !IMAGE_TYPES.includes(mimeType.toLowerCase()))) {
    throw plain(`Unsupported MIME type: ${mimeType}`);
  }
  return mimeType;
}

/** `inlineData {mimeType, data}`: data must decode as base64 (proto bytes). True for an image. */
function inlineData(value: unknown, path: string): boolean {
  if (!isRecord(value)) throw invalidValue(path, `${V1BETA}Blob`, value);
  const mimeType = mimeTypeOf(value, path);
  const data = field(value, 'data');
  if (typeof data !== 'string') throw invalidValue(join(path, 'data'), 'TYPE_BYTES', data);
  if (!PROTO_BASE64.test(data)) {
    throw new GeminiValidationError(
      invalidArgument(
        `Invalid value at '${join(path, 'data')}' (TYPE_BYTES), Base64 decoding failed for ${JSON.stringify(data.slice(0, 40))}`,
        join(path, 'data'),
      ),
    );
  }
  return mimeType.startsWith('image/');
}

/** `fileData {mimeType, fileUri}`: a Files API URI, or (since January 2026) an http(s) URL. True for an image. */
function fileData(value: unknown, path: string): boolean {
  if (!isRecord(value)) throw invalidValue(path, `${V1BETA}FileData`, value);
  const mimeType = mimeTypeOf(value, path);
  const uri = text(field(value, 'fileUri'), join(path, 'fileUri')) ?? '';
  if (uri === '') throw semantic(join(path, 'fileUri'), 'file_uri must be specified.');
  if (!/^(https?:\/\/|gs:\/\/)/i.test(uri)) throw plain(`Invalid or unsupported file uri: ${uri}`);
  return mimeType.startsWith('image/');
}

function content(value: unknown, path: string, allowEmpty = false): ValidContent {
  if (!isRecord(value)) throw invalidValue(path, `${V1BETA}Content`, value);
  checkKnown(value, CONTENT_FIELDS, path);
  const role = text(field(value, 'role'), join(path, 'role')) ?? '';
  if (role !== '' && role !== 'user' && role !== 'model') throw plain('Please use a valid role: user, model.');
  const items = parts(field(value, 'parts'), join(path, 'parts'));
  if (items.length === 0 && !allowEmpty) throw semantic(join(path, 'parts'), 'contents.parts must not be empty.');
  return { role: role === 'model' ? 'model' : 'user', parts: items };
}

function declarations(value: unknown): ValidFunctionDeclaration[] {
  const out: ValidFunctionDeclaration[] = [];
  list(value, 'tools', `${V1BETA}Tool`).forEach((tool, t) => {
    const at = `tools[${t}]`;
    if (!isRecord(tool)) throw invalidValue(at, `${V1BETA}Tool`, tool);
    list(field(tool, 'functionDeclarations'), join(at, 'functionDeclarations'), `${V1BETA}FunctionDeclaration`).forEach(
      (decl, d) => {
        const dat = `${join(at, 'functionDeclarations')}[${d}]`;
        if (!isRecord(decl)) throw invalidValue(dat, `${V1BETA}FunctionDeclaration`, decl);
        checkKnown(decl, DECLARATION_FIELDS, dat);
        const name = text(field(decl, 'name'), join(dat, 'name')) ?? '';
        if (!FUNCTION_NAME.test(name)) {
          throw semantic(
            join(dat, 'name'),
            'Invalid function name. Must start with a letter or an underscore. Must be alphameric (a-z, A-Z, 0-9), underscores (_), dots (.), colons (:) or dashes (-), with a maximum length of 128.',
          );
        }
        const description = text(field(decl, 'description'), join(dat, 'description'));
        const parameters = field(decl, 'parameters');
        const jsonSchema = field(decl, 'parametersJsonSchema');
        if (parameters !== undefined && jsonSchema !== undefined) {
          throw semantic(
            join(dat, 'parametersJsonSchema'),
            'parameters and parameters_json_schema cannot both be set.',
          );
        }
        const schema = jsonSchema ?? parameters;
        if (schema !== undefined && !isRecord(schema))
          throw invalidValue(
            join(dat, jsonSchema === undefined ? 'parameters' : 'parametersJsonSchema'),
            `${V1BETA}Schema`,
            schema,
          );
        out.push({
          name,
          ...(description === undefined ? {} : { description }),
          ...(schema === undefined ? {} : { schema }),
        });
      },
    );
  });
  return out;
}

/** Function calls and responses must pair up turn by turn, as the API checks. */
function checkFunctionTurns(contents: readonly ValidContent[]): void {
  contents.forEach((turn, index) => {
    const previous = contents[index - 1];
    const calls = turn.parts.filter((p) => p.kind === 'call').length;
    const responses = turn.parts.filter((p) => p.kind === 'response').length;
    if (calls > 0 && (previous === undefined || previous.role !== 'user')) {
      throw plain(
        'Please ensure that function call turn comes immediately after a user turn or after a function response turn.',
      );
    }
    if (responses === 0) return;
    const previousCalls = previous?.role === 'model' ? previous.parts.filter((p) => p.kind === 'call').length : 0;
    if (previousCalls === 0)
      throw plain('Please ensure that function response turn comes immediately after a function call turn.');
    if (previousCalls !== responses) {
      throw plain(
        'Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.',
      );
    }
  });
}

const MIME_TYPES: readonly string[] = [
  'text/plain',
  'application/json',
  'application/xml',
  'application/yaml',
  'text/x.enum',
];
/** MIME types a response schema may go with. */
const SCHEMA_MIME_TYPES: readonly string[] = ['application/json', 'text/x.enum'];

/**
 * `responseMimeType` and the response schemas: an unknown MIME type, both schemas at once, or a
 * schema without a compatible MIME type get the API's 400. `text/x.enum` is accepted but answered as
 * plain text (the simulator has no enum mode).
 */
function responseFormat(generation: Record<string, unknown>): ValidGeminiRequest['json'] {
  const mimePath = 'generation_config.response_mime_type';
  const mime = text(field(generation, 'responseMimeType'), mimePath) ?? '';
  if (mime !== '' && !MIME_TYPES.includes(mime)) {
    throw semantic(
      mimePath,
      'allowed mimetypes are `text/plain`, `application/json`, `application/xml`, `application/yaml` and `text/x.enum`.',
    );
  }
  const openApiSchema = field(generation, 'responseSchema');
  const jsonSchema = field(generation, 'responseJsonSchema');
  if (openApiSchema !== undefined && !isRecord(openApiSchema))
    throw invalidValue('generation_config.response_schema', `${V1BETA}Schema`, openApiSchema);
  if (jsonSchema !== undefined && !isRecord(jsonSchema)) {
    throw semantic('generation_config.response_json_schema', 'response_json_schema must be a JSON Schema object.');
  }
  if (openApiSchema !== undefined && jsonSchema !== undefined) {
    throw semantic(
      'generation_config.response_json_schema',
      'response_schema and response_json_schema cannot both be set.',
    );
  }
  const schema = jsonSchema ?? openApiSchema;
  if (schema !== undefined && !SCHEMA_MIME_TYPES.includes(mime)) {
    const schemaPath =
      jsonSchema === undefined ? 'generation_config.response_schema' : 'generation_config.response_json_schema';
    throw semantic(
      schemaPath,
      'a compatible response_mime_type must also be set. Compatible MIME types: application/json.',
    );
  }
  if (mime !== 'application/json') return undefined;
  return schema === undefined ? {} : { schema };
}

/**
 * Validates a parsed JSON body; throws `GeminiValidationError` with the API's own 400.
 * @example validateGeminiRequest({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] }).contents.length // 1
 */
export function validateGeminiRequest(json: unknown): ValidGeminiRequest {
  if (!isRecord(json))
    throw new GeminiValidationError(
      invalidArgument('Invalid JSON payload received. Unknown name "": Root element must be a message.', null),
    );
  checkKnown(json, REQUEST_FIELDS, '');
  const contents = list(field(json, 'contents'), 'contents', `${V1BETA}Content`).map((item, index) =>
    content(item, `contents[${index}]`),
  );
  if (contents.length === 0) throw semantic('contents', 'contents is not specified');
  checkFunctionTurns(contents);

  const system = field(json, 'systemInstruction');
  const systemText =
    system === undefined
      ? ''
      : content(system, 'system_instruction', true)
          .parts.map((p) => (p.kind === 'text' ? p.text : ''))
          .join('');

  const tools = declarations(field(json, 'tools'));
  const toolConfig = field(json, 'toolConfig');
  let mode: FunctionCallingMode | undefined;
  let allowedFunctionNames: string[] = [];
  if (toolConfig !== undefined) {
    if (!isRecord(toolConfig)) throw invalidValue('tool_config', `${V1BETA}ToolConfig`, toolConfig);
    const calling = field(toolConfig, 'functionCallingConfig');
    if (calling !== undefined) {
      const at = 'tool_config.function_calling_config';
      if (!isRecord(calling)) throw invalidValue(at, `${V1BETA}FunctionCallingConfig`, calling);
      const rawMode = field(calling, 'mode');
      if (rawMode !== undefined && (typeof rawMode !== 'string' || !MODES.includes(rawMode))) {
        throw invalidValue(`${at}.mode`, `${V1BETA}FunctionCallingConfig.Mode`, rawMode);
      }
      mode = rawMode as FunctionCallingMode | undefined;
      allowedFunctionNames = list(
        field(calling, 'allowedFunctionNames'),
        `${at}.allowed_function_names`,
        'TYPE_STRING',
      ).map((name, i) => text(name, `${at}.allowed_function_names[${i}]`) ?? '');
      if (tools.length === 0) throw semantic(at, 'function calling config is set without function_declarations.');
      for (const name of allowedFunctionNames) {
        if (!tools.some((tool) => tool.name === name))
          throw semantic(`${at}.allowed_function_names`, `function name "${name}" is not declared in tools.`);
      }
    }
  }

  let maxOutputTokens: number | undefined;
  let jsonMode: ValidGeminiRequest['json'];
  const generation = field(json, 'generationConfig');
  if (generation !== undefined) {
    if (!isRecord(generation)) throw invalidValue('generation_config', `${V1BETA}GenerationConfig`, generation);
    maxOutputTokens = number(field(generation, 'maxOutputTokens'), 'generation_config.max_output_tokens', 'TYPE_INT32');
    if (maxOutputTokens !== undefined && maxOutputTokens < 0)
      throw semantic('generation_config.max_output_tokens', 'max_output_tokens must be positive.');
    number(field(generation, 'temperature'), 'generation_config.temperature', 'TYPE_FLOAT');
    number(field(generation, 'topP'), 'generation_config.top_p', 'TYPE_FLOAT');
    number(field(generation, 'topK'), 'generation_config.top_k', 'TYPE_INT32');
    const stops = list(field(generation, 'stopSequences'), 'generation_config.stop_sequences', 'TYPE_STRING');
    for (const [i, s] of stops.entries()) text(s, `generation_config.stop_sequences[${i}]`);
    jsonMode = responseFormat(generation);
  }
  return {
    contents,
    systemText,
    tools,
    mode,
    allowedFunctionNames,
    maxOutputTokens: maxOutputTokens === 0 ? undefined : maxOutputTokens,
    json: jsonMode,
  };
}
