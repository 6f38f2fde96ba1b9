import { parseSync, type ParserOptions } from 'oxc-parser';
import { aiHostIn } from './ai-clients.js';
import { ignoreComments, LineIndex } from './ignore-comments.js';

/**
 * One file's outgoing dependencies as the audit sees them, from oxc-parser's AST: static imports and
 * re-exports that carry values (type-only ones are erased at build time), `import()` and `require()` with a
 * literal specifier, and string literals naming a provider's API host.
 */

/** Where a dependency is written, and the ignore comment exempting it (if any). */
interface Site {
  /** 1-based line of the statement or call. */
  line: number;
  /** The reason from a `failsoft-audit-ignore: reason` comment on or above it. */
  ignored?: string;
}

/** An import, re-export, `import()` or `require()` of `specifier`. */
export interface ImportSite extends Site {
  specifier: string;
  /** Which package.json conditions apply when resolving it. */
  kind: 'import' | 'require';
}

/** A string literal containing a provider's API host. */
export interface HostSite extends Site {
  host: string;
}

/** Something the scan could not follow, with its line. */
export interface ScanProblem {
  line: number;
  message: string;
}

export interface ModuleScan {
  imports: ImportSite[];
  hosts: HostSite[];
  problems: ScanProblem[];
}

function parserOptions(path: string): ParserOptions {
  if (path.endsWith('.cjs') || path.endsWith('.cts')) return { sourceType: 'commonjs' };
  if (path.endsWith('.js') || path.endsWith('.jsx')) return { sourceType: 'unambiguous' };
  return {};
}

/** The value of a specifier's source text when it is a plain string (or template) literal; else undefined. */
function plainLiteral(source: string): string | undefined {
  const quote = source[0];
  if (quote !== "'" && quote !== '"' && quote !== '`') return undefined;
  if (source.length < 2 || !source.endsWith(quote) || source.includes('\\') || (quote === '`' && source.includes('${')))
    return undefined;
  return source.slice(1, -1);
}

/**
 * Whether `text` has `require` followed by `(` (blanks between allowed): a cheap pre-check deciding whether
 * the AST is needed at all; the AST then says which are real calls. "required" in prose does not count.
 */
function mayCallRequire(text: string): boolean {
  for (let at = text.indexOf('require'); at !== -1; at = text.indexOf('require', at + 7)) {
    let next = at + 7;
    while (next < text.length && /\s/.test(text[next] as string)) next++;
    if (text[next] === '(') return true;
  }
  return false;
}

/** The value of a string literal node, or of a template literal without substitutions; else undefined. */
function literalValue(node: AstNode): string | undefined {
  if (node.type === 'Literal') return typeof node.value === 'string' ? node.value : undefined;
  if (
    node.type !== 'TemplateLiteral' ||
    !Array.isArray(node.expressions) ||
    node.expressions.length > 0 ||
    !Array.isArray(node.quasis)
  )
    return undefined;
  const quasi: unknown = node.quasis[0];
  const cooked = isNode(quasi) && isNode(quasi.value) ? quasi.value.cooked : undefined;
  return typeof cooked === 'string' ? cooked : undefined;
}

/** The parts of AST nodes the walk reads (the AST is plain objects; `type` says which node). */
interface AstNode {
  type?: unknown;
  start: number;
  end: number;
  [key: string]: unknown;
}

const isNode = (value: unknown): value is AstNode =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Every node below `root`, skipping the `parent` back-links. A plain walk: oxc-parser's Visitor
 * costs four times as much per file, and the audit only needs a few node types.
 */
function walk(root: unknown, visit: (node: AstNode) => void): void {
  // An explicit stack: generated code nests deeper than the call stack allows. Visiting order does not matter
  // (what is found is sorted by offset afterwards).
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      for (const item of value) stack.push(item);
      continue;
    }
    if (!isNode(value)) continue;
    visit(value);
    for (const key in value) {
      if (key === 'parent') continue;
      const child = value[key];
      if (typeof child === 'object' && child !== null) stack.push(child);
    }
  }
}

/**
 * Scans `text` (the content of `path`; its extension picks JS or TS). `allowHosts`: hosts not to report.
 * @example scanModule('a.ts', "import OpenAI from 'openai';").imports // [{ specifier: 'openai', kind: 'import', line: 1 }]
 */
