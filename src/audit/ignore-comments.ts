import type { Comment } from 'oxc-parser';

/**
 * `// failsoft-audit-ignore: reason` comments: one on an import's line, or alone on the line above it, exempts
 * that import (or literal host) from the audit. The reason is required: it is what a reviewer reads.
 */

const MARKER = 'failsoft-audit-ignore';

/** Offsets where each line starts, for turning parser offsets into 1-based line numbers. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  /** The 1-based line holding `offset`. */
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** Whether only blanks stand between `from` and `to` (offsets on one line or across line ends). */
  blank(from: number, to: number): boolean {
    return this.text.slice(from, to).trim() === '';
  }

  /** Offset where `line` starts, or the text's end past the last line. */
  startOf(line: number): number {
    return this.starts[line - 1] ?? this.text.length;
  }
}

/** The ignore comments of one file, by the lines they cover. */
export interface IgnoreComments {
  /** The reason exempting an import that starts on `firstLine` and ends on `lastLine`, if any. */
  reasonFor(firstLine: number, lastLine: number): string | undefined;
  /** Ignore comments without a reason (they exempt nothing), by line. */
  missingReasons: number[];
}

/** Reads the file's `failsoft-audit-ignore` comments. */
export function ignoreComments(comments: readonly Comment[], lines: LineIndex): IgnoreComments {
  const sameLine = new Map<number, string>();
  const nextLine = new Map<number, string>();
  const missingReasons: number[] = [];
  for (const comment of comments) {
    const body = comment.value.replace(/^[\s*]+/, '');
    if (!body.startsWith(MARKER)) continue;
    const rest = body.slice(MARKER.length);
    const reason = rest.startsWith(':')
      ? rest
          .slice(1)
          .replace(/\s*\*?\s*$/, '')
          .trim()
      : '';
    const first = lines.lineOf(comment.start);
    const last = lines.lineOf(comment.end);
    if (reason === '') {
      missingReasons.push(first);
      continue;
    }
    for (let line = first; line <= last; line++) sameLine.set(line, reason);
    // Alone on its line(s): it speaks for the next line.
    if (lines.blank(lines.startOf(first), comment.start) && lines.blank(comment.end, lines.startOf(last + 1)))
      nextLine.set(last + 1, reason);
  }
  return {
    missingReasons,
    reasonFor(firstLine, lastLine) {
      for (let line = firstLine; line <= lastLine; line++) {
        const reason = sameLine.get(line);
        if (reason !== undefined) return reason;
      }
      return nextLine.get(firstLine);
    },
  };
}
