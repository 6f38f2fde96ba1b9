/**
 * `failsoft demo`'s day: starts the stack, replays 08:00 to 24:00 in compressed time (traffic all day, the jobs
 * at 09:00, the outage from noon, recovery at 23:00), waits for the incident to close and its alert to arrive,
 * then reads the record and builds the report from what was measured.
 */
import { loadavg } from 'node:os';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { systemClock } from '../model/clock.js';
import type { IncidentDetailJson } from '../store/timeline-json.js';
import {
  FEATURES,
  JOB_MODEL,
  JOB_PROVIDER,
  JOB_REHEARSAL_SIM_PROVIDER,
  JOB_RPM,
  JOB_SIM_PROVIDER,
  demoRetryAfterS,
} from './demo-config.js';
import { startDemoStack, type DemoStack, type DemoStackOptions } from './demo-stack.js';
import { DemoTime, clockText, dayOf } from './demo-time.js';
import { withExpectations } from './expectations.js';
import { compareJobs, demoJobDelays, directCall, gatewayCall, type JobsComparison } from './jobs-comparison.js';
import { Progress, countSamples, progressLine, type ProgressOutput } from './progress.js';
import { buildReport, toSimulatedTime, type DemoReport } from './report.js';
import { DAY, demoScenario, runScenario } from './scenario.js';
import { startTraffic, type RunningTraffic } from './traffic.js';

/** Options of `runDemo`. */
export interface DemoOptions {
  /** Simulated seconds per real second (3600: an hour a second). */
  speed: number;
  /** Where progress goes (stderr). */
  progress: ProgressOutput;
  /** Port of the gateway (default 0: any free one; `--keep` users may want a fixed one). */
  port?: number;
  /** Leave the stack running after the report (the caller closes it). */
  keep?: boolean;
  /** The dashboard, when the package has one: built from the running parts. */
  pages?: DemoStackOptions['pages'];
  /** A request to each kind every this many real ms (default 100). */
  tickMs?: number;
}

/** The outcome of a run. */
export interface DemoRun {
  report: DemoReport;
  /** Each incident of the run, in simulated time, as `failsoft incident --json` gives it (for the timeline). */
  incidents: IncidentDetailJson[];
  /** With `keep`: the running stack (close it when done). */
  stack?: DemoStack;
}

const DEFAULT_TICK_MS = 100;
/** The jobs' minutes play at one per 3 s: a per-minute budget refills slowly next to a burst of real calls, even on a busy machine. */
const JOBS_SPEED = 20;

/**
 * Runs the demo and returns its report.
 * @example const { report } = await runDemo({ speed: 3600, progress: { isTTY: false, write: (t) => process.stderr.write(t) } });
 */
