/**
 * `failsoft incidents` (the list) and `failsoft incident <id>` (one timeline, as text, a markdown
 * postmortem draft or JSON). Both read the store the config names, or a running server's admin API.
 */
import { ConfigError } from '../model/errors.js';
import { parseDurationText } from '../engine/config/duration.js';
import { renderIncidentList, renderPostmortem, renderTimeline } from '../store/timeline-render.js';
import { parseFlags, EXIT_USAGE, UsageError, type CliCommand, type CliIo } from './cli-command.js';
import {
  DEFAULT_SERVE_URL,
  IncidentSourceError,
  openIncidentSource,
  type IncidentSource,
  type IncidentSourceOptions,
} from './incident-source.js';

const WHERE = `Where it reads: the record store of --config (DATABASE_URL set: that PostgreSQL; else PGlite in the config's
store.dir, default ./.failsoft). PGlite serves one process: while a failsoft serve holds the directory, the
command reads through that server's admin API instead (--url), with the token in FAILSOFT_ADMIN_TOKEN; so it does
when there is no store here (a serve running the built-in example keeps its record in memory).`;

const LIST_USAGE = `Usage: failsoft incidents [options]

Lists incidents opened in the last --since (and any still open), newest first: id, opened, closed,
duration, severity, title.

Options:
  --since D      how far back (default 24h): 30m, 24h, 7d, …
  --limit N      at most N incidents (default 100)
  --json         JSON: { "incidents": [ { id, status, severity, title, openedAt, resolvedAt, durationMs, components,
                 counts, instance, updatedAt } ] }
  --config FILE  failsoft.yaml naming the store
  --url URL      the failsoft serve to read through when it holds the store, or when there is none here
                 (default ${DEFAULT_SERVE_URL})
  -h, --help     show this help

${WHERE}

Exit codes: 0 listed (even none), 1 the store or server could not be read, 2 bad usage or config.`;

const ONE_USAGE = `Usage: failsoft incident <id> [options]

Prints one incident's timeline: one line per meaningful change (repeats merged: "× 12"), how it ended,
then its counts (requests served by each provider and by fallback, ai-only refusals, failed attempts by class,
time in each feature mode).

Options:
  --markdown     a postmortem draft to paste into a ticket (summary table, timeline, counts, what we saw)
  --json         JSON: the list's fields plus "events": [ { at, type, severity, component, message } ]
  --config FILE  failsoft.yaml naming the store
  --url URL      the failsoft serve to read through when it holds the store, or when there is none here
                 (default ${DEFAULT_SERVE_URL})
  -h, --help     show this help

${WHERE}

Exit codes: 0 printed, 1 no such incident or the store or server could not be read, 2 bad usage or config.`;

/** Parsed flags shared by both commands. */
export interface IncidentCliOptions {
  help: boolean;
  configFile: string | undefined;
  url: string | undefined;
  json: boolean;
  markdown: boolean;
  sinceText: string;
  sinceMs: number;
  limit: number | undefined;
  id: string | undefined;
}

/**
 * Parses `failsoft incidents` (`one: false`) or `failsoft incident <id>` (`one: true`) arguments; throws
 * `UsageError` naming the flag on bad input.
 * @example parseIncidentArgs(['--since', '7d'], false).sinceMs // 604800000
 */
