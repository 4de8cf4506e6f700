/**
 * Bulk push: splitting jobs into PUSHB chunks and turning the server's replies into a result.
 * @module
 */
import { ValidationError } from "../protocol/errors.js";

/** The outcome of {@link Client.pushBulk}. */
export interface BulkPushResult {
  /** Jids the server accepted, in the order given. */
  pushed: string[];
  /**
   * Jobs not accepted, with the reason: refused locally (never sent), refused by the server
   * (its message, e.g. `jobs must have a jobtype parameter`), or lost with their chunk (the
   * chunk's error message; when that is a connection error the jobs may or may not be on the
   * server, and pushing them again with the same jids is the safe recovery).
   */
  rejected: { jid: string; error: string }[];
  /**
   * Jids of `rejected` that the server refused as duplicates of a unique job still locked
   * (`NOTUNIQUE Job not unique`, Faktory Enterprise).
   */
  notUnique: string[];
}

/** Splits `items` into arrays of at most `size` (a positive integer). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1)
    throw new ValidationError(
      `pushChunkSize must be a positive integer, got ${String(size)}`,
      "pushChunkSize",
    );
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Reads a PUSHB reply (`{}` or `{"<jid>":"<error>", ...}`) for a chunk whose jids are `jids`,
 * appending to `result`: the chunk's jids absent from the reply were pushed. A reply that is not
 * a string-to-string object throws a {@link TypeError} (the caller maps it to a ProtocolError).
 */
export function applyBulkReply(jids: readonly string[], reply: unknown, result: BulkPushResult): void {
  if (reply === null || typeof reply !== "object" || Array.isArray(reply))
    throw new TypeError("PUSHB reply is not a JSON object");
  const errors = reply as Record<string, unknown>;
  for (const value of Object.values(errors))
    if (typeof value !== "string") throw new TypeError("PUSHB reply maps a jid to a non-string");
  const seen = new Set<string>();
  for (const jid of jids) {
    if (Object.hasOwn(errors, jid)) {
      if (!seen.has(jid)) {
        result.rejected.push({ jid, error: errors[jid] as string });
        if ((errors[jid] as string).startsWith("NOTUNIQUE ")) result.notUnique.push(jid);
      }
      seen.add(jid);
    } else result.pushed.push(jid);
  }
}
