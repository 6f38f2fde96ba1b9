/**
 * A bucketed sliding window of counters: the window is split into `buckets` slots of
 * `windowMs / buckets` each; a slot is cleared when time moves past it. Every call is O(1) amortised
 * (at most `buckets` slots are cleared per call, and only when time has moved on). The window covers
 * between `windowMs - slotMs` and `windowMs` of history, an approximation good to one slot.
 */
export class SlidingWindow {
  private readonly slotMs: number;
  private readonly slots: Float64Array;
  private readonly totals: Float64Array;
  private headSlot = Number.NEGATIVE_INFINITY;

  /**
   * @param windowMs length of the window
   * @param fields number of independent counters kept per slot (e.g. 2: requests and retries)
   * @param buckets number of slots (default 10)
   * @example const w = new SlidingWindow(60_000, 2); w.add(0, now); w.total(0, now) // 1
   */
  constructor(
    windowMs: number,
    private readonly fields: number,
    private readonly buckets = 10,
  ) {
    if (!(windowMs > 0) || !Number.isFinite(windowMs))
      throw new RangeError('windowMs must be a positive finite number');
    if (!Number.isInteger(buckets) || buckets < 1) throw new RangeError('buckets must be a positive integer');
    this.slotMs = windowMs / buckets;
    this.slots = new Float64Array(buckets * fields);
    this.totals = new Float64Array(fields);
  }

  /** Adds `amount` (default 1) to counter `field` at time `nowMs`. */
  add(field: number, nowMs: number, amount = 1): void {
    const slot = this.advance(nowMs);
    const index = this.slotIndex(slot) * this.fields + field;
    this.slots[index] = (this.slots[index] ?? 0) + amount;
    this.totals[field] = (this.totals[field] ?? 0) + amount;
  }

  /** The sum of counter `field` over the window ending at `nowMs`. */
  total(field: number, nowMs: number): number {
    this.advance(nowMs);
    return this.totals[field] ?? 0;
  }

  /** Clears every counter. */
  reset(): void {
    this.slots.fill(0);
    this.totals.fill(0);
  }

  /** Moves the head to the slot of `nowMs`, clearing the slots that left the window. A clock that goes back stays in the head slot. */
  private advance(nowMs: number): number {
    const slot = Math.floor(nowMs / this.slotMs);
    if (slot <= this.headSlot) return this.headSlot;
    const from =
      this.headSlot === Number.NEGATIVE_INFINITY ? slot : Math.max(this.headSlot + 1, slot - this.buckets + 1);
    for (let s = from; s <= slot; s++) {
      const base = this.slotIndex(s) * this.fields;
      for (let f = 0; f < this.fields; f++) {
        const value = this.slots[base + f] ?? 0;
        if (value !== 0) {
          this.totals[f] = (this.totals[f] ?? 0) - value;
          this.slots[base + f] = 0;
        }
      }
    }
    this.headSlot = slot;
    return slot;
  }

  private slotIndex(slot: number): number {
    return ((slot % this.buckets) + this.buckets) % this.buckets;
  }
}