export function scanModule(path: string, text: string, allowHosts: readonly string[] = []): ModuleScan {
  const result = parseSync(path, text, parserOptions(path));
  const lines = new LineIndex(text);
  const ignores = ignoreComments(result.comments, lines);
  // With their offsets, to list them in source order (static, dynamic and require() are found apart).
  const found: { at: number; site: ImportSite }[] = [];
  const hostsFound: { at: number; site: HostSite }[] = [];
  const problems: ScanProblem[] = ignores.missingReasons.map((line) => ({
    line,
    message: 'failsoft-audit-ignore without a reason exempts nothing: write "failsoft-audit-ignore: why"',
  }));
  const site = (start: number, end: number): Site => {
    const line = lines.lineOf(start);
    const ignored = ignores.reasonFor(line, lines.lineOf(end));
    return ignored === undefined ? { line } : { line, ignored };
  };
  const addImport = (specifier: string, kind: ImportSite['kind'], start: number, specifierStart: number): void => {
    found.push({ at: start, site: { specifier, kind, ...site(start, specifierStart) } });
  };

  const requireCall = (node: AstNode): void => {
    const callee = node.callee;
    const args = node.arguments;
    if (
      !isNode(callee) ||
      callee.type !== 'Identifier' ||
      callee.name !== 'require' ||
      !Array.isArray(args) ||
      args.length !== 1
    )
      return;
    const argument: unknown = args[0];
    const specifier = isNode(argument) ? literalValue(argument) : undefined;
    if (specifier !== undefined && isNode(argument)) addImport(specifier, 'require', node.start, argument.start);
    else problems.push({ line: lines.lineOf(node.start), message: 'require() of a computed specifier: not followed' });
  };
  for (const error of result.errors) {
    const at = error.labels[0]?.start;
    problems.push({
      line: at === undefined ? 1 : lines.lineOf(at),
      message: `cannot parse: ${error.message} (only the static imports before it were followed)`,
    });
  }
  for (const statement of result.module.staticImports) {
    // `import type { A }` and `import { type A, type B }` are erased; `import 'x'` (no entries) runs x.
    if (statement.entries.length > 0 && statement.entries.every((entry) => entry.isType)) continue;
    if (statement.moduleRequest.value === '') continue; // what the parser recovered from a broken statement
    addImport(statement.moduleRequest.value, 'import', statement.start, statement.moduleRequest.start);
  }
  for (const statement of result.module.staticExports) {
    const sources = new Map<string, { start: number; valueCarried: boolean }>();
    for (const entry of statement.entries) {
      if (entry.moduleRequest === null) continue;
      const known = sources.get(entry.moduleRequest.value);
      sources.set(entry.moduleRequest.value, {
        start: entry.moduleRequest.start,
        valueCarried: (known?.valueCarried ?? false) || !entry.isType,
      });
    }
    for (const [specifier, source] of sources)
      if (source.valueCarried) addImport(specifier, 'import', statement.start, source.start);
  }

  for (const call of result.module.dynamicImports) {
    const specifier = plainLiteral(text.slice(call.moduleRequest.start, call.moduleRequest.end));
    if (specifier !== undefined) addImport(specifier, 'import', call.start, call.moduleRequest.start);
    else problems.push({ line: lines.lineOf(call.start), message: 'import() of a computed specifier: not followed' });
  }

  // The AST (costly to build in JS) only when it can hold a require() or a provider host.
  const done = (): ModuleScan => ({
    imports: found.sort((a, b) => a.at - b.at).map((entry) => entry.site),
    hosts: hostsFound.sort((a, b) => a.at - b.at).map((entry) => entry.site),
    problems,
  });
  if (!mayCallRequire(text) && aiHostIn(text, allowHosts) === undefined) return done();
  const checkHost = (value: unknown, node: AstNode): void => {
    const host = typeof value === 'string' ? aiHostIn(value, allowHosts) : undefined;
    if (host !== undefined) hostsFound.push({ at: node.start, site: { host, ...site(node.start, node.end) } });
  };
  walk(result.program, (node) => {
    if (node.type === 'Literal') checkHost(node.value, node);
    else if (node.type === 'TemplateElement' && isNode(node.value))
      checkHost(node.value.cooked ?? node.value.raw, node);
    else if (node.type === 'CallExpression') requireCall(node);
    else if (
      node.type === 'TSImportEqualsDeclaration' &&
      node.importKind === 'value' &&
      isNode(node.moduleReference) &&
      node.moduleReference.type === 'TSExternalModuleReference'
    ) {
      const source = node.moduleReference.expression;
      if (isNode(source) && typeof source.value === 'string')
        addImport(source.value, 'require', node.start, source.start);
    }
  });
  return done();
}
