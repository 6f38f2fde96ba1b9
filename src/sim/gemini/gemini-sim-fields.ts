import type { SimHttpReply } from '../sim-protocol.js';
import { invalidArgument } from './gemini-sim-errors.js';

/**
 * Reading proto JSON as the Gemini API does: fields by camelCase or snake_case name (`null` is unset), typed values,
 * unknown names refused, and the API's own wording for each failure.
 */

/** Thrown with the exact 400 the API would send. */
export class GeminiValidationError extends Error {
  constructor(readonly reply: SimHttpReply) {
    super('invalid Gemini request');
  }
}

/** A semantic error, as the API words them. */
export function semantic(path: string, message: string): GeminiValidationError {
  return new GeminiValidationError(invalidArgument(`* GenerateContentRequest.${path}: ${message}\n`));
}

export function plain(message: string): GeminiValidationError {
  return new GeminiValidationError(invalidArgument(message));
}

export function invalidValue(path: string, type: string, value: unknown): GeminiValidationError {
  return new GeminiValidationError(
    invalidArgument(`Invalid value at '${path}' (${type}), ${JSON.stringify(value) ?? 'undefined'}`, path),
  );
}

export function unknownName(name: string, path: string): GeminiValidationError {
  const where = path === '' ? '' : ` at '${path}'`;
  return new GeminiValidationError(
    invalidArgument(
      `Invalid JSON payload received. Unknown name "${name}"${where}: Cannot find field.`,
      path === '' ? null : path,
    ),
  );
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export function camel(name: string): string {
  return name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** A field by its camelCase name or its snake_case name; `null` counts as absent. */
export function field(object: Record<string, unknown>, name: string): unknown {
  const value = object[name] ?? object[snake(name)];
  return value === null ? undefined : value;
}

export function checkKnown(object: Record<string, unknown>, known: ReadonlySet<string>, path: string): void {
  for (const key of Object.keys(object)) if (!known.has(camel(key))) throw unknownName(key, path);
}

export function join(path: string, name: string): string {
  return path === '' ? snake(name) : `${path}.${snake(name)}`;
}

export function list(value: unknown, path: string, type: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalidValue(path, type, value);
  return value;
}

export function text(value: unknown, path: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidValue(path, 'TYPE_STRING', value);
  return value;
}

export function number(value: unknown, path: string, type: 'TYPE_INT32' | 'TYPE_FLOAT'): number | undefined {
  if (value === undefined) return undefined;
  const parsed = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof parsed !== 'number' || !Number.isFinite(parsed) || (type === 'TYPE_INT32' && !Number.isInteger(parsed))) {
    throw invalidValue(path, type, value);
  }
  return parsed;
}
