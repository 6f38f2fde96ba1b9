import { Cron } from 'croner';
import { z } from 'zod';
import { parseDurationText } from './duration.js';

/**
 * The `jobs:` and `planning:` sections of the configuration: AI cron jobs with their expected load, and how the
 * planner may move them. Structure only; cross-references (a job's provider) are checked in `jobs-config.ts`.
 */

/** Why a cron expression cannot be used, or undefined when croner accepts it as 5 fields, or 6 with seconds first. */
export function cronProblem(expression: string, timezone?: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  const nickname = fields.length === 1 && /^@(yearly|annually|monthly|weekly|daily|hourly)$/i.test(fields[0] ?? '');
  if (!nickname && fields.length !== 5 && fields.length !== 6) {
    return `"${expression}" has ${fields.length} field${fields.length === 1 ? '' : 's'}: write 5 (minute hour day month weekday) or 6 with seconds first`;
  }
  try {
    new Cron(expression, {
      paused: true,
      mode: '5-or-6-parts',
      ...(timezone === undefined ? {} : { timezone }),
    }).stop();
    return undefined;
  } catch (error) {
    return `"${expression}" is not a valid cron expression (${error instanceof Error ? error.message : String(error)})`;
  }
}

/** True when `name` is an IANA time zone this runtime knows (`Europe/Paris`, `UTC`). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const durationText = z
  .string()
  .refine((text) => parseDurationText(text) !== undefined, 'must be a duration like "30s", "20m" or "1h"');
const timeZone = z.string().refine(isTimeZone, 'must be an IANA time zone like "Europe/Paris" or "UTC"');
const count = z.number().int().min(0);
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be a time of day "HH:MM" (00:00 to 24:00)');

export const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/**
 * Reads a day list like `mon-fri`, `sat,sun`, `fri-mon` or `*` as weekday numbers (0 = Sunday); undefined when unreadable.
 * @example parseDays('mon-fri') // [1, 2, 3, 4, 5]
 */
export function parseDays(text: string): number[] | undefined {
  const t = text.trim().toLowerCase();
  if (t === '*' || t === 'daily' || t === 'every day') return [0, 1, 2, 3, 4, 5, 6];
  const days = new Set<number>();
  for (const part of t.split(',')) {
    const [from, to, extra] = part
      .trim()
      .split('-')
      .map((s) => DAY_NAMES.indexOf(s.trim().slice(0, 3) as (typeof DAY_NAMES)[number]));
    if (from === undefined || from < 0 || extra !== undefined || (to !== undefined && to < 0)) return undefined;
    for (let d = from; ; d = (d + 1) % 7) {
      days.add(d);
      if (to === undefined || d === to) break;
    }
  }
  return [...days].sort((a, b) => a - b);
}

const aiEstimateSchema = z.strictObject({
  /** A configured provider whose budget this job spends. */
  provider: z.string().min(1),
  /** Requests one run makes. */
  requests: count,
  inputTokens: count.optional(),
  outputTokens: count.optional(),
  /** How long one run spends them, in whole minutes (the load is spread evenly; default 1). */
  minutes: z.number().int().min(1).max(1440).optional(),
});

const retriesSchema = z.strictObject({
  max: z.number().int().min(0).max(100),
  backoff: durationText.optional(),
  multiplier: z.number().min(1).max(100).optional(),
});

export const jobSchema = z
  .strictObject({
    /** 5-field cron, or 6 with seconds first; needed to plan or run unless a crontab gives it (`plan --from-crontab`). */
    schedule: z.string().min(1).optional(),
    /** Time zone of the schedule (default: the machine's). */
    tz: timeZone.optional(),
    /** argv (no shell), or one command line when `shell: true`. */
    command: z.union([z.array(z.string().min(1)).min(1), z.string().min(1)]),
    shell: z.boolean().optional(),
    tier: z.enum(['enhanced', 'ai-only']).optional(),
    /** Lower number = more important: gets the earlier slots (default 5). */
    priority: z.number().int().min(0).max(1000).optional(),
    ai: aiEstimateSchema.optional(),
    /** How late the planner may start it after its schedule (default 0: never moved). */
    flex: durationText.optional(),
    timeout: durationText.optional(),
    killGrace: durationText.optional(),
    retries: retriesSchema.optional(),
    overlap: z.enum(['skip', 'queue', 'allow']).optional(),
    catchUp: z.enum(['none', 'once']).optional(),
  })
  .superRefine((job, ctx) => {
    if (job.schedule !== undefined && (job.tz === undefined || isTimeZone(job.tz))) {
      const problem = cronProblem(job.schedule, job.tz);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['schedule'], message: problem });
    }
    if (typeof job.command === 'string' && job.shell !== true) {
      ctx.addIssue({
        code: 'custom',
        path: ['command'],
        message:
          'a command line as one string needs `shell: true`; otherwise write it as an argv list ["/path/to/job", "--flag"]',
      });
    }
  });

const avoidSchema = z
  .strictObject({
    /** `mon-fri`, `sat,sun`, `*` (default every day). */
    days: z
      .string()
      .refine((text) => parseDays(text) !== undefined, 'must be days like "mon-fri", "sat,sun" or "*"')
      .optional(),
    from: clock,
    to: clock,
    tz: timeZone.optional(),
  })
  .refine((w) => w.from !== w.to, { message: 'from and to are the same time: the window is empty', path: ['to'] });

export const planningSchema = z.strictObject({
  /** Share of each provider budget kept free for interactive traffic (default 0.2). */
  reserve: z.number().min(0).max(0.95).optional(),
  /** Windows jobs should not run in, where their flex allows. */
  avoid: z.array(avoidSchema).optional(),
});

export const schedulerSchema = z.strictObject({
  /** The gateway jobs call (their OPENAI_BASE_URL / ANTHROPIC_BASE_URL) when the runner runs outside `serve`. */
  gatewayUrl: z
    .string()
    .refine(
      (text) => /^https?:\/\/[^/\s]+\/?$/.test(text),
      'must be a gateway base URL like "http://127.0.0.1:8787" (no path: /v1 is added for OpenAI SDKs)',
    )
    .optional(),
  /** How long a runner's claim on a run holds without renewal; a run whose owner died is taken over after it (default 30s). */
  lease: durationText.refine((text) => (parseDurationText(text) ?? 0) >= 3_000, 'must be at least 3s').optional(),
});

export const jobNameSchema = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'job names use letters, digits, _ . -');

export type JobConfig = z.infer<typeof jobSchema>;
export type PlanningConfig = z.infer<typeof planningSchema>;
export type SchedulerConfig = z.infer<typeof schedulerSchema>;
