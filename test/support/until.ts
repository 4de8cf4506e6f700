/**
 * Waiting on state instead of time: {@link until} re-checks a condition after each turn of the
 * event loop (so socket events are processed in between) and fails loudly if it never holds.
 */

/**
 * Resolves once `condition()` is true, checking after every event-loop turn; rejects with
 * `what` after `timeoutMs` (a safety net, not a synchronisation point).
 */
export async function until(condition: () => boolean, what = "condition", timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
