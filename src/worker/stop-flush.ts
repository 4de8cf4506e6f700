/**
 * The last delivery attempt of a stopping worker: results still waiting are sent on fresh
 * connections, with backoff, until a deadline.
 * @module
 */
import { type RetryStrategy, sleep } from "../connection/retry.js";
import type { WorkerLogger } from "./logger.js";
import type { PendingResults } from "./pending-results.js";
import { type Connector, isIrrecoverable, type WireConnection } from "./wire.js";

/**
 * Sends the results still waiting, retrying until `until` (a `performance.now()` time); resolves
 * with how many could not be delivered (logged as an error).
 * @example
 * ```ts
 * const lost = await flushBeforeStop(pending, connect, reconnect, performance.now() + 2000, logger);
 * ```
 */
export async function flushBeforeStop(
  pending: PendingResults,
  connect: Connector,
  reconnect: RetryStrategy,
  until: number,
  logger: WorkerLogger,
): Promise<number> {
  if (pending.size === 0) return 0;
  let attempt = 0;
  while (pending.size > 0 && performance.now() < until) {
    let conn: WireConnection | undefined;
    try {
      conn = await connect();
      await pending.flush(conn);
    } catch (err) {
      if (isIrrecoverable(err)) break;
      attempt++;
      const delay = reconnect(attempt, err as Error) ?? 1000;
      await sleep(Math.min(delay, Math.max(0, until - performance.now())));
    } finally {
      await conn?.end();
    }
  }
  const lost = pending.size;
  if (lost > 0)
    logger.error(
      `${lost} job result(s) could not be delivered; the server will retry those jobs when their reservations expire`,
      { jids: pending.jids() },
    );
  return lost;
}