export async function runDemo(options: DemoOptions): Promise<DemoRun> {
  const began = performance.now();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  // Simulated seconds per real second is simulated ms per real ms.
  const { speed } = options;
  const simDay = dayOf(Date.now());
  let time = new DemoTime(speed, Date.now(), simDay + 8 * 3_600_000);
  let started = false;
  const progress = new Progress(options.progress);
  const stack = await startDemoStack({
    time,
    simNow: () => (started ? time.simAt(Date.now()) : time.simStart),
    port: options.port ?? 0,
    ...(options.pages ? { pages: options.pages } : {}),
  });
  let keepStack = false;
  let ticker: NodeJS.Timeout | undefined;
  let traffic: RunningTraffic | undefined;
  let stopScenario: (() => void) | undefined;
  try {
    // The day starts now that everything listens (opening the core's database is the slow part of start-up).
    const setupMs = performance.now() - began;
    loopDelay.enable();
    time = new DemoTime(speed, Date.now(), time.at(DAY.start), {
      from: time.at(DAY.jobsDue),
      to: time.at(DAY.jobsSlowEnd),
      speed: JOBS_SPEED,
    });
    started = true;
    const simIso = (realMs: number): string => new Date(time.simAt(realMs)).toISOString();
    const now = (): string => clockText(time.simAt(Date.now()), dayOf(time.simStart));
    progress.event(
      `failsoft demo: ${DAY.start}–${DAY.end} at ${speed}× (${DAY.jobsDue}–${DAY.jobsSlowEnd} at ${JOBS_SPEED}×, the jobs' minutes): ${((time.realAt(time.at(DAY.end)) - time.realStart) / 1000).toFixed(1)} s; gateway ${stack.gateway.url}, core API ${stack.core.url}`,
    );

    let latest = 'morning traffic';
    const scenario = runScenario(demoScenario(demoRetryAfterS(time)), time, systemClock, (step) => {
      if (step.faults) stack.sim.setFaults(step.faults);
      latest = step.label;
      progress.event(`${step.at}  ${step.label}`);
    });
    stopScenario = scenario.stop;
    const users = startTraffic(
      {
        gatewayUrl: stack.gateway.url,
        coreUrl: stack.core.url,
        enhancedFeature: FEATURES.enhanced,
        aiOnlyFeature: FEATURES.aiOnly,
      },
      options.tickMs ?? DEFAULT_TICK_MS,
    );
    traffic = users;
    const delays = demoJobDelays(time, JOB_PROVIDER, JOB_RPM);
    const jobs: Promise<JobsComparison> = compareJobs(
      time,
      delays,
      directCall(`${stack.sim.url}/${JOB_REHEARSAL_SIM_PROVIDER}`, JOB_MODEL),
      gatewayCall(stack.gateway.url, FEATURES.jobs),
      (which) =>
        stack.sim.stats()[which === 'naive' ? JOB_REHEARSAL_SIM_PROVIDER : JOB_SIM_PROVIDER]?.statuses['429'] ?? 0,
    ).then((result) => {
      progress.event(
        `${now()}  jobs: naive (all at ${DAY.jobsDue}) ${result.naive.rateLimited} × 429; planned (delays ${Object.values(delays).join(', ')} min) ${result.planned.rateLimited} × 429`,
      );
      return result;
    });
    let alertsSeen = 0;
    const newAlerts = (): void => {
      const received = stack.alerts.received();
      for (const alert of received.slice(alertsSeen)) {
        progress.event(
          `${clockText(time.simAt(alert.at), dayOf(time.simStart))}  alert delivered: ${alert.status} ${alert.severity} — ${alert.summary}`,
        );
      }
      alertsSeen = received.length;
    };
    ticker = setInterval(() => {
      newAlerts();
      progress.update(progressLine(now(), countSamples(users.samples(), alertsSeen), latest));
    }, 100);

    await scenario.done;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, time.realAt(time.at(DAY.end)) - Date.now())));
    await users.stop();
    const jobsResult = await jobs;
    // The incident closes once everything was healthy for its quiet period; its resolved alert follows.
    const settleMs = Math.max(3_000, time.real(2 * 3_600_000));
    const until = Date.now() + settleMs;
    while (stack.records.tracker.current !== undefined && Date.now() < until)
      await new Promise((resolve) => setTimeout(resolve, 25));
    const opened = new Set(
      stack.alerts
        .received()
        .filter((a) => a.status === 'firing')
        .map((a) => a.incidentId),
    );
    for (const id of opened)
      await stack.alerts.waitFor(
        (a) => a.status === 'resolved' && a.incidentId === id,
        Math.max(0, until - Date.now()),
      );
    clearInterval(ticker);
    newAlerts();
    progress.end();

    const incidents = await readIncidents(stack, time.realStart - 60_000, simIso, speed);
    const report = withExpectations(
      buildReport({
        speed,
        wallMs: performance.now() - began,
        setupMs,
        machine: machineFigures(loopDelay),
        samples: users.samples(),
        jobs: jobsResult,
        alerts: stack.alerts.received(),
        incidents,
        simIso,
      }),
    );
    keepStack = options.keep === true;
    return { report, incidents, ...(keepStack ? { stack } : {}) };
  } finally {
    clearInterval(ticker);
    stopScenario?.();
    loopDelay.disable();
    // A run that failed part-way stops its users before the stack goes.
    await traffic?.stop(0);
    if (!keepStack) await stack.close();
  }
}

/** This process's event-loop delay over the run (ns in the histogram), and the box's load: a busy machine explains slow answers. */
function machineFigures(loopDelay: IntervalHistogram): DemoReport['machine'] {
  const ms = (ns: number): number => Math.round(ns / 1e5) / 10;
  return {
    eventLoopDelayP99Ms: ms(loopDelay.percentile(99)),
    eventLoopDelayMaxMs: ms(loopDelay.max),
    loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** The run's incidents from the record, oldest first, in simulated time. */
async function readIncidents(
  stack: DemoStack,
  since: number,
  simIso: (realMs: number) => string,
  speed: number,
): Promise<IncidentDetailJson[]> {
  const list = await stack.records.incidents.list({ since });
  const details: IncidentDetailJson[] = [];
  for (const summary of [...list].sort((a, b) => a.openedAt.localeCompare(b.openedAt))) {
    const detail = await stack.records.incidents.get(summary.id);
    if (detail) details.push(toSimulatedTime(detail, simIso, speed));
  }
  return details;
}
