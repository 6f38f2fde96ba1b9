import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSync } from 'oxc-parser';
import { describe, expect, it } from 'vitest';

/**
 * The layering of ARCHITECTURE.md, enforced: every module under `src/` imports only from its own folder or
 * from a layer earlier in the list below (model first). Type-only imports count too: a type from a later layer
 * is still a dependency on it.
 * Folders of one row are siblings and may not import each other, except in the faces' row, where faces may
 * use each other (the CLI starts the demo, the demo serves the dashboard). A top-level folder this list
 * does not know is treated as a face of that row, so a new face never breaks this test.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['model'],
  ['providers'],
  ['policy'],
  ['state'],
  ['engine'],
  ['store'],
  ['monitor', 'scheduler', 'sim'],
  ['testing'],
  ['gateway'],
  ['ai-sdk', 'audit', 'dashboard', 'demo', 'cli'],
];
const FACES_ROW = LAYERS.length - 1;

const SRC = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(SRC, '..');

/** One relative import of one module: `from` and `to` are paths relative to `src/`. */
interface ImportEdge {
  from: string;
  to: string;
  specifier: string;
}

/** The row of a path's top folder; files directly in `src/` (the root entries) and unknown folders are faces. */
function rowOf(path: string): number {
  const top = path.split('/')[0] ?? '';
  if (!path.includes('/')) return FACES_ROW;
  const row = LAYERS.findIndex((layer) => layer.includes(top));
  return row === -1 ? FACES_ROW : row;
}

function topOf(path: string): string {
  return path.includes('/') ? (path.split('/')[0] ?? '') : '';
}

/** The package's entry files (package.json `exports`, `dist/X.js` → `src/X.ts`): faces that gather from any layer. */
function entryFiles(): Set<string> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    exports: Record<string, string | { import?: string }>;
  };
  const entries = new Set<string>();
  for (const target of Object.values(pkg.exports)) {
    const file = typeof target === 'string' ? target : target.import;
    const match = file?.match(/^\.\/dist\/(.+)\.js$/);
    if (match?.[1]) entries.add(`${match[1]}.ts`);
  }
  return entries;
}

/** What breaks the layering: an import from a later row or a sibling, or an import of a package entry. */
function violations(edges: readonly ImportEdge[], entries: ReadonlySet<string>): string[] {
  const found: string[] = [];
  for (const edge of edges) {
    if (entries.has(edge.to) && edge.to !== edge.from) {
      found.push(`${edge.from} imports the package entry ${edge.to} ('${edge.specifier}'): import the module itself`);
      continue;
    }
    if (entries.has(edge.from)) continue;
    const from = topOf(edge.from);
    const to = topOf(edge.to);
    if (from === to) continue;
    const fromRow = rowOf(edge.from);
    const toRow = rowOf(edge.to);
    if (toRow > fromRow)
      found.push(
        `${edge.from} imports ${edge.to} ('${edge.specifier}'): ${to || 'src/'} comes after ${from || 'src/'} in the layers of ARCHITECTURE.md`,
      );
    else if (toRow === fromRow && fromRow !== FACES_ROW)
      found.push(`${edge.from} imports ${edge.to} ('${edge.specifier}'): ${to} and ${from} are siblings`);
  }
  return found;
}

/** Source modules only: no tests, test helpers, conformance suites or fixtures. */
function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== '__fixtures__' && entry.name !== 'node_modules') files.push(...sourceFiles(path));
    } else if (entry.name.endsWith('.ts') && !/\.(test|test-helper|conformance|d)\.ts$/.test(entry.name)) {
      files.push(path);
    }
  }
  return files;
}

/** Every relative import, re-export and literal dynamic import of `file`, resolved to a path under `src/`. */
function importsOf(file: string): ImportEdge[] {
  const text = readFileSync(file, 'utf8');
  const { module, errors } = parseSync(file, text);
  if (errors.length > 0) throw new Error(`${relative(ROOT, file)} does not parse: ${errors[0]?.message}`);
  const specifiers = [
    ...module.staticImports.map((i) => i.moduleRequest.value),
    ...module.staticExports.flatMap((e) => e.entries.map((entry) => entry.moduleRequest?.value)),
    ...module.dynamicImports.map((d) => {
      const literal = text.slice(d.moduleRequest.start, d.moduleRequest.end);
      return /^(['"`])[^'"`$]*\1$/.test(literal) ? literal.slice(1, -1) : undefined;
    }),
  ];
  const from = relative(SRC, file).split(sep).join('/');
  const edges: ImportEdge[] = [];
  for (const specifier of new Set(specifiers)) {
    if (specifier === undefined || !specifier.startsWith('.')) continue;
    const target = relative(SRC, resolve(dirname(file), specifier))
      .split(sep)
      .join('/');
    if (target.startsWith('..')) continue; // outside src/ (package.json): no layer
    edges.push({ from, to: target.replace(/\.js$/, '.ts'), specifier });
  }
  return edges;
}

describe('layers', () => {
  const entries = entryFiles();

  it('every module imports only from its own folder or an earlier layer', () => {
    const edges = sourceFiles(SRC).flatMap(importsOf);
    // The scan sees the code base (hundreds of imports across folders), not an empty list.
    expect(edges.filter((e) => topOf(e.from) !== topOf(e.to)).length).toBeGreaterThan(200);
    expect(violations(edges, entries)).toEqual([]);
  });

  it('knows the package entries from package.json', () => {
    expect([...entries]).toEqual(
      expect.arrayContaining(['index.ts', 'redis.ts', 'testing/index.ts', 'gateway/index.ts', 'policy/index.ts']),
    );
  });

  it('names an upward import, a sibling import and an import of an entry, and lets faces and entries gather', () => {
    const edge = (from: string, to: string): ImportEdge => ({ from, to, specifier: to });
    expect(
      violations(
        [
          edge('policy/rate-budget.ts', 'state/policy-state.ts'),
          edge('monitor/core-monitor.ts', 'scheduler/plan-jobs.ts'),
          edge('engine/failsoft.ts', 'policy/index.ts'),
          edge('model/errors.ts', 'newface/thing.ts'),
        ],
        entries,
      ),
    ).toEqual([
      "policy/rate-budget.ts imports state/policy-state.ts ('state/policy-state.ts'): state comes after policy in the layers of ARCHITECTURE.md",
      "monitor/core-monitor.ts imports scheduler/plan-jobs.ts ('scheduler/plan-jobs.ts'): scheduler and monitor are siblings",
      "engine/failsoft.ts imports the package entry policy/index.ts ('policy/index.ts'): import the module itself",
      "model/errors.ts imports newface/thing.ts ('newface/thing.ts'): newface comes after model in the layers of ARCHITECTURE.md",
    ]);
    expect(
      violations(
        [
          edge('state/memory-policy-state.ts', 'policy/policy-state.ts'),
          edge('policy/index.ts', 'state/memory-policy-state.ts'),
          edge('cli/main.ts', 'demo/run-demo.ts'),
          edge('newface/thing.ts', 'gateway/gateway-server.ts'),
          edge('index.ts', 'engine/failsoft.ts'),
        ],
        entries,
      ),
    ).toEqual([]);
  });
});
