/**
 * When to try again after a connection failure. A strategy gets the attempt number (1 for the
 * first retry) and the error, and returns the delay in milliseconds, or `null` to give up.
 */
export type RetryStrategy = (attempt: number, error: Error) => number | null;

/** Settings of {@link exponentialBackoff}. */
export interface BackoffOptions {
  /** Delay of the first retry, in ms (default 50). */
  baseMs?: number;
  /** Largest delay, in ms (default 5000). */
  maxMs?: number;
  /** Attempts before giving up; `Infinity` never gives up (default 10). */
  maxAttempts?: number;
  /** Random source in [0, 1) (default `Math.random`), injectable for tests. */
  random?: () => number;
}

/**
 * Capped exponential backoff with full jitter: a random delay in `[0, min(max, base * 2^(n-1))]`,
 * never below 1 ms, until `maxAttempts` is reached.
 * @example
 * ```ts
 * const retry = exponentialBackoff({ baseMs: 100, maxMs: 10_000, maxAttempts: Infinity });
 * ```
 */
export function exponentialBackoff(options: BackoffOptions = {}): RetryStrategy {
  const base = options.baseMs ?? 50;
  const max = options.maxMs ?? 5000;
  const attempts = options.maxAttempts ?? 10;
  const random = options.random ?? Math.random;
  return (attempt) => {
    if (attempt > attempts) return null;
    const ceiling = Math.min(max, base * 2 ** Math.min(attempt - 1, 30));
    return Math.max(1, Math.round(random() * ceiling));
  };
}

/** Resolves after `ms` milliseconds, or rejects at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
