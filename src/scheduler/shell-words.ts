/** Shell quoting for crontab lines, and the reverse for reading them back. */

const PLAIN = /^[A-Za-z0-9_/.,:=@+%-]+$/;

/**
 * Quotes one argument for a POSIX shell: bare when it is plain, else in single quotes.
 * @example quoteArg("it's") // `'it'\''s'`
 */
export function quoteArg(arg: string): string {
  if (arg !== '' && PLAIN.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * Quotes an argv as one shell command line.
 * @example quoteArgv(['/path/to/job', '--name', 'a b']) // "/path/to/job --name 'a b'"
 */
export function quoteArgv(argv: readonly string[]): string {
  return argv.map(quoteArg).join(' ');
}

const META = new Set(['|', '&', ';', '<', '>', '(', ')', '$', '`', '*', '?', '[', ']', '\n']);

/**
 * Splits a command line into argv the way a POSIX shell would for simple commands (quotes and backslashes);
 * undefined when it needs a shell (pipes, redirections, variables, globs, comments).
 * @example shellSplit(`/bin/job --msg 'a b'`) // ['/bin/job', '--msg', 'a b']
 */
export function shellSplit(line: string): string[] | undefined {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '$' || c === '`') return undefined;
      else if (c === '\\' && i + 1 < line.length && '$`"\\'.includes(line[i + 1] as string)) word += line[++i];
      else word += c;
    } else if (c === ' ' || c === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 >= line.length) return undefined;
      word += line[++i];
      inWord = true;
    } else if (META.has(c) || (c === '#' && !inWord)) {
      return undefined;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote !== undefined) return undefined;
  if (inWord) words.push(word);
  return words;
}
