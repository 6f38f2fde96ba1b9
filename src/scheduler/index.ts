/**
 * The scheduler's planner: places AI cron jobs inside the providers' rate budgets. `planJobs` is pure (the
 * period start comes in); the CLI (`failsoft plan`) and, later, the job runner read its plan as data.
 */
export { planJobs } from './plan-jobs.js';
export type { BudgetDimension, JobOverflow, OverflowSpan, Plan, PlanInput, PlanJob, PlannedJob, ProviderPeak } from './plan-types.js';
export { crontabCommand, crontabJobs, parseCrontab, renderCrontab, type CrontabEntry, type CrontabJobs } from './crontab.js';
export { planJson, planText } from './plan-report.js';
export { weekStartUtc } from './zoned-time.js';
