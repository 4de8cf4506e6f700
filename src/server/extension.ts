/**
 * The hook through which optional server features (Faktory Enterprise: batches, tracking,
 * unique and expiring jobs) join the job engine without living in it. The core calls these
 * methods at fixed points of a job's life; an extension keeps its own state (usually in
 * `Storage.records`). Without an extension the server behaves like the open-source reference.
 * @module
 */
import type { ServerJob } from "./jobs/job-codec.js";
import type { QueuedJob, Reservation } from "./storage/storage.js";

/** A push refused with a coded error: `-<code> <message>` for PUSH, `"<code> <message>"` in PUSHB. */
export interface PushRefusal {
  /** Error code, e.g. `NOTUNIQUE`. */
  readonly code: string;
  /** Error text, e.g. `Job not unique`. */
  readonly message: string;
}

/** How a failure ended for the job. */
export type FailOutcome = "retry" | "dead" | "discarded";

/** Optional features plugged into the core. */
export interface ServerExtension {
  /** `server.description` of INFO (e.g. `"Faktory Enterprise"`). */
  readonly description: string;
  /** Handles a command line of `verb` (`BATCH`, `TRACK`); `undefined` leaves the OSS reply. */
  command(verb: string, line: string): string | Buffer | undefined;
  /** Called by PUSH after validation and defaults, before the job is stored; may edit the job or refuse it. */
  beforePush(job: ServerJob, now: number): PushRefusal | undefined;
  /** Called for a job about to be handed to a worker; `true` throws it away (e.g. expired). */
  discardOnFetch(job: QueuedJob, now: number): boolean;
  /** A job was reserved by a worker. */
  onReserve(job: QueuedJob): void;
  /** A reserved job was acknowledged. */
  onAck(reservation: Reservation): void;
  /** A reserved job failed (FAIL or reservation expiry). */
  onFail(reservation: Reservation, outcome: FailOutcome): void;
  /** A job was removed by hand (MUTATE, queue removal): forget what is kept for it. */
  onRemoved(jid: string): void;
  /** Cancels the extension's timers. */
  stop(): void;
}
