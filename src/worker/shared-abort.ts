/**
 * One `abort` listener on a signal, shared by any number of waiters. A worker's slots all wait
 * on the worker's stop signal (reconnect backoff); each adding its own listener put more than
 * ten on one `AbortSignal` when many slots reconnected at once, and Node printed
 * `MaxListenersExceededWarning`. Waiters register here instead, and are removed when their
 * wait ends.
 * @module
 */

/**
 * Fans one signal's `abort` out to many waiters.
 * @example
 * ```ts
 * const stop = new SharedAbort(controller.signal);
 * await stop.sleep(250); // rejects with the signal's reason if it aborts first
 * ```
 */
export class SharedAbort {
  private readonly waiters = new Set<() => void>();

  constructor(
    /** The signal listened to (one listener, added here). */
    readonly signal: AbortSignal,
  ) {
    if (!signal.aborted)
      signal.addEventListener(
        "abort",
        () => {
          const waiters = [...this.waiters];
          this.waiters.clear();
          for (const wake of waiters) wake();
        },
        { once: true },
      );
  }

  /** Whether the signal has aborted. */
  get aborted(): boolean {
    return this.signal.aborted;
  }

  /** Waiters registered now (for tests and health checks). */
  get size(): number {
    return this.waiters.size;
  }

  /** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.signal.aborted) {
        reject(this.signal.reason);
        return;
      }
      const wake = (): void => {
        clearTimeout(timer);
        reject(this.signal.reason);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        resolve();
      }, ms);
      this.waiters.add(wake);
    });
  }
}
