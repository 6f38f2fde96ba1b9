/**
 * The scheduler: the planner places AI cron jobs inside the providers' rate budgets (`planJobs` is pure: the period
 * start comes in; `failsoft plan` prints it), and the runner fires them at their planned slots (`JobRunner`,
 * `startJobRunner`: `failsoft run-jobs`, and `failsoft serve` when the config has jobs).
 */
export { planJobs } from './plan-jobs.js';
export type {
  BudgetDimension,
  JobOverflow,
  OverflowSpan,
  Plan,
  PlanInput,
  PlanJob,
  PlannedJob,
  ProviderPeak,
} from './plan-types.js';
export {
  crontabCommand,
  crontabJobs,
  parseCrontab,
  renderCrontab,
  type CrontabEntry,
  type CrontabJobs,
} from './crontab.js';
export { planJson, planText } from './plan-report.js';
export { weekStartUtc } from './zoned-time.js';
export { JobRunner, type JobRunnerOptions } from './runner.js';
export { startJobRunner, type JobRunnerHost, type StartedJobRunner } from './start-job-runner.js';
export { slottedJobs, type RunnerPlan } from './runner-plan.js';
export { JobSlots, runId, type SlottedJob } from './job-slots.js';
export { executeRun, retryDelayMs, type JobEventSink } from './run-attempts.js';
export { startProcess, failureReason, type ProcessOutcome, type ProcessSpec } from './run-process.js';
export { jobEnv, type JobGateway } from './job-env.js';
export { jobKeys, withJobClients, type JobKeys } from './job-keys.js';
export { canServe, gatewayAvailability, type AiAvailability } from './ai-availability.js';
