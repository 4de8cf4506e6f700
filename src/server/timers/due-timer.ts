/**
 * One timer armed for the earliest due time of something (a sorted set, the reservations, the
 * workers). Arming for a later time than the armed one is a no-op; an earlier time re-arms.
 * When it fires it runs its task, which re-arms it for whatever is due next. No polling.
 * @module
 */
import type { Clock, TimerHandle } from "../clock.js";

/** setTimeout's longest delay; longer waits fire early and re-arm. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/** A timer for the earliest due time. */
export class DueTimer {
  private handle: TimerHandle | undefined;
  private armedAt = Number.POSITIVE_INFINITY;

  /** `task` runs when the armed time is reached; it should call {@link arm} for the next one. */
  constructor(
    private readonly clock: Clock,
    private readonly task: () => void,
  ) {}

  /** Makes sure the timer fires at `at` (epoch ms) or earlier; `undefined` does nothing. */
  arm(at: number | undefined): void {
    if (at === undefined || at >= this.armedAt) return;
    this.cancel();
    this.armedAt = at;
    const delay = Math.min(Math.max(at - this.clock.now(), 0), MAX_DELAY_MS);
    this.handle = this.clock.setTimeout(this.fire, delay);
  }

  /** Disarms the timer. */
  cancel(): void {
    if (this.handle !== undefined) this.clock.clearTimeout(this.handle);
    this.handle = undefined;
    this.armedAt = Number.POSITIVE_INFINITY;
  }

  private readonly fire = (): void => {
    this.handle = undefined;
    this.armedAt = Number.POSITIVE_INFINITY;
    this.task();
  };
}
