/**
 * `failsoft audit` on a generated project: `npx tsx bench/audit.ts [--files 2000] [--runs 3] [--keep]`.
 *
 * Writes a TypeScript project of `--files` files to a temp dir, shaped like a service back end: 10 domains, each
 * with API handlers (the critical files), services behind a barrel (`export *`), libraries reached through
 * tsconfig `paths` aliases (`@lib/…`, `@app/…`), shared modules, type-only imports, node builtins and a few
 * dynamic imports; a handful of services reach `src/ai/` wrappers that import `openai` or
 * `@anthropic-ai/sdk`, or fetch `api.openai.com` directly. Then runs the audit on `src/api/**\/*.ts` in this
 * process, `--runs` times (each with a fresh resolver and parser state; the OS file cache is warm after the
 * first), and once through the CLI (`node --import tsx src/cli/main.ts audit`), and prints files read, ms and
 * violations. Target: < 5 s for 2,000 files.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runAudit } from '../src/audit/audit.js';
import { selectFiles } from '../src/audit/source-files.js';

const TARGET_MS = 5_000;
const { values: flags } = parseArgs({
  options: {
    files: { type: 'string', default: '2000' },
    runs: { type: 'string', default: '3' },
    keep: { type: 'boolean', default: false },
  },
});
const totalFiles = Number(flags.files);
const runs = Number(flags.runs);

/** Deterministic choices (mulberry32), so every run audits the same project. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = random(14);
const pick = (n: number): number => Math.floor(rand() * n);

const DOMAINS = [
  'billing',
  'auth',
  'users',
  'orders',
  'search',
  'reports',
  'notifications',
  'inventory',
  'shipping',
  'admin',
];
const AI_FILES = 10;
// Shares of the rest: handlers 15 %, services 30 %, libraries 40 %, shared 15 % (barrels: one per domain).
const budget = totalFiles - AI_FILES - DOMAINS.length;
const perDomain = {
  handlers: Math.max(1, Math.round((budget * 0.15) / DOMAINS.length)),
  services: Math.max(6, Math.round((budget * 0.3) / DOMAINS.length)),
  libs: Math.max(2, Math.round((budget * 0.4) / DOMAINS.length)),
};
const sharedCount = Math.max(2, budget - DOMAINS.length * (perDomain.handlers + perDomain.services + perDomain.libs));

/** A realistic module body: a type, a validation, a computation over a list; `uses` are the imported names. */
function body(name: string, uses: string[]): string {
  const calls = uses
    .map((use) => `  const ${use}Result = ${use}(input.id);\n  if (${use}Result === undefined) return undefined;`)
    .join('\n');
  return `
export interface ${name}Input {
  id: string;
  amount: number;
  tags: string[];
  createdAt: Date;
}

export interface ${name}Output {
  id: string;
  total: number;
  labels: string[];
}

const LIMIT_${name.toUpperCase()} = ${100 + pick(900)};

/** Checks ${name} input before any work: ids are non-empty, amounts finite and under the limit. */
function validate${name}(input: ${name}Input): string | undefined {
  if (input.id.trim() === '') return 'id is empty';
  if (!Number.isFinite(input.amount)) return 'amount is not a number';
  if (input.amount > LIMIT_${name.toUpperCase()}) return \`amount over \${LIMIT_${name.toUpperCase()}}\`;
  return undefined;
}

export function ${name}(input: ${name}Input): ${name}Output | undefined {
  const problem = validate${name}(input);
  if (problem !== undefined) throw new Error(\`${name}: \${problem}\`);
${calls}
  const labels = input.tags.filter((tag) => tag.length > 0).map((tag) => tag.toLowerCase());
  let total = 0;
  for (const label of labels) total += label.length * input.amount;
  return { id: input.id, total: Math.round(total * 100) / 100, labels };
}
`;
}

interface Module {
  path: string;
  name: string;
  /** Import lines, and the imported names the body calls. */
  imports: string[];
  uses: string[];
}

