/**
 * Errors the worker reports to the server as a job's failure (their `name` becomes the FAIL
 * `errtype`).
 * @module
 */
import { FaktoryError } from "../protocol/errors.js";

/**
 * A fetched job had no handler registered for its type. It is FAILed with errtype
 * `NoHandlerError` and message `No handler for <jobtype>`, so it is retried later (perhaps by a
 * worker that knows it).
 * @example
 * ```ts
 * worker.on("job:failure", ({ error }) => {
 *   if (error instanceof NoHandlerError) console.warn("unknown job type", error.jobtype);
 * });
 * ```
 */
export class NoHandlerError extends FaktoryError {
  /** The job type nobody handles. */
  readonly jobtype: string;

  constructor(jobtype: string) {
    super("NO_HANDLER", `No handler for ${jobtype}`);
    this.jobtype = jobtype;
  }
}

/**
 * The worker stopped waiting for a job: it was still running when the shutdown timeout passed
 * (after a server `terminate` or a local shutdown). The job is FAILed with this error, and the
 * handler's `ctx.signal` is aborted with it as the reason.
 * @example
 * ```ts
 * worker.register("Slow", async (job, ctx) => {
 *   await doWork({ signal: ctx.signal }); // rejects with a JobAbandonedError on forced shutdown
 * });
 * ```
 */
export class JobAbandonedError extends FaktoryError {
  /** Why the worker was stopping. */
  readonly reason: "shutdown" | "terminate" | "error";

  constructor(reason: "shutdown" | "terminate" | "error", timeoutMs: number) {
    super(
      "JOB_ABANDONED",
      `worker stopped (${reason}) while the job was still running after the ${timeoutMs} ms shutdown timeout`,
    );
    this.reason = reason;
  }
}
