/**
 * Builds the simulator's deterministic value for a schema: tool-call input and JSON-mode answers.
 * Accepts JSON Schema (OpenAI `parameters` / `json_schema.schema`, Anthropic `input_schema`, Gemini
 * `parametersJsonSchema` / `responseJsonSchema`) and Gemini's OpenAPI-style `Schema` (`responseSchema`,
 * `parameters`, whose types are upper-case: `OBJECT`, `STRING`). The value is simple but valid for the
 * common keywords: strings from the prompt, numbers 1 (moved into `minimum`/`maximum`), booleans true,
 * `const`/`enum` their first value, objects filled recursively, arrays one item (or `minItems`),
 * `anyOf`/`oneOf` their first non-null branch, `allOf` merged, local `$ref`s followed.
 */

const PROMPT_VALUE_CHARS = 64;
/** Nesting beyond this (recursive `$ref`s) ends in empty objects and arrays. */
const MAX_DEPTH = 12;
/** Arrays never get more items than this, whatever `minItems` says. */
const MAX_ARRAY_ITEMS = 8;

type Schema = Record<string, unknown>;

interface Context {
  /** The whole schema, for `#/…` references. */
  root: Schema;
  /** The string every string-typed value gets. */
  text: string;
}

/**
 * A value for any schema (object, array or scalar at the root).
 * @example valueFromSchema({ type: 'OBJECT', properties: { n: { type: 'INTEGER' } } }, 'hi') // { n: 1 }
 */
export function valueFromSchema(schema: unknown, prompt: string): unknown {
  const root = isRecord(schema) ? schema : {};
  return valueFor(root, { root, text: promptValue(prompt) }, 0);
}

/**
 * An object for a schema that describes one (tool input): its required properties, or all of them
 * when none is required, each filled recursively.
 * @example objectFromSchema({ properties: { q: { type: 'string' } } }, ' hi ') // { q: 'hi' }
 */
export function objectFromSchema(schema: unknown, prompt: string): Record<string, unknown> {
  const root = isRecord(schema) ? schema : {};
  const context = { root, text: promptValue(prompt) };
  return objectFor(normalize(root, context, 0), context, 0);
}

function valueFor(raw: unknown, context: Context, depth: number): unknown {
  const schema = normalize(raw, context, depth);
  if ('const' in schema) return schema['const'];
  const choices = schema['enum'];
  if (Array.isArray(choices) && choices.length > 0) return choices[0];
  switch (typeOf(schema)) {
    case 'integer':
      return numberFor(schema, true);
    case 'number':
      return numberFor(schema, false);
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array':
      return arrayFor(schema, context, depth);
    case 'object':
      return objectFor(schema, context, depth);
    default:
      return context.text;
  }
}

/** Follows `$ref`, picks the first usable `anyOf`/`oneOf` branch and merges `allOf` into one schema. */
function normalize(raw: unknown, context: Context, depth: number): Schema {
  let schema = isRecord(raw) ? raw : {};
  for (let hops = 0; hops < MAX_DEPTH && typeof schema['$ref'] === 'string'; hops++) {
    const { $ref: ref, ...rest } = schema;
    schema = { ...resolveRef(String(ref), context.root), ...rest };
  }
  const branches = schema['anyOf'] ?? schema['oneOf'];
  if (Array.isArray(branches) && depth < MAX_DEPTH) {
    const usable = branches.filter(isRecord);
    const branch = usable.find((b) => typeOf(b) !== 'null') ?? usable[0];
    if (branch !== undefined) {
      const { anyOf: _anyOf, oneOf: _oneOf, ...rest } = schema;
      schema = { ...rest, ...normalize(branch, context, depth + 1) };
    }
  }
  const parts = schema['allOf'];
  if (Array.isArray(parts) && depth < MAX_DEPTH) {
    const { allOf: _allOf, ...rest } = schema;
    schema = parts
      .filter(isRecord)
      .reduce<Schema>((merged, part) => mergeSchemas(merged, normalize(part, context, depth + 1)), rest);
  }
  return schema;
}

function mergeSchemas(first: Schema, second: Schema): Schema {
  const merged: Schema = { ...first, ...second };
  const properties = { ...recordOf(first['properties']), ...recordOf(second['properties']) };
  if (Object.keys(properties).length > 0) merged['properties'] = properties;
  const required = [...stringsOf(first['required']), ...stringsOf(second['required'])];
  if (required.length > 0) merged['required'] = [...new Set(required)];
  return merged;
}

