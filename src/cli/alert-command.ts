import { existsSync } from 'node:fs';
import { ConfigError } from '../model/errors.js';
import { loadConfigFile } from '../engine/config/resolve-config.js';
import { sendOnce } from '../monitor/alerts/alert-delivery.js';
import { testAlertMessage } from '../monitor/alerts/alert-message.js';
import { parseFlags, EXIT_USAGE, UsageError, type CliCommand, type CliIo } from './cli-command.js';

const USAGE = `Usage: failsoft alert test [options]

Sends a test message to every alert channel of the config (alerts: slack, webhook, log) and reports each
result: one try each, no retry. Exit 0 when every channel took it, 1 when any failed (or none is configured),
2 for a bad config or usage.

Options:
  --config FILE   failsoft.yaml with the alerts (default ./failsoft.yaml when it exists)
  -h, --help      show this help`;

/**
 * Runs `failsoft alert <argv>`; resolves to the exit code.
 * @example process.exitCode = await runAlert(['test', '--config', 'failsoft.yaml'], processIo, process.env);
 */
export async function runAlert(
  argv: readonly string[],
  io: CliIo,
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const { values, positionals } = parseFlags({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help === true) {
    io.out(USAGE);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'test')
    throw new UsageError(`expected "failsoft alert test", got "failsoft alert ${positionals.join(' ')}"`.trimEnd());
  const file = values.config ?? (existsSync('failsoft.yaml') ? 'failsoft.yaml' : undefined);
  if (file === undefined) throw new UsageError('no config: pass --config FILE (or run where failsoft.yaml is)');
  let config;
  try {
    config = await loadConfigFile(file, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`failsoft alert: ${error.message}`);
    return EXIT_USAGE;
  }
  const channels = config.alerts?.channels ?? [];
  if (channels.length === 0) {
    io.err(
      `failsoft alert: ${file} configures no alert channel (alerts: [{ kind: slack, urlEnv: SLACK_WEBHOOK_URL }, …])`,
    );
    return 1;
  }
  const message = testAlertMessage(Date.now());
  const timeoutMs = config.alerts?.delivery.timeoutMs ?? 10_000;
  const results = await Promise.all(
    channels.map(async (channel) => {
      const started = performance.now();
      try {
        await sendOnce(channel, message, { env, writeLog: (line) => io.err(line) }, timeoutMs);
        return { channel, ok: true, text: `sent (${Math.round(performance.now() - started)} ms)` };
      } catch (error) {
        return {
          channel,
          ok: false,
          text: `FAILED: ${error instanceof Error ? error.message : String(error)} (${Math.round(performance.now() - started)} ms)`,
        };
      }
    }),
  );
  const width = Math.max(...channels.map((c) => `${c.name} (${c.kind})`.length));
  for (const r of results) io.out(`${`${r.channel.name} (${r.channel.kind})`.padEnd(width)}  ${r.text}`);
  const failed = results.filter((r) => !r.ok).length;
  io.out(
    failed === 0
      ? `all ${results.length} channel(s) took the test message`
      : `${failed} of ${results.length} channel(s) failed`,
  );
  return failed === 0 ? 0 : 1;
}

/** `failsoft alert`. */
export const alertCommand: CliCommand = {
  summary: 'alert test: send a test message to every alert channel and report each result',
  usage: USAGE,
  run: (argv, io) => runAlert(argv, io),
};
