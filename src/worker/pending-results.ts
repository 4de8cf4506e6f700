/**
 * Job results (ACK or FAIL lines) that could not be delivered because the connection was lost:
 * kept here and sent again after a reconnect, so a finished job is never run again just because
 * its result was lost on the way.
 * @module
 */
import { ServerError } from "../protocol/errors.js";
import type { Reply } from "../protocol/resp-reader.js";
import type { WorkerLogger } from "./logger.js";

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
 * - `"retry"`: the connection failed; keep the result and send it again after reconnecting;
 * - `"known"`: the server no longer holds a reservation for the job (`Job not found`): an earlier
 *   delivery of the same result arrived, or the reservation expired; nothing left to do;
 * - `"refused"`: the server refused it for another reason; sending it again will not help.
 * @example
 * ```ts
 * classifyResultError(new ServerError("ERR", "Job not found abc")); // "known"
 * ```
 */
export function classifyResultError(error: unknown): "retry" | "known" | "refused" {
  if (error instanceof ServerError) return /job not found/i.test(error.serverMessage) ? "known" : "refused";
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
   * results are dropped (logged); on a connection failure the unsent ones are put back and the
   * error is thrown.
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
