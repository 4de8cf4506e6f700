/**
 * The server's source of time. Everything time-based in the server (scheduled jobs, retries,
 * reservation expiry, dead-set purge, worker reaping, FETCH and handshake timeouts) goes
 * through a {@link Clock}, so tests can replace it with a fake one.
 * @module
 */

/** An opaque timer handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown;

/** Time and timers. */
export interface Clock {
  /**
   * Current time in epoch milliseconds, fractional: the server keeps and writes timestamps to
   * the microsecond. A clock that returns whole milliseconds also works.
   */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds. Timers must not keep the process alive. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer; unknown or fired handles are ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/** Sources for {@link createMicrosecondTime}; tests pass fake ones. */
export interface TimeSources {
  /** Wall-clock epoch milliseconds, whole (`Date.now`). */
  wall(): number;
  /** A monotonic clock in fractional milliseconds (`performance.now`). */
  monotonic(): number;
  /** Epoch milliseconds at monotonic time 0 (`performance.timeOrigin`). */
  origin: number;
}

/** How far (ms) the monotonic estimate may drift from the wall clock before it is re-anchored. */
const MAX_DRIFT_MS = 1;

/**
 * A function giving epoch milliseconds with microsecond resolution: the monotonic clock plus
 * an offset, checked against the wall clock on every call. When the two disagree by more than
 * a millisecond (the wall clock was stepped, or the monotonic one drifted), the offset is
 * re-anchored to the middle of the wall clock's current millisecond.
 */
export function createMicrosecondTime(sources: TimeSources): () => number {
  let offset = sources.origin;
  return () => {
    const wall = sources.wall();
    const mono = sources.monotonic();
    const t = offset + mono;
    // the true time lies in [wall, wall + 1)
    if (t >= wall - MAX_DRIFT_MS && t < wall + 1 + MAX_DRIFT_MS) return t;
    offset = wall + 0.5 - mono;
    return wall + 0.5;
  };
}

/** Epoch milliseconds to the microsecond, from `performance.now()` kept in step with `Date.now()`. */
export const microsecondTime: () => number = createMicrosecondTime({
  wall: Date.now,
  monotonic: () => performance.now(),
  origin: performance.timeOrigin,
});

/** Real time ({@link microsecondTime}) and real, `unref()`'d timers. */
export const systemClock: Clock = {
  now: microsecondTime,
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return timer;
  },
  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle as NodeJS.Timeout);
  },
};
