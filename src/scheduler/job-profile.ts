/**
 * The minutes of the period a job occupies when it starts at its scheduled times: sorted unique minute offsets,
 * how many of its runs are active in each, and where the contiguous stretch holding each begins (for skipping
 * ahead past a conflict).
 */
export interface JobProfile {
  minutes: Int32Array;
  counts: Int32Array;
  /** For each entry, the minute where its contiguous stretch begins. */
  stretchStart: Int32Array;
}

/**
 * Builds a job's profile from its run starts (minute offsets into the period) and run length, wrapping at the
 * period's end (the period repeats).
 * @example jobProfile([540], 2, 1440).minutes // Int32Array [540, 541]
 */
export function jobProfile(startOffsets: readonly number[], runMinutes: number, periodMinutes: number): JobProfile {
  const all: number[] = [];
  for (const start of startOffsets) for (let j = 0; j < runMinutes; j++) all.push((start + j) % periodMinutes);
  all.sort((a, b) => a - b);
  const minutes: number[] = [];
  const counts: number[] = [];
  for (const m of all) {
    if (minutes.length > 0 && minutes[minutes.length - 1] === m)
      counts[counts.length - 1] = (counts[counts.length - 1] as number) + 1;
    else {
      minutes.push(m);
      counts.push(1);
    }
  }
  const stretchStart = new Int32Array(minutes.length);
  for (let i = 0; i < minutes.length; i++) {
    stretchStart[i] =
      i > 0 && minutes[i] === (minutes[i - 1] as number) + 1 ? (stretchStart[i - 1] as number) : (minutes[i] as number);
  }
  return { minutes: Int32Array.from(minutes), counts: Int32Array.from(counts), stretchStart };
}
