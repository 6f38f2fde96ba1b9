/**
 * Globs for the audit's file lists (`src/api/**\/*.ts`, `!**\/*.test.ts`): Node 20 has no `fs.glob`, and the
 * audit needs only the common syntax: `**`, `*`, `?`, `{a,b}`, `[abc]`.
 */

const MAGIC = /[*?[{]/;

/** Whether `pattern` has glob syntax (else it names one path). */
export function isGlob(pattern: string): boolean {
  return MAGIC.test(pattern);
}

/** The pattern without a leading `./` and with `/` separators, as matched against root-relative paths. */
export function normalizePattern(pattern: string): string {
  let out = pattern.replaceAll('\\', '/');
  while (out.startsWith('./')) out = out.slice(2);
  return out;
}

/**
 * A regular expression matching the root-relative, `/`-separated paths `pattern` selects. Throws on an
 * unbalanced `{` or `[`, with the pattern in the message.
 * @example globToRegExp('src/**\/*.ts').test('src/api/login.ts') // true
 */
export function globToRegExp(pattern: string): RegExp {
  const glob = normalizePattern(pattern);
  let out = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] as string;
    if (ch === '*') {
      if (glob[i + 1] === '*') {
        const atStart = i === 0 || glob[i - 1] === '/';
        const next = glob[i + 2];
        if (atStart && next === '/') {
          out += '(?:[^/]*/)*';
          i += 2;
        } else if (atStart && next === undefined) {
          out += '.*';
          i += 1;
        } else {
          out += '[^/]*';
          i += 1;
        }
      } else out += '[^/]*';
    } else if (ch === '?') out += '[^/]';
    else if (ch === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close === -1) throw new Error(`glob "${pattern}": "[" without "]"`);
      const body = glob
        .slice(i + 1, close)
        .replace(/^!/, '^')
        .replaceAll('\\', '\\\\');
      out += `[${body}]`;
      i = close;
    } else if (ch === '{') {
      braces++;
      out += '(?:';
    } else if (ch === '}' && braces > 0) {
      braces--;
      out += ')';
    } else if (ch === ',' && braces > 0) out += '|';
    else out += ch.replace(/[.+^$()|\\\]{}]/g, '\\$&');
  }
  if (braces > 0) throw new Error(`glob "${pattern}": "{" without "}"`);
  return new RegExp(`^${out}$`);
}

/**
 * The directory part of `pattern` before its first glob segment: where a walk for it starts.
 * @example globBase('src/api/**\/*.ts') // 'src/api'
 */
export function globBase(pattern: string): string {
  const segments = normalizePattern(pattern).split('/');
  const firstMagic = segments.findIndex((segment) => isGlob(segment));
  return segments.slice(0, firstMagic === -1 ? segments.length - 1 : firstMagic).join('/');
}
