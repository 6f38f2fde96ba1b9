import { performance } from 'node:perf_hooks';
import { ModuleGraph, type AuditWarning, type IgnoredSite } from './module-graph.js';
import { relativePath } from './source-files.js';
import { globToRegExp } from './glob.js';

/**
 * The audit: from each critical (tier-1) file, a breadth-first walk of the module graph; every AI client it
 * reaches is a violation, reported with the shortest import chain that reaches it.
 */

export interface AuditOptions {
  /** Project root (absolute): resolution starts from its tsconfig.json; paths are reported relative to it. */
  root: string;
  /** The critical entry points (absolute paths). */
  critical: readonly string[];
  /** Root-relative globs of files never walked into. */
  ignore?: readonly string[];
  /** Client names not reported (packages, `@scope/*`, hosts). */
  allow?: readonly string[];
}

/** A critical file reaching an AI client: `chain` runs from the critical file to the client, paths root-relative. */
export interface Violation {
  chain: string[];
  client: string;
  /** `import`: a package; `host`: a provider's API host written literally in the chain's last file. */
  kind: 'import' | 'host';
}

export interface AuditResult {
  /** The critical files (root-relative). */
  critical: string[];
  violations: Violation[];
  /** Imports exempted by `failsoft-audit-ignore` comments, in the files the walk reached. */
  ignored: IgnoredSite[];
  warnings: AuditWarning[];
  /** Project files read. */
  files: number;
  ms: number;
}

/**
 * Walks from every critical file and reports each (critical file, AI client) pair once, with its shortest chain.
 * Throws `AuditSetupError` when the project's imports cannot be resolved at all (a malformed tsconfig.json).
 * @example const result = runAudit({ root: '/app', critical: ['/app/src/api/login.ts'] });
 */
export function runAudit(options: AuditOptions): AuditResult {
  const started = performance.now();
  const graph = new ModuleGraph({
    root: options.root,
    ignore: (options.ignore ?? []).map((glob) => globToRegExp(glob)),
    allow: options.allow ?? [],
  });
  const rel = (path: string): string => relativePath(options.root, path);
  const violations: Violation[] = [];
  const ignored = new Map<string, IgnoredSite>();
  for (const start of options.critical) {
    const parent = new Map<string, string | undefined>([[start, undefined]]);
    const reported = new Set<string>();
    const chainTo = (path: string): string[] => {
      const chain: string[] = [];
      for (let at: string | undefined = path; at !== undefined; at = parent.get(at)) chain.unshift(rel(at));
      return chain;
    };
    // Breadth first: the first time a client is met, its chain is a shortest one.
    const queue = [start];
    for (let head = 0; head < queue.length; head++) {
      const path = queue[head] as string;
      const node = graph.node(path);
      for (const site of node.ignored) ignored.set(`${site.file}:${site.line}:${site.specifier}`, site);
      for (const edge of node.edges) {
        if (edge.type === 'client') {
          if (reported.has(edge.client)) continue;
          reported.add(edge.client);
          violations.push({ chain: [...chainTo(path), edge.client], client: edge.client, kind: edge.kind });
        } else if (!parent.has(edge.path)) {
          parent.set(edge.path, path);
          queue.push(edge.path);
        }
      }
    }
  }
  return {
    critical: options.critical.map(rel),
    violations,
    ignored: [...ignored.values()],
    warnings: graph.warnings,
    files: graph.files,
    ms: Math.round(performance.now() - started),
  };
}
