import { type Dirent, readdirSync, type Stats, statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { globBase, globToRegExp, isGlob, normalizePattern } from './glob.js';

/**
 * Which files the audit starts from: paths, directories and globs (with `!` exclusions) relative to the
 * project root, expanded to the JS/TS sources they name.
 */

const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

/** Whether `path` is a JS/TS source the audit parses (declaration files hold only types). */
export function isSourceFile(path: string): boolean {
  if (/\.d\.[cm]?ts$/.test(path)) return false;
  return SOURCE_EXTENSIONS.some((extension) => path.endsWith(extension));
}

/** `path` relative to `root`, `/`-separated: how files appear in patterns, chains and reports. */
export function relativePath(root: string, path: string): string {
  return relative(root, path).split(sep).join('/');
}

export interface SelectedFiles {
  /** Absolute paths, sorted, without duplicates. */
  files: string[];
  /** Bad input: a named path that does not exist or is no source file, a malformed glob. */
  problems: string[];
  /** Patterns that selected nothing (worth a warning: a typo or a moved folder). */
  unmatched: string[];
}

/** Every file under `dir`, skipping `node_modules` and dot-directories (`.git`, `.next`). */
function walk(dir: string, into: string[]): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) walk(resolve(dir, entry.name), into);
    } else if (entry.isFile()) into.push(resolve(dir, entry.name));
  }
}

/**
 * Expands `patterns` (relative to `root`; `!pattern` excludes) minus the `ignore` globs.
 * @example selectFiles('/app', ['src/api/**\/*.ts', '!**\/*.test.ts'], [])
 */
export function selectFiles(root: string, patterns: readonly string[], ignore: readonly string[]): SelectedFiles {
  const problems: string[] = [];
  const unmatched: string[] = [];
  const excluded: RegExp[] = [];
  for (const pattern of [...patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1)), ...ignore]) {
    try {
      excluded.push(globToRegExp(pattern));
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  const walks = new Map<string, string[]>();
  const filesUnder = (dir: string): string[] => {
    let files = walks.get(dir);
    if (files === undefined) {
      files = [];
      walk(dir, files);
      walks.set(dir, files);
    }
    return files;
  };
  const selected = new Set<string>();
  for (const pattern of patterns.filter((p) => !p.startsWith('!'))) {
    const found: string[] = [];
    if (isGlob(pattern)) {
      let regex: RegExp;
      try {
        regex = globToRegExp(pattern);
      } catch (error) {
        problems.push((error as Error).message);
        continue;
      }
      for (const file of filesUnder(resolve(root, globBase(pattern))))
        if (regex.test(relativePath(root, file)) && isSourceFile(file)) found.push(file);
    } else {
      const path = resolve(root, normalizePattern(pattern));
      let stat: Stats;
      try {
        stat = statSync(path);
      } catch (error) {
        problems.push(`${pattern}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
        continue;
      }
      if (stat.isDirectory()) found.push(...filesUnder(path).filter(isSourceFile));
      else if (isSourceFile(path)) found.push(path);
      else problems.push(`${pattern}: not a JS/TS source file (.ts, .tsx, .mts, .cts, .js, .jsx, .mjs, .cjs)`);
    }
    const kept = found.filter((file) => !excluded.some((regex) => regex.test(relativePath(root, file))));
    if (kept.length === 0 && !problems.some((problem) => problem.startsWith(`${pattern}:`))) unmatched.push(pattern);
    for (const file of kept) selected.add(file);
  }
  return { files: [...selected].sort(), problems, unmatched };
}
