/**
 * A FIFO queue with O(1) amortised push and shift: an array with a moving head that is
 * compacted when the consumed prefix grows large.
 */
export class Deque<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  /** Number of items. */
  get length(): number {
    return this.items.length - this.head;
  }

  /** Appends at the tail. */
  push(item: T): void {
    this.items.push(item);
  }

  /** Removes and returns the head. */
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** The head, left in place. */
  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  /** Up to `limit` items from position `offset` (0 = head), head first. */
  slice(offset: number, limit: number): T[] {
    const start = this.head + Math.max(0, offset);
    return this.items.slice(start, start + Math.max(0, limit)) as T[];
  }

  /** Removes the first item for which `match` is true; `false` when none matched. O(n). */
  removeFirst(match: (item: T) => boolean): boolean {
    for (let i = this.head; i < this.items.length; i++) {
      if (match(this.items[i] as T)) {
        this.items.splice(i, 1);
        if (this.head >= this.items.length) {
          this.items = [];
          this.head = 0;
        }
        return true;
      }
    }
    return false;
  }
}