function generate(root: string): { files: number } {
  const write = (path: string, text: string): void => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write('package.json', JSON.stringify({ name: 'bench-app', private: true, type: 'module' }, null, 2));
  write(
    'tsconfig.json',
    JSON.stringify(
      {
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          baseUrl: '.',
          paths: { '@app/*': ['src/*'], '@lib/*': ['src/lib/*'] },
        },
      },
      null,
      2,
    ),
  );
  const modules: Module[] = [];
  let current: Module = { path: '', name: '', imports: [], uses: [] };
  const start = (path: string, name: string): void => {
    current = { path, name, imports: [], uses: [] };
    modules.push(current);
  };
  /** `import { name } from 'specifier'`, called in the body. */
  const use = (specifier: string, name: string): void => {
    current.imports.push(`import { ${name} } from '${specifier}';`);
    if (!current.uses.includes(name)) current.uses.push(name);
  };
  const line = (text: string): void => {
    current.imports.push(text);
  };

  for (let i = 0; i < AI_FILES; i++) {
    const kind = i % 3;
    const client =
      kind === 0
        ? "import OpenAI from 'openai';\nconst client = new OpenAI();"
        : kind === 1
          ? "import Anthropic from '@anthropic-ai/sdk';\nconst client = new Anthropic();"
          : "const client = { url: 'https://api.openai.com/v1/chat/completions' };";
    write(
      `src/ai/helper-${i}.ts`,
      `${client}\n\nexport const aiHelper${i} = (id: string): string | undefined => (id ? String(client) : undefined);\n`,
    );
  }
  for (let i = 0; i < sharedCount; i++) {
    start(`src/shared/shared-${i}.ts`, `shared${i}`);
    line("import { createHash } from 'node:crypto';");
    if (i > 0) {
      const k = pick(i);
      use(`./shared-${k}.js`, `shared${k}`);
    }
  }
  for (const domain of DOMAINS) {
    for (let i = 0; i < perDomain.libs; i++) {
      start(`src/lib/${domain}/${domain}-lib-${i}.ts`, `${domain}Lib${i}`);
      const s = pick(sharedCount);
      use(`@app/shared/shared-${s}.js`, `shared${s}`);
      if (i > 0) {
        const k = pick(i);
        use(`./${domain}-lib-${k}.js`, `${domain}Lib${k}`);
      }
    }
    for (let i = 0; i < perDomain.services; i++) {
      start(`src/services/${domain}/service-${i}.ts`, `${domain}Service${i}`);
      const k = pick(perDomain.libs);
      use(`@lib/${domain}/${domain}-lib-${k}.js`, `${domain}Lib${k}`);
      const other = DOMAINS[pick(DOMAINS.length)] as string;
      const o = pick(perDomain.libs);
      use(`@lib/${other}/${other}-lib-${o}.js`, `${other}Lib${o}`);
      const t = pick(sharedCount);
      line(`import type { shared${t}Input } from '@app/shared/shared-${t}.js';`);
      // A few services reach an AI helper: statically, or through import() on a lazy path.
      if (rand() < 0.03) {
        const a = pick(AI_FILES);
        use(`../../ai/helper-${a}.js`, `aiHelper${a}`);
      }
      if (rand() < 0.01) line(`const lazyAi = () => import('@app/ai/helper-${pick(AI_FILES)}.js');`);
    }
    const barrel = [...new Set(Array.from({ length: 6 }, (_, k) => (k * 7) % perDomain.services))];
    write(`src/services/${domain}/index.ts`, `${barrel.map((k) => `export * from './service-${k}.js';`).join('\n')}\n`);
    for (let i = 0; i < perDomain.handlers; i++) {
      start(`src/api/${domain}/handler-${i}.ts`, `${domain}Handler${i}`);
      const k = pick(perDomain.services);
      use(`../../services/${domain}/service-${k}.js`, `${domain}Service${k}`);
      const b = barrel[pick(barrel.length)] as number;
      use(`@app/services/${domain}/index.js`, `${domain}Service${b}`);
      const l = pick(perDomain.libs);
      use(`@lib/${domain}/${domain}-lib-${l}.js`, `${domain}Lib${l}`);
      line(`import { type shared0Input } from '@app/shared/shared-0.js';`);
      line("import { randomUUID } from 'node:crypto';");
    }
  }
  for (const module of modules)
    write(module.path, `${module.imports.join('\n')}\n${body(module.name, module.uses.slice(0, 3))}`);
  return { files: modules.length + AI_FILES + DOMAINS.length };
}

const root = mkdtempSync(join(tmpdir(), 'failsoft-bench-audit-'));
try {
  const generated = generate(root);
  console.log(
    `project: ${generated.files} files in ${root}; ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}, load ${loadavg()[0]?.toFixed(1)}`,
  );
  const rows: { run: string; critical: number; files: number; ms: number; cpuMs?: number; violations: number }[] = [];
  for (const pattern of ['src/api/**/*.ts', 'src/**/*.ts']) {
    for (let run = 1; run <= runs; run++) {
      const started = performance.now();
      const cpu = process.cpuUsage();
      const selected = selectFiles(root, [pattern], []);
      const result = runAudit({ root, critical: selected.files });
      const ms = Math.round(performance.now() - started);
      const used = process.cpuUsage(cpu);
      rows.push({
        run: `\`${pattern}\` in process #${run}`,
        critical: result.critical.length,
        files: result.files,
        ms,
        cpuMs: Math.round((used.user + used.system) / 1000),
        violations: result.violations.length,
      });
      if (run === 1 && pattern === 'src/api/**/*.ts')
        for (const violation of result.violations.slice(0, 3)) console.log(`  e.g. ${violation.chain.join(' → ')}`);
    }
  }
  const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
  const started = performance.now();
  const cli = spawnSync(
    process.execPath,
    ['--import', 'tsx', main, 'audit', '--json', '--root', root, 'src/api/**/*.ts'],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  const wall = Math.round(performance.now() - started);
  if (cli.status === 1) {
    const report = JSON.parse(cli.stdout) as { critical: string[]; files: number; ms: number; violations: unknown[] };
    rows.push({
      run: `CLI (tsx), audit's own ms; process wall ${wall} ms`,
      critical: report.critical.length,
      files: report.files,
      ms: report.ms,
      violations: report.violations.length,
    });
  } else console.log(`CLI run: exit ${cli.status}: ${cli.stderr.slice(0, 500)}`);
  console.log('| run | critical files | files read | ms | CPU ms | violations |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const row of rows)
    console.log(`| ${row.run} | ${row.critical} | ${row.files} | ${row.ms} | ${row.cpuMs ?? ''} | ${row.violations} |`);
  const worst = Math.max(...rows.map((row) => row.ms));
  console.log(
    `target < ${TARGET_MS} ms: ${worst < TARGET_MS ? 'met' : 'MISSED'} (slowest ${worst} ms); load ${loadavg()[0]?.toFixed(1)} at the end`,
  );
} finally {
  if (flags.keep) console.log(`kept ${root}`);
  else rmSync(root, { recursive: true, force: true });
}