export function parseIncidentArgs(argv: readonly string[], one: boolean): IncidentCliOptions {
  const parsed = parseFlags({
    args: [...argv],
    strict: true,
    allowPositionals: one,
    options: {
      since: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
      markdown: { type: 'boolean' },
      config: { type: 'string' },
      url: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const v = parsed.values;
  if (one && (v.since !== undefined || v.limit !== undefined))
    throw new UsageError(
      `${v.since !== undefined ? '--since' : '--limit'} lists incidents: use it with 'failsoft incidents'`,
    );
  if (!one && v.markdown === true)
    throw new UsageError("--markdown renders one incident: use 'failsoft incident <id> --markdown'");
  if (v.json === true && v.markdown === true) throw new UsageError('--json and --markdown: choose one');
  const sinceText = v.since ?? '24h';
  const sinceMs = parseDurationText(sinceText);
  if (sinceMs === undefined) throw new UsageError(`--since ${sinceText}: expected a duration like 30m, 24h or 7d`);
  const limit = v.limit === undefined ? undefined : Number(v.limit);
  if (limit !== undefined && (!/^\d+$/.test(v.limit ?? '') || limit < 1 || limit > 1000))
    throw new UsageError(`--limit ${v.limit}: expected an integer from 1 to 1000`);
  if (v.url !== undefined && !/^https?:\/\/[^\s/]+/.test(v.url))
    throw new UsageError(`--url ${v.url}: expected http://HOST:PORT`);
  const positionals = parsed.positionals;
  if (one && v.help !== true && positionals.length !== 1)
    throw new UsageError(
      positionals.length === 0
        ? 'which incident? give its id (see failsoft incidents)'
        : `one incident id, got ${positionals.length}: ${positionals.join(' ')}`,
    );
  return {
    help: v.help ?? false,
    configFile: v.config,
    url: v.url,
    json: v.json ?? false,
    markdown: v.markdown ?? false,
    sinceText,
    sinceMs,
    limit,
    id: positionals[0],
  };
}

/** Seams for tests: the environment and how the store is opened. */
export type IncidentCliDeps = Pick<IncidentSourceOptions, 'openStore'> & { env?: Record<string, string | undefined> };

/** Opens the source and runs `fn`; maps the failures a person can act on to exit codes. */
async function withSource(
  name: string,
  options: IncidentCliOptions,
  io: CliIo,
  deps: IncidentCliDeps,
  fn: (source: IncidentSource) => Promise<number>,
): Promise<number> {
  let source: IncidentSource;
  try {
    source = await openIncidentSource(
      {
        configFile: options.configFile,
        url: options.url,
        env: deps.env ?? process.env,
        ...(deps.openStore ? { openStore: deps.openStore } : {}),
      },
      options.sinceText,
    );
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(`failsoft ${name}: ${error.message}`);
      return EXIT_USAGE;
    }
    io.err(`failsoft ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  try {
    return await fn(source);
  } catch (error) {
    io.err(
      `failsoft ${name}: ${error instanceof IncidentSourceError ? error.message : `cannot read incidents from ${source.from}: ${error instanceof Error ? error.message : String(error)}`}`,
    );
    return 1;
  } finally {
    await source.close().catch(() => undefined);
  }
}

/** `failsoft incidents`, with seams for tests. */
export function incidentsCommandWith(deps: IncidentCliDeps = {}): CliCommand {
  return {
    summary: 'list incidents (--since 24h, --json): id, opened, closed, duration, severity, title',
    usage: LIST_USAGE,
    async run(argv, io) {
      const options = parseIncidentArgs(argv, false);
      if (options.help) {
        io.out(LIST_USAGE);
        return 0;
      }
      return withSource('incidents', options, io, deps, async (source) => {
        const incidents = await source.reader.list({
          since: Date.now() - options.sinceMs,
          ...(options.limit === undefined ? {} : { limit: options.limit }),
        });
        io.out(options.json ? JSON.stringify({ incidents }, null, 2) : renderIncidentList(incidents));
        return 0;
      });
    },
  };
}

/** `failsoft incident <id>`, with seams for tests. */
export function incidentCommandWith(deps: IncidentCliDeps = {}): CliCommand {
  return {
    summary: "one incident's timeline and counts (--markdown: a postmortem draft; --json)",
    usage: ONE_USAGE,
    async run(argv, io) {
      const options = parseIncidentArgs(argv, true);
      if (options.help) {
        io.out(ONE_USAGE);
        return 0;
      }
      const id = options.id as string;
      return withSource('incident', options, io, deps, async (source) => {
        const incident = await source.reader.get(id);
        if (!incident) {
          io.err(`failsoft incident: no incident "${id}" in ${source.from} (list them with failsoft incidents)`);
          return 1;
        }
        io.out(
          options.json
            ? JSON.stringify(incident, null, 2)
            : options.markdown
              ? renderPostmortem(incident)
              : renderTimeline(incident),
        );
        return 0;
      });
    },
  };
}

/** `failsoft incidents`. */
export const incidentsCommand: CliCommand = incidentsCommandWith();
/** `failsoft incident <id>`. */
export const incidentCommand: CliCommand = incidentCommandWith();
