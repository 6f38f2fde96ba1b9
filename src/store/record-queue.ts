/**
 * A first-in first-out queue with O(1) push, shift and drop-oldest (an array and a moving head, compacted
 * now and then), for the record writer's buffer.
 * @example const q = new RecordQueue<number>(); q.push(1); q.shift(); // 1
 */
export class RecordQueue<T> {
  private items: T[] = [];
  private head = 0;

  /** Records waiting. */
  get length(): number {
    return this.items.length - this.head;
  }

  /** Adds at the back. */
  push(item: T): void {
    this.items.push(item);
  }

  /** Removes and returns the front (oldest), or undefined. */
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined as T; // let it be collected
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}
