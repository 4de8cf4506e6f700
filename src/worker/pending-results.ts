/**
 * Job results (ACK or FAIL lines) that were not applied by the server: kept here and sent again
 * after a reconnect, so a finished job is never run again just because its result was lost on
 * the way, or refused by a server that was stopping.
 *
 * Which answers to an ACK or FAIL are final, and which keep the result for re-sending:
 *
 * | answer | verdict | why |
 * | --- | --- | --- |
 * | `+OK` | delivered | applied |
 * | `-ERR Job not found <jid>` | final (`known`) | the server holds no reservation for the job any more: an earlier delivery arrived, or the reservation expired and the job went back to its queue; sending again cannot change that |
 * | `-ERR invalid ACK …`, `invalid FAIL …`, `missing JID`, `internal error`, `unknown command …`, `line too long …` | final (`refused`) | the server rejects the line itself; the same bytes would get the same answer forever (reported as an `error` event) |
 * | `-ERR shutdown in progress` | retried | Faktory is stopping: it did not apply the command and has not touched the reservation (its working set is reloaded on boot) |
 * | any other error reply (`too many connections: n`, a Redis error such as `LOADING …`, `context deadline exceeded`, `connection refused`) | retried | a passing server-side failure: the command was not applied, the reservation is still there |
 * | no answer (connection lost, reset, timed out) | retried | unknown whether it was applied; re-sending is safe, an ACK of a job no longer reserved answers `+OK` and a FAIL `Job not found` |
 *
 * A retried result waits for the next connection (after the reconnect backoff); the worker's
 * reconnect strategy bounds how long the worker keeps trying.
 * @module
 */
import { ServerError } from "../protocol/errors.js";
import type { Reply } from "../protocol/resp-reader.js";
import type { WorkerLogger } from "./logger.js";

/** What a failed delivery of an ACK or FAIL means; see {@link classifyResultError}. */
export type ResultVerdict = "retry" | "known" | "refused";

/**
 * Error replies to an ACK or FAIL that are final, by message pattern (the module docs give the
 * reason of each). Every other error reply is retried.
 */
export const FINAL_RESULT_ERRORS: readonly { readonly pattern: RegExp; readonly verdict: ResultVerdict }[] = [
  { pattern: /^job not found\b/i, verdict: "known" },
  { pattern: /^invalid (ACK|FAIL)\b/i, verdict: "refused" },
  { pattern: /^missing JID\b/i, verdict: "refused" },
  { pattern: /^internal error\b/i, verdict: "refused" },
  { pattern: /^unknown command\b/i, verdict: "refused" },
  { pattern: /^line too long\b/i, verdict: "refused" },
];

/** One result waiting to be delivered. */
export interface PendingResult {
  /** The job. */
  readonly jid: string;
  /** `ACK` or `FAIL`. */
  readonly kind: "ACK" | "FAIL";
  /** The exact command line (with CRLF). */
  readonly line: string;
}

/** Something that can send a command line and resolve with its reply (a `Connection`). */
export interface CommandSender {
  send(line: string, extraTimeoutMs?: number): Promise<Reply>;
}

/**
 * What a failed result delivery means:
 * - `"retry"`: not applied (connection lost, or a passing server-side error such as
 *   `shutdown in progress`); keep the result and send it again after reconnecting;
 * - `"known"`: the server no longer holds a reservation for the job (`Job not found`): an earlier
 *   delivery of the same result arrived, or the reservation expired; nothing left to do;
 * - `"refused"`: the server rejected the line itself; sending it again will not help.
 * The full table, with reasons, is in this module's docs.
 * @example
 * ```ts
 * classifyResultError(new ServerError("ERR", "Job not found abc")); // "known"
 * classifyResultError(new ServerError("ERR", "shutdown in progress")); // "retry"
 * ```
 */
export function classifyResultError(error: unknown): ResultVerdict {
  if (!(error instanceof ServerError)) return "retry";
  const message = error.serverMessage;
  for (const { pattern, verdict } of FINAL_RESULT_ERRORS) if (pattern.test(message)) return verdict;
  return "retry";
}

/**
 * The store of undelivered results, shared by a worker's slots: whichever reconnects first
 * delivers them (any connection may ACK or FAIL any job).
 * @example
 * ```ts
 * const pending = new PendingResults(logger);
 * pending.add({ jid, kind: "ACK", line: ackCommand(jid) });
 * await pending.flush(connection); // throws the connection error if it fails again
 * ```
 */
export class PendingResults {
  private readonly waiting = new Map<string, PendingResult>();

  constructor(private readonly logger: WorkerLogger) {}

  /** Results waiting (not counting those being sent right now). */
  get size(): number {
    return this.waiting.size;
  }

  /** The jids waiting. */
  jids(): string[] {
    return [...this.waiting.keys()];
  }

  /** Keeps a result for later delivery (a newer result for the same job replaces an older one). */
  add(result: PendingResult): void {
    this.waiting.set(result.jid, result);
  }

  /**
   * Sends every waiting result on `conn` (pipelined). Delivered, already-known and refused
   * results are dropped (logged); the ones to retry (see {@link classifyResultError}) are put
   * back and the first such error is thrown.
   */
  async flush(conn: CommandSender): Promise<void> {
    if (this.waiting.size === 0) return;
    const batch = [...this.waiting.values()];
    this.waiting.clear();
    const outcomes = await Promise.allSettled(batch.map((r) => conn.send(r.line)));
    let connectionError: unknown;
    outcomes.forEach((outcome, i) => {
      const result = batch[i]!;
      if (outcome.status === "fulfilled") {
        this.logger.debug(`delivered ${result.kind} of job ${result.jid} after reconnecting`, {
          jid: result.jid,
        });
        return;
      }
      const verdict = classifyResultError(outcome.reason);
      if (verdict === "retry") {
        if (!this.waiting.has(result.jid)) this.waiting.set(result.jid, result);
        connectionError ??= outcome.reason;
      } else if (verdict === "known")
        this.logger.debug(`${result.kind} of job ${result.jid} re-delivered: server already knew`, {
          jid: result.jid,
          reply: (outcome.reason as Error).message,
        });
      else
        this.logger.warn(`server refused the re-delivered ${result.kind} of job ${result.jid}`, {
          jid: result.jid,
          reply: (outcome.reason as Error).message,
        });
    });
    if (connectionError !== undefined) throw connectionError;
  }
}
