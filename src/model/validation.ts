import type { ZodError } from 'zod';
import type { ConfigIssue } from './errors.js';
import { closestName } from './suggest.js';

type IssuePath = readonly PropertyKey[];

interface LooseIssue {
  code: string;
  path: IssuePath;
  message: string;
  keys?: readonly string[];
  errors?: readonly (readonly LooseIssue[])[];
}

/**
 * Renders a path the way users write it: `features.summary.route[1]`.
 * @example formatPath(['features', 'summary', 'route', 1]) // 'features.summary.route[1]'
 */
export function formatPath(path: IssuePath, root = ''): string {
  let out = root;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

/** For a union, the branch that got furthest: the one whose errors are not a type mismatch at its root. */
function bestBranch(branches: readonly (readonly LooseIssue[])[]): readonly LooseIssue[] {
  const deeper = branches.find((issues) => issues.every((i) => !(i.code === 'invalid_type' && i.path.length === 0)));
  return deeper ?? branches[0] ?? [];
}

/** The part of a zod schema's definition this file walks (zod 4 exposes it as `schema.def`). */
interface LooseDef {
  type?: string;
  shape?: Record<string, unknown>;
  innerType?: unknown;
  valueType?: unknown;
  element?: unknown;
  options?: readonly unknown[];
  in?: unknown;
}

function defOf(schema: unknown): LooseDef | undefined {
  const def = typeof schema === 'object' && schema !== null ? (schema as { def?: unknown }).def : undefined;
  return typeof def === 'object' && def !== null ? (def as LooseDef) : undefined;
}

/**
 * The keys an object schema allows at `path` (through optional, default, record, array, union and pipe), so
 * that an unknown key can be answered with the known one it was probably meant to be.
 */
function keysAt(schema: unknown, path: IssuePath): string[] {
  const def = defOf(schema);
  if (def === undefined) return [];
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
      return keysAt(def.innerType, path);
    case 'pipe':
      return keysAt(def.in, path);
    case 'union':
      return [...new Set((def.options ?? []).flatMap((option) => keysAt(option, path)))];
    case 'object': {
      if (path.length === 0) return Object.keys(def.shape ?? {});
      const [head, ...rest] = path;
      return keysAt(def.shape?.[String(head)], rest);
    }
    case 'record':
      return path.length === 0 ? [] : keysAt(def.valueType, path.slice(1));
    case 'array':
      return path.length === 0 ? [] : keysAt(def.element, path.slice(1));
    default:
      return [];
  }
}

function flatten(issue: LooseIssue, prefix: IssuePath, out: ConfigIssue[], root: string, schema: unknown): void {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors && issue.errors.length > 0) {
    const branch = bestBranch(issue.errors);
    const allRootTypeErrors = issue.errors.every((b) =>
      b.some((i) => i.code === 'invalid_type' && i.path.length === 0),
    );
    if (!allRootTypeErrors) {
      for (const inner of branch) flatten(inner, path, out, root, schema);
      return;
    }
  }
  if (issue.code === 'unrecognized_keys' && issue.keys) {
    const known = schema === undefined ? [] : keysAt(schema, path);
    for (const key of issue.keys) {
      const meant = closestName(key, known);
      out.push({
        path: formatPath([...path, key], root),
        message: meant === undefined ? 'unknown key' : `unknown key (did you mean "${meant}"?)`,
      });
    }
    return;
  }
  out.push({ path: formatPath(path, root), message: issue.message });
}

/**
 * Turns a zod error into issues that name the path of each bad key and why; given the schema, an unknown key
 * also says which known key it was probably meant to be (`unknown key (did you mean "fallback"?)`).
 * @example zodIssues(schema.safeParse(doc).error, 'faults', schema)
 */
export function zodIssues(error: ZodError, root = '', schema?: unknown): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of error.issues as unknown as readonly LooseIssue[]) flatten(issue, [], out, root, schema);
  return out;
}
