import type { ZodError } from 'zod';
import type { ConfigIssue } from './errors.js';

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

function flatten(issue: LooseIssue, prefix: IssuePath, out: ConfigIssue[], root: string): void {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors && issue.errors.length > 0) {
    const branch = bestBranch(issue.errors);
    const allRootTypeErrors = issue.errors.every((b) => b.some((i) => i.code === 'invalid_type' && i.path.length === 0));
    if (!allRootTypeErrors) {
      for (const inner of branch) flatten(inner, path, out, root);
      return;
    }
  }
  if (issue.code === 'unrecognized_keys' && issue.keys) {
    for (const key of issue.keys) out.push({ path: formatPath([...path, key], root), message: 'unknown key' });
    return;
  }
  out.push({ path: formatPath(path, root), message: issue.message });
}

/**
 * Turns a zod error into issues that name the path of each bad key and why.
 * @example zodIssues(schema.safeParse(doc).error, 'faults')
 */
export function zodIssues(error: ZodError, root = ''): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of error.issues as unknown as readonly LooseIssue[]) flatten(issue, [], out, root);
  return out;
}
