/**
 * A manual clock for tests of code that uses the embedded server.
 * @module
 */
import type { Clock, TimerHandle } from "../server/clock.js";

interface ManualTimer {
  due: number;
  ms: number;
  seq: number;
  fn: () => void;
}

let seq = 0;

/**
 * A fake {@link Clock} for tests: time stands still until {@link ManualClock.advance} moves it,
 * and timers fire only then, each at its own due time, in order. Pass it to
 * `startTestServer({ clock })` to test scheduled jobs, retries and reservation expiry without
 * waiting. Its time starts at a fixed instant unless given one; schedule jobs relative to
 * `clock.now()`, since a client's `at: { in: ms }` counts from the real time.
 *
 * @example
 * ```ts
 * const clock = new ManualClock();
 * await using server = await startTestServer({ clock });
 * await client.push("Report", [1], { at: new Date(clock.now() + 60_000) });
 * clock.advance(60_000); // the scheduled job is now enqueued
 * ```
 */
export class ManualClock implements Clock {
  private readonly timers = new Set<ManualTimer>();
  private readonly armWaiters = new Set<{ ms: number; wake: () => void }>();

  /** @param time the starting time, epoch milliseconds (default 2026-11-28T09:00:00Z). */
  constructor(public time: number = Date.UTC(2026, 10, 28, 9, 0, 0)) {}

  /** The current (fake) time, epoch milliseconds. */
  now(): number {
    return this.time;
  }

  /** Sets a timer firing when {@link ManualClock.advance} reaches `now() + ms`. */
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: ManualTimer = { due: this.time + Math.max(0, ms), seq: seq++, fn, ms };
    this.timers.add(timer);
    for (const w of [...this.armWaiters])
      if (w.ms === ms) {
        this.armWaiters.delete(w);
        w.wake();
      }
    return timer;
  }

  /** Cancels a timer. */
  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as ManualTimer);
  }

  /**
   * Resolves once a timer of exactly `ms` is pending: at once if one already is, else when the
   * server arms one. Tests wait on this instead of sleeping, e.g. `armed(2000)` for a blocked
   * FETCH (whose 2 s timer is set synchronously when the server reads the line).
   */
  armed(ms: number, count = 1): Promise<void> {
    const pending = (): number => this.pendingWith(ms);
    if (pending() >= count) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = {
        ms,
        wake: () => {
          if (pending() >= count) resolve();
          else this.armWaiters.add(waiter);
        },
      };
      this.armWaiters.add(waiter);
    });
  }

  /** Number of pending timers set with a delay of exactly `ms`. */
  pendingWith(ms: number): number {
    let n = 0;
    for (const t of this.timers) if (t.ms === ms) n++;
    return n;
  }

  /** Number of pending timers. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing each due timer at its own due time. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      let next: ManualTimer | undefined;
      for (const t of this.timers)
        if (
          t.due <= target &&
          (next === undefined || t.due < next.due || (t.due === next.due && t.seq < next.seq))
        )
          next = t;
      if (next === undefined) break;
      this.timers.delete(next);
      this.time = Math.max(this.time, next.due);
      next.fn();
    }
    this.time = target;
  }
}
