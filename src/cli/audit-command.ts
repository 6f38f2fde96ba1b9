import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ZodError } from 'zod';
import { ConfigError } from '../model/errors.js';
import type { AuditConfig } from '../engine/config/audit-schema.js';
import { runAudit } from '../audit/audit.js';
import { AuditSetupError } from '../audit/module-graph.js';
import { loadAuditConfig } from '../audit/audit-config.js';
import { reportJson, reportLines, warningLines } from '../audit/audit-report.js';
import { selectFiles } from '../audit/source-files.js';
import { EXIT_USAGE, type CliCommand, type CliIo } from './cli-command.js';

const USAGE = `Usage: failsoft audit [paths…] [options]

Checks that tier-1 code never reaches an AI API. From each critical file (the paths, or audit.critical in
the config), follows imports, re-exports, import() and require() with a literal specifier through the project
(tsconfig paths, package exports, .js → .ts), and reports every AI client it reaches with the shortest chain:

  src/api/login.ts → src/lib/notify.ts → openai

AI clients: the providers' SDKs (openai, @anthropic-ai/*, @google/genai, @google/generative-ai, @mistralai/*,
cohere-ai, groq-sdk…), ai and @ai-sdk/*, langchain and @langchain/*, llamaindex, failsoft (but not
failsoft/testing), and string literals naming a provider's API host (api.openai.com, api.anthropic.com,
generativelanguage.googleapis.com…). Type-only imports do not count; packages in node_modules are not entered.

A "// failsoft-audit-ignore: reason" comment on an import's line, or alone on the line above, exempts that
import; the reason is printed. Exit 0: none reached; 1: violations; 2: bad input (no critical file matched,
unreadable path, invalid config or tsconfig.json). What cannot be followed (a file that does not parse, an
import that does not resolve, import() or require() of a computed name) is a warning with its file:line.

Paths are files, directories or globs relative to the root ('src/api/**/*.ts'; quote globs); a path starting
with ! excludes ('!**/*.test.ts').

Config (failsoft.yaml):
  audit:
    critical: ['src/api/**/*.ts', '!**/*.test.ts']   # used when no paths are given
    ignore: ['src/generated/**']                     # files never walked into
    allow: ['@acme/local-llm']                       # clients not reported (packages, @scope/*, hosts)

Options:
  --config FILE   failsoft config with an audit section (default: failsoft.yaml in the root, when it exists)
  --root DIR      project root: its tsconfig.json is used, paths are relative to it (default: .)
  --json          print the result as JSON: { critical, violations: [{ chain, client, kind }], ignored,
                  warnings, files, ms }
  -h, --help      show this help`;

interface AuditCliOptions {
  patterns: string[];
  root: string;
  configFile: string | undefined;
  json: boolean;
  help: boolean;
}

/** Bad input: printed with what was wrong, exit 2. */
class AuditInputError extends Error {}

function parseAuditArgs(argv: readonly string[], cwd: string): AuditCliOptions {
  let parsed: { values: { config?: string; root?: string; json?: boolean; help?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        root: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new AuditInputError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const root = resolve(cwd, values.root ?? '.');
  if (values.help !== true) {
    let isDir = false;
    try {
      isDir = statSync(root).isDirectory();
    } catch {
      // reported just below
    }
    if (!isDir) throw new AuditInputError(`--root ${values.root ?? '.'}: not a readable directory`);
  }
  const configFile =
    values.config !== undefined
      ? resolve(cwd, values.config)
      : existsSync(join(root, 'failsoft.yaml'))
        ? join(root, 'failsoft.yaml')
        : undefined;
  return { patterns: positionals, root, configFile, json: values.json ?? false, help: values.help ?? false };
}

async function auditConfigOf(options: AuditCliOptions, env: Record<string, string | undefined>): Promise<AuditConfig> {
  if (options.configFile === undefined) return {};
  try {
    return await loadAuditConfig(options.configFile, env);
  } catch (error) {
    if (error instanceof ConfigError) throw new AuditInputError(error.message);
    if (error instanceof ZodError)
      throw new AuditInputError(`${options.configFile}: invalid audit section: ${error.message}`);
    throw error;
  }
}

/**
 * Runs `failsoft audit` with `argv`: 0 when no critical file reaches an AI client, 1 when some does, 2 on bad
 * input. `cwd`: what --root, --config and the default root are relative to.
 * @example process.exitCode = await runAuditCli(["src/api/**\/*.ts"], processIo);
 */
export async function runAuditCli(
  argv: readonly string[],
  io: CliIo,
  cwd = process.cwd(),
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  try {
    const options = parseAuditArgs(argv, cwd);
    if (options.help) {
      io.out(USAGE);
      return 0;
    }
    const config = await auditConfigOf(options, env);
    const patterns = options.patterns.length > 0 ? options.patterns : (config.critical ?? []);
    if (patterns.length === 0)
      throw new AuditInputError(
        'no critical files: pass files or globs (failsoft audit "src/api/**/*.ts"), or list them in the config under audit.critical',
      );
    const ignore = config.ignore ?? [];
    const selected = selectFiles(options.root, patterns, ignore);
    if (selected.problems.length > 0) throw new AuditInputError(selected.problems.join('; '));
    if (selected.files.length === 0)
      throw new AuditInputError(
        `no critical files matched ${patterns.map((p) => `"${p}"`).join(' ')} under ${options.root}`,
      );
    const result = runAudit({ root: options.root, critical: selected.files, ignore, allow: config.allow ?? [] });
    for (const pattern of selected.unmatched)
      result.warnings.unshift({ file: pattern, line: 0, message: 'matched no file' });
    if (options.json) io.out(JSON.stringify(reportJson(result), null, 2));
    else {
      for (const line of reportLines(result)) io.out(line);
      for (const line of warningLines(result)) io.err(line);
    }
    return result.violations.length > 0 ? 1 : 0;
  } catch (error) {
    if (!(error instanceof AuditInputError || error instanceof AuditSetupError)) throw error;
    io.err(`failsoft audit: ${error.message}`);
    io.err("Run 'failsoft help audit' for usage.");
    return EXIT_USAGE;
  }
}

/** `failsoft audit`. */
export const auditCommand: CliCommand = {
  summary: 'check that tier-1 code never imports an AI client (exit 1 with the import chains when it does)',
  usage: USAGE,
  run: (argv, io) => runAuditCli(argv, io),
};
