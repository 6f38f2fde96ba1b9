import type { z } from 'zod';

/**
 * A fault or limits document that failed validation. The message names the path of the first bad
 * field, e.g. `faults.openai[1].rate: must be ≤ 1`, so a person can find it in their file.
 */
export class SimDocumentError extends Error {
  override readonly name = 'SimDocumentError';

  constructor(
    /** Where the bad field is, e.g. `faults.openai[1].rate`. */
    readonly path: string,
    /** What is wrong with it, e.g. `must be ≤ 1`. */
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

/** Renders a document path as `root.key[0].field`. */
export function formatDocumentPath(root: string, path: readonly PropertyKey[]): string {
  let text = root;
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += `.${String(segment)}`;
  }
  return text;
}

/** Turns the first zod issue into a `SimDocumentError` with a short, human reason. */
export function documentErrorFromZod(root: string, error: z.ZodError): SimDocumentError {
  const issue = error.issues[0];
  if (!issue) return new SimDocumentError(root, 'is invalid');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '?';
    return new SimDocumentError(formatDocumentPath(root, [...issue.path, key]), 'unknown key');
  }
  return new SimDocumentError(formatDocumentPath(root, issue.path), issueReason(issue));
}

function issueReason(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      if (issue.expected === 'int') return 'must be an integer';
      if (issue.expected === 'record') return 'must be an object';
      return `must be ${issue.expected === 'array' ? 'an array' : `a ${issue.expected}`}`;
    case 'too_big':
      return `must be ${issue.inclusive ? '≤' : '<'} ${String(issue.maximum)}`;
    case 'too_small':
      return `must be ${issue.inclusive ? '≥' : '>'} ${String(issue.minimum)}`;
    case 'invalid_value':
      if (issue.input === undefined) return 'is required';
      return `must be one of ${issue.values.map(String).join(', ')}`;
    default:
      return issue.message;
  }
}