/** A local JSON pointer (`#`, `#/$defs/Item`); anything else resolves to the empty schema. */
function resolveRef(ref: string, root: Schema): Schema {
  if (!ref.startsWith('#')) return {};
  let node: unknown = root;
  for (const token of ref.slice(1).split('/').slice(1)) {
    const key = decodeURIComponent(token).replace(/~1/g, '/').replace(/~0/g, '~');
    node = isRecord(node) ? node[key] : Array.isArray(node) ? node[Number(key)] : undefined;
  }
  return isRecord(node) ? node : {};
}

/** The schema's type in lower case (Gemini writes `OBJECT`); the first non-null one of a list; inferred when absent. */
function typeOf(schema: Schema): string | undefined {
  const raw = schema['type'];
  const names = (Array.isArray(raw) ? raw : [raw])
    .filter((t): t is string => typeof t === 'string')
    .map((t) => t.toLowerCase());
  const type = names.find((t) => t !== 'null') ?? names[0];
  if (type !== undefined && type !== 'type_unspecified') return type;
  if (isRecord(schema['properties'])) return 'object';
  if (schema['items'] !== undefined || schema['prefixItems'] !== undefined) return 'array';
  return undefined;
}

function numberFor(schema: Schema, integer: boolean): number {
  let value = 1;
  const minimum = numeric(schema['minimum']);
  const exclusiveMinimum = numeric(schema['exclusiveMinimum']);
  const maximum = numeric(schema['maximum']);
  const exclusiveMaximum = numeric(schema['exclusiveMaximum']);
  if (minimum !== undefined && value < minimum) value = minimum;
  if (exclusiveMinimum !== undefined && value <= exclusiveMinimum) value = exclusiveMinimum + 1;
  if (maximum !== undefined && value > maximum) value = maximum;
  if (exclusiveMaximum !== undefined && value >= exclusiveMaximum) value = exclusiveMaximum - 1;
  return integer ? Math.ceil(value) : value;
}

function arrayFor(schema: Schema, context: Context, depth: number): unknown[] {
  if (depth >= MAX_DEPTH) return [];
  const prefix = schema['prefixItems'];
  if (Array.isArray(prefix)) return prefix.map((item) => valueFor(item, context, depth + 1));
  const items = schema['items'];
  if (!isRecord(items)) return [];
  const minItems = numeric(schema['minItems']) ?? 1;
  const maxItems = numeric(schema['maxItems']) ?? MAX_ARRAY_ITEMS;
  const count = Math.max(0, Math.min(Math.max(1, minItems), maxItems, MAX_ARRAY_ITEMS));
  return Array.from({ length: count }, () => valueFor(items, context, depth + 1));
}

function objectFor(schema: Schema, context: Context, depth: number): Record<string, unknown> {
  if (depth >= MAX_DEPTH) return {};
  const properties = recordOf(schema['properties']);
  const required = stringsOf(schema['required']);
  const names = required.length > 0 ? required : Object.keys(properties);
  const ordering = stringsOf(schema['propertyOrdering']);
  if (ordering.length > 0) names.sort((a, b) => rank(ordering, a) - rank(ordering, b));
  const value: Record<string, unknown> = {};
  for (const name of names) value[name] = valueFor(properties[name], context, depth + 1);
  return value;
}

/** Position in Gemini's `propertyOrdering`; unlisted names keep their order after the listed ones. */
function rank(ordering: readonly string[], name: string): number {
  const index = ordering.indexOf(name);
  return index === -1 ? ordering.length : index;
}

function promptValue(prompt: string): string {
  const value = prompt.trim().slice(0, PROMPT_VALUE_CHARS).trim();
  return value.length > 0 ? value : 'example';
}

/** A number, or a numeric string (Gemini's `Schema` sends int64 fields such as `minItems` as strings). */
function numeric(value: unknown): number | undefined {
  const parsed = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof parsed === 'number' && Number.isFinite(parsed) ? parsed : undefined;
}

function recordOf(value: unknown): Schema {
  return isRecord(value) ? value : {};
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function isRecord(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
