/**
 * The live progress of the demo on stderr: on a terminal one line redrawn in place (the simulated clock and the
 * running counts), elsewhere (CI, a pipe) plain lines, one per thing that happened, so a log reads as the story.
 */
import type { TrafficSample } from './traffic.js';

/** Where progress goes. */
export interface ProgressOutput {
  /** A terminal: redraw one line. */
  isTTY: boolean;
  /** The terminal's width: the live line is cut to it (a wrapped line cannot be redrawn in place). */
  columns?: number;
  write(text: string): void;
}

/** The running counts a progress line shows. */
export interface ProgressCounts {
  core: { requests: number; ok: number };
  enhanced: { requests: number; fallback: number };
  aiOnly: { requests: number; refused: number };
  alerts: number;
}

/**
 * Tallies the samples so far.
 * @example countSamples(traffic.samples()).core.ok
 */
export function countSamples(samples: readonly TrafficSample[], alerts = 0): ProgressCounts {
  const counts: ProgressCounts = {
    core: { requests: 0, ok: 0 },
    enhanced: { requests: 0, fallback: 0 },
    aiOnly: { requests: 0, refused: 0 },
    alerts,
  };
  for (const s of samples) {
    if (s.kind === 'core') {
      counts.core.requests += 1;
      if (s.status >= 200 && s.status < 300) counts.core.ok += 1;
    } else if (s.kind === 'enhanced') {
      counts.enhanced.requests += 1;
      if (s.source === 'fallback') counts.enhanced.fallback += 1;
    } else {
      counts.aiOnly.requests += 1;
      if (s.status === 503) counts.aiOnly.refused += 1;
    }
  }
  return counts;
}

/**
 * One progress line: `14:05  core 410/410 ok · summary 410 (38 fallback) · chat 410 (52 refused) · alerts 1 · gemini rate-limits`.
 */
export function progressLine(clock: string, counts: ProgressCounts, latest: string): string {
  return (
    `${clock}  core ${counts.core.ok}/${counts.core.requests} ok · summary ${counts.enhanced.requests} (${counts.enhanced.fallback} fallback) · ` +
    `chat ${counts.aiOnly.requests} (${counts.aiOnly.refused} refused) · alerts ${counts.alerts}${latest === '' ? '' : ` · ${latest}`}`
  );
}

/** Progress on a terminal or in a log. */
export class Progress {
  private drawn = false;

  constructor(private readonly out: ProgressOutput) {}

  /** The live line (a terminal only: a log gets `event`s, not a line every tick). */
  update(line: string): void {
    if (!this.out.isTTY) return;
    const width = this.out.columns;
    this.out.write(
      `\r\u001b[2K${width !== undefined && width > 1 && line.length >= width ? `${line.slice(0, width - 2)}…` : line}`,
    );
    this.drawn = true;
  }

  /** Something happened: a line of its own, above the live line. */
  event(line: string): void {
    this.out.write(this.out.isTTY && this.drawn ? `\r\u001b[2K${line}\n` : `${line}\n`);
  }

  /** Leaves the live line (the report follows). */
  end(): void {
    if (this.out.isTTY && this.drawn) this.out.write('\r\u001b[2K');
    this.drawn = false;
  }
}
