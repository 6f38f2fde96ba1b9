/**
 * mulberry32: a tiny, fast, seeded PRNG. The simulator rolls fault `rate`s on it, and tests use it for reproducible jitter, so that a run with
 * the same seed and the same request sequence makes the same decisions.
 * @example const random = mulberry32(42); random() // 0.6011037519201636
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
