import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ResolverFactory, type NapiResolveOptions } from 'oxc-resolver';
import { isAiPackage, packageNameOf } from './ai-clients.js';
import { scanModule, type ImportSite } from './module-scan.js';
import { isSourceFile, relativePath } from './source-files.js';

/**
 * The project's module graph, built on demand from the files the audit reaches: each file's edges lead to
 * another project file (followed), or to an AI client (a violation when reached). Packages in node_modules are
 * leaves, so the walk never enters them; a workspace package linked there is followed at its real path.
 */

/** Where an edge goes: a project file to walk into, or an AI client (package, or a host written literally). */
export type Edge = { type: 'file'; path: string } | { type: 'client'; client: string; kind: 'import' | 'host' };

/** An import or host exempted by a `failsoft-audit-ignore` comment. */
export interface IgnoredSite {
  /** Root-relative path. */
  file: string;
  line: number;
  /** The specifier (or host) that was not followed. */
  specifier: string;
  reason: string;
}

/** Something the audit could not follow: an unparsable file, an unresolvable relative import. */
export interface AuditWarning {
  file: string;
  line: number;
  message: string;
}

export interface FileNode {
  /** Edges in source order, one per target. */
  edges: Edge[];
  ignored: IgnoredSite[];
}

export interface GraphOptions {
  /** Project root: tsconfig.json is taken from here; paths are reported relative to it. */
  root: string;
  /** Root-relative globs of files not to walk into (generated code, tests), as regular expressions. */
  ignore: readonly RegExp[];
  /** Client names (packages, `@scope/*`, hosts) not to report. */
  allow: readonly string[];
}

/**
 * The project cannot be resolved at all (its tsconfig.json is malformed or extends one that is missing): bad
 * input, not a list of warnings that would let the audit pass.
 */
export class AuditSetupError extends Error {
  override readonly name = 'AuditSetupError';
}

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.json', '.node'];

/** The package owning a path inside node_modules (`/app/node_modules/.pnpm/x/node_modules/@a/b/y.js` → `@a/b`). */
function installedPackageOf(path: string): string | undefined {
  const normalized = path.replaceAll('\\', '/');
  const at = normalized.lastIndexOf('/node_modules/');
  if (at === -1) return undefined;
  return packageNameOf(normalized.slice(at + '/node_modules/'.length));
}

export class ModuleGraph {
  private readonly nodes = new Map<string, FileNode>();
  private readonly esm: ResolverFactory;
  private readonly cjs: ResolverFactory;
  /** What could not be followed, in the order met. */
  readonly warnings: AuditWarning[] = [];

  constructor(private readonly options: GraphOptions) {
    const tsconfig = join(options.root, 'tsconfig.json');
    const base: NapiResolveOptions = {
      // A tsconfig.json at the root gives `paths` (and its references); elsewhere each file finds its own.
      tsconfig: existsSync(tsconfig) ? { configFile: tsconfig, references: 'auto' } : 'auto',
      builtinModules: true,
      extensions: EXTENSIONS,
      // TypeScript's NodeNext convention: `./x.js` in source names `./x.ts`.
      extensionAlias: {
        '.js': ['.ts', '.tsx', '.js', '.jsx'],
        '.jsx': ['.tsx', '.jsx'],
        '.mjs': ['.mts', '.mjs'],
        '.cjs': ['.cts', '.cjs'],
      },
      mainFields: ['module', 'main'],
    };
    this.esm = new ResolverFactory({ ...base, conditionNames: ['node', 'import'] });
    this.cjs = this.esm.cloneWithOptions({ ...base, conditionNames: ['node', 'require'] });
  }

  /** Project files read so far. */
  get files(): number {
    return this.nodes.size;
  }

  /** The node of `path` (absolute), read, parsed and resolved the first time it is asked for. */
  node(path: string): FileNode {
    let node = this.nodes.get(path);
    if (node === undefined) {
      node = this.build(path);
      this.nodes.set(path, node);
    }
    return node;
  }

  private build(path: string): FileNode {
    const file = relativePath(this.options.root, path);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      this.warnings.push({
        file,
        line: 1,
        message: `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      });
      return { edges: [], ignored: [] };
    }
    const scan = scanModule(path, text, this.options.allow);
    for (const problem of scan.problems) this.warnings.push({ file, ...problem });
    const edges: Edge[] = [];
    const seen = new Set<string>();
    const ignored: IgnoredSite[] = [];
    const add = (edge: Edge): void => {
      const key = edge.type === 'file' ? `f:${edge.path}` : `c:${edge.client}`;
      if (!seen.has(key)) {
        seen.add(key);
        edges.push(edge);
      }
    };
    for (const site of scan.imports) {
      if (site.ignored !== undefined)
        ignored.push({ file, line: site.line, specifier: site.specifier, reason: site.ignored });
      else {
        const edge = this.resolve(path, file, site);
        if (edge !== undefined) add(edge);
      }
    }
    for (const site of scan.hosts) {
      if (site.ignored !== undefined)
        ignored.push({ file, line: site.line, specifier: site.host, reason: site.ignored });
      else add({ type: 'client', client: site.host, kind: 'host' });
    }
    return { edges, ignored };
  }

  /** Where one import leads, or undefined for a harmless leaf (builtin, other package, JSON, ignored file). */
  private resolve(from: string, file: string, site: ImportSite): Edge | undefined {
    const result = (site.kind === 'require' ? this.cjs : this.esm).resolveFileSync(from, site.specifier);
    if (result.builtin !== undefined || site.specifier.startsWith('node:')) return undefined;
    const named = packageNameOf(site.specifier);
    if (result.path === undefined && result.error !== undefined && /tsconfig/i.test(result.error)) {
      throw new AuditSetupError(`cannot resolve imports of ${file}: ${result.error}`);
    }
    if (result.path === undefined) {
      // A package that is not installed is still judged by its name.
      if (named !== undefined) return this.clientEdge(named, site.specifier);
      this.warnings.push({
        file,
        line: site.line,
        message: `cannot resolve "${site.specifier}": not followed (${result.error ?? 'no such file'})`,
      });
      return undefined;
    }
    const installed = installedPackageOf(result.path);
    if (installed !== undefined) return this.clientEdge(installed, named === installed ? site.specifier : installed);
    if (!isSourceFile(result.path)) return undefined;
    const relative = relativePath(this.options.root, result.path);
    if (this.options.ignore.some((regex) => regex.test(relative))) return undefined;
    return { type: 'file', path: result.path };
  }

  private clientEdge(name: string, specifier: string): Edge | undefined {
    return isAiPackage(name, specifier, this.options.allow)
      ? { type: 'client', client: name, kind: 'import' }
      : undefined;
  }
}
