/**
 * FETCH calls blocked on empty queues, listed per queue name so a push wakes the longest
 * waiting FETCH at once (like Redis BRPOP), with no polling. An idle waiter costs one timer.
 * @module
 */
import type { QueuedJob } from "./storage/storage.js";

/** One blocked FETCH. */
export interface FetchWaiter {
  /** The distinct queue names it waits on, in the order given. */
  readonly queues: readonly string[];
  /** Hands it a job (already removed from its queue). */
  deliver(job: QueuedJob): void;
}

/** Blocked FETCH calls by queue, oldest first. */
export class FetchWaiters {
  private readonly byQueue = new Map<string, Set<FetchWaiter>>();

  /** Lists a waiter under each of its queues. */
  add(waiter: FetchWaiter): void {
    for (const queue of waiter.queues) {
      let set = this.byQueue.get(queue);
      if (set === undefined) {
        set = new Set();
        this.byQueue.set(queue, set);
      }
      set.add(waiter);
    }
  }

  /** Unlists a waiter (after delivery, timeout or disconnect). */
  remove(waiter: FetchWaiter): void {
    for (const queue of waiter.queues) {
      const set = this.byQueue.get(queue);
      if (set === undefined) continue;
      set.delete(waiter);
      if (set.size === 0) this.byQueue.delete(queue);
    }
  }

  /** The longest-waiting FETCH on `queue`. */
  first(queue: string): FetchWaiter | undefined {
    const set = this.byQueue.get(queue);
    if (set === undefined) return undefined;
    for (const waiter of set) return waiter;
    return undefined;
  }
}
