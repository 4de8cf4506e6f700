/**
 * Waiting for the server at `Client.connect`: the first connection tried again on connection
 * failures, for apps that start alongside their Faktory (e.g. in docker compose).
 * @module
 */
import { exponentialBackoff, type RetryStrategy, sleep } from "../connection/retry.js";
import { ConnectionError } from "../protocol/errors.js";

/**
 * The default of `connectRetry: true`: full-jitter backoff from 100 ms doubling up to 2 s, 40
 * attempts (about a minute in all).
 */
export function defaultConnectRetry(): RetryStrategy {
  return exponentialBackoff({ baseMs: 100, maxMs: 2000, maxAttempts: 40 });
}

/**
 * Runs `connect` until it resolves. A {@link ConnectionError} (refused, reset, timed out) is
 * retried after the delay `strategy` gives; anything else (wrong password, bad URL) fails at
 * once. When the strategy gives up, rejects with a ConnectionError saying how many attempts were
 * made, the last failure as its `cause`; when `signal` aborts, rejects with its reason.
 */
export async function connectWithRetry(
  connect: () => Promise<void>,
  strategy: RetryStrategy,
  signal?: AbortSignal,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    try {
      await connect();
      return;
    } catch (err) {
      if (!(err instanceof ConnectionError)) throw err;
      const delay = strategy(attempt, err);
      if (delay === null)
        throw new ConnectionError(
          `could not connect after ${attempt} attempt${attempt === 1 ? "" : "s"}: ${err.message}`,
          { cause: err },
        );
      await sleep(delay, signal);
    }
  }
}
