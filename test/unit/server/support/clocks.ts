/**
 * Fake clocks for the server's tests.
 * - {@link ManualClock}: time stands still until `advance()`; timers fire only then, each at
 *   its due time, in order.
 * - {@link OffsetClock}: real time (to the microsecond) plus an offset; timers are real, and `jump()` moves time
 *   forward at once (for replaying recorded sleeps without sleeping).
 */
import { type Clock, microsecondTime, type TimerHandle } from "../../../../src/server/index.js";

export { ManualClock } from "../../../../src/testing/manual-clock.js";

interface FakeTimer {
  due: number;
  /** The delay it was set with. */
  ms?: number;
  seq: number;
  fn: () => void;
  real?: NodeJS.Timeout;
}

let seq = 0;

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
