/**
 * Fake clocks for the server's tests.
 * - {@link ManualClock}: time stands still until `advance()`; timers fire only then, each at
 *   its due time, in order.
 * - {@link OffsetClock}: real time (to the microsecond) plus an offset; timers are real, and `jump()` moves time
 *   forward at once (for replaying recorded sleeps without sleeping).
 */
import { type Clock, microsecondTime, type TimerHandle } from "../../../../src/server/index.js";

interface FakeTimer {
  due: number;
  /** The delay it was set with. */
  ms?: number;
  seq: number;
  fn: () => void;
  real?: NodeJS.Timeout;
}

let seq = 0;

/** A clock whose time only moves when told. */
export class ManualClock implements Clock {
  private readonly timers = new Set<FakeTimer>();
  private readonly armWaiters = new Set<{ ms: number; wake: () => void }>();

  constructor(public time: number = Date.UTC(2026, 10, 28, 9, 0, 0)) {}

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: FakeTimer = { due: this.time + Math.max(0, ms), seq: seq++, fn, ms };
    this.timers.add(timer);
    for (const w of [...this.armWaiters])
      if (w.ms === ms) {
        this.armWaiters.delete(w);
        w.wake();
      }
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as FakeTimer);
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
      let next: FakeTimer | undefined;
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

/**
 * Real time shifted by an offset. Timers are real `setTimeout`s (unref'd); `jump(ms)` adds to
 * the offset, then fires the timers now overdue (late, like a server that slept) and re-arms
 * the others for their remaining time.
 */
export class OffsetClock implements Clock {
  private offset = 0;
  private readonly timers = new Set<FakeTimer>();
  private readonly firedByDelay = new Map<number, number>();

  now(): number {
    return microsecondTime() + this.offset;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: FakeTimer = { due: this.now() + Math.max(0, ms), seq: seq++, fn, ms };
    this.timers.add(timer);
    this.arm(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    const timer = handle as FakeTimer;
    if (timer.real !== undefined) clearTimeout(timer.real);
    this.timers.delete(timer);
  }

  /**
   * How many timers set with a delay of exactly `ms` have fired so far: e.g. `fired(2000)`
   * counts FETCH calls answered by their timeout rather than by a job.
   */
  fired(ms: number): number {
    return this.firedByDelay.get(ms) ?? 0;
  }

  private fire(timer: FakeTimer): void {
    if (timer.ms !== undefined) this.firedByDelay.set(timer.ms, this.fired(timer.ms) + 1);
    timer.fn();
  }

  /** Moves time forward by `ms` at once. */
  jump(ms: number): void {
    this.offset += ms;
    const now = this.now();
    const due = [...this.timers].filter((t) => t.due <= now).sort((a, b) => a.due - b.due || a.seq - b.seq);
    for (const t of this.timers) {
      if (t.real !== undefined) clearTimeout(t.real);
      t.real = undefined;
    }
    for (const t of due) {
      if (!this.timers.has(t)) continue;
      this.timers.delete(t);
      this.fire(t);
    }
    for (const t of this.timers) if (t.real === undefined) this.arm(t);
  }

  private arm(timer: FakeTimer): void {
    const delay = Math.max(0, timer.due - this.now());
    timer.real = setTimeout(
      () => {
        timer.real = undefined;
        if (!this.timers.has(timer)) return;
        if (timer.due > this.now()) {
          this.arm(timer);
          return;
        }
        this.timers.delete(timer);
        this.fire(timer);
      },
      Math.min(delay, 2 ** 31 - 1),
    );
    timer.real.unref();
  }
}
