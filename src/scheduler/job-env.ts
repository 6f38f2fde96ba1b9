/** Where a job's AI calls go: the gateway's base URL, and the job's own client key when the runner made one. */
export interface JobGateway {
  /** e.g. `http://127.0.0.1:8787` (no trailing slash, no `/v1`). */
  url: string;
  /** Key per job name, presented by the job's SDK as its API key: the gateway knows it as a batch-priority client. */
  keys?: Readonly<Record<string, string>>;
}

/** What one attempt of a run is. */
export interface JobRunIdentity {
  job: string;
  runId: string;
  /** The planned slot (ms). */
  plannedAt: number;
  attempt: number;
}

/**
 * The environment of a job's attempt: the runner's own, plus `FAILSOFT_JOB`, `FAILSOFT_RUN_ID`, `FAILSOFT_SCHEDULED_AT`
 * (ISO time of the planned slot) and `FAILSOFT_ATTEMPT`; with a gateway, `OPENAI_BASE_URL` (`…/v1`) and
 * `ANTHROPIC_BASE_URL`, so the job's existing OpenAI and Anthropic SDK calls go through failsoft unchanged, and its
 * API key variables set to the job's client key (or, without one, to a placeholder when unset: SDKs refuse to start
 * without a key, and the gateway, open, does not read it).
 * @example jobEnv({ PATH: '/usr/bin' }, { job: 'digest', runId: 'digest@…', plannedAt: 0, attempt: 1 }, { url: 'http://127.0.0.1:8787' }).OPENAI_BASE_URL // 'http://127.0.0.1:8787/v1'
 */
export function jobEnv(
  base: Readonly<Record<string, string | undefined>>,
  run: JobRunIdentity,
  gateway: JobGateway | undefined,
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {
    ...base,
    FAILSOFT_JOB: run.job,
    FAILSOFT_RUN_ID: run.runId,
    FAILSOFT_SCHEDULED_AT: new Date(run.plannedAt).toISOString(),
    FAILSOFT_ATTEMPT: String(run.attempt),
  };
  if (gateway === undefined) return env;
  const url = gateway.url.replace(/\/+$/, '');
  env.OPENAI_BASE_URL = `${url}/v1`;
  env.ANTHROPIC_BASE_URL = url;
  const key = gateway.keys?.[run.job];
  if (key !== undefined) {
    env.OPENAI_API_KEY = key;
    env.ANTHROPIC_API_KEY = key;
  } else {
    env.OPENAI_API_KEY ||= 'failsoft-job';
    env.ANTHROPIC_API_KEY ||= 'failsoft-job';
  }
  return env;
}
