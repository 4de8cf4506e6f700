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
  seq: number;
  fn: () => void;
  real?: NodeJS.Timeout;
}

let seq = 0;

/** A clock whose time only moves when told. */
export class ManualClock implements Clock {
  private readonly timers = new Set<FakeTimer>();

  constructor(public time: number = Date.UTC(2026, 10, 28, 9, 0, 0)) {}

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: FakeTimer = { due: this.time + Math.max(0, ms), seq: seq++, fn };
    this.timers.add(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as FakeTimer);
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

  now(): number {
    return microsecondTime() + this.offset;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: FakeTimer = { due: this.now() + Math.max(0, ms), seq: seq++, fn };
    this.timers.add(timer);
    this.arm(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    const timer = handle as FakeTimer;
    if (timer.real !== undefined) clearTimeout(timer.real);
    this.timers.delete(timer);
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
      t.fn();
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
        timer.fn();
      },
      Math.min(delay, 2 ** 31 - 1),
    );
    timer.real.unref();
  }
}
