import { hostname } from "node:os";
import { generateJid, generateWid } from "../protocol/ids.js";
import type { Job, JobFailure } from "../protocol/job.js";
import type { FailPayload } from "../protocol/messages.js";
import { JobAbandonedError } from "../worker/errors.js";
import { failureFromError } from "../worker/failure.js";
import { JobRun } from "../worker/job-run.js";
import { silentWorkerLogger, type WorkerLogger } from "../worker/logger.js";
import type { JobContext, JobHandler } from "../worker/types.js";

/** Settings of {@link performJob}. */
export interface PerformJobOptions {
  /** The job's type (default `"TestJob"`). */
  jobtype?: string;
  /** The job's id (default: a new one). */
  jid?: string;
  /** The queue it came from (default `"default"`). */
  queue?: string;
  /** Custom data of the job. */
  custom?: Record<string, unknown>;
  /** A failure record, to run the job as a retry (`ctx.attempt` follows from it). */
  failure?: JobFailure;
  /** Abandon the job after this many ms, as a worker does at its shutdown timeout. */
  abandonAfterMs?: number;
  /** Signal standing for "the worker started stopping" (`ctx.stopping`); default never aborts. */
  stopping?: AbortSignal;
  /** Logger handed to the job (default silent). */
  logger?: WorkerLogger;
}

/** What a worker would report for a job run by {@link performJob}. */
export type PerformJobResult =
  | { readonly status: "ack"; readonly durationMs: number; readonly context: JobContext }
  | {
      readonly status: "fail";
      readonly durationMs: number;
      readonly context: JobContext;
      /** What the handler threw (or the {@link JobAbandonedError}). */
      readonly error: unknown;
      /** The FAIL the worker would send: errtype, message and backtrace as a worker builds them. */
      readonly fail: FailPayload;
    };

/**
 * Runs a job handler in-process, without a server, with the same context a worker gives it
 * (`signal`, `stopping`, `attempt`, `logger`, `locals`), and reports what the worker would send:
 * an ACK, or the exact FAIL payload. For unit tests of handlers.
 *
 * @example
 * ```ts
 * import { performJob } from "faktory-ts/testing";
 * const result = await performJob(sendEmail, ["a@example.com", "Hi"], { jobtype: "SendEmail" });
 * expect(result.status).toBe("ack");
 * const slow = await performJob(longJob, [], { abandonAfterMs: 10 });
 * expect(slow.status === "fail" && slow.fail.errtype).toBe("JobAbandonedError");
 * ```
 */
export async function performJob<Args extends readonly unknown[]>(
  handler: JobHandler<Args>,
  args: Args,
  options: PerformJobOptions = {},
): Promise<PerformJobResult> {
  const job: Job<Args> = { jid: options.jid ?? generateJid(), jobtype: options.jobtype ?? "TestJob", args };
  job.queue = options.queue ?? "default";
  if (options.custom !== undefined) job.custom = options.custom;
  if (options.failure !== undefined) job.failure = options.failure;
  const info = { wid: generateWid(), hostname: hostname(), pid: process.pid, labels: ["node", "test"] };
  const stopping = options.stopping ?? new AbortController().signal;
  const run = new JobRun(job, 0, info, stopping, options.logger ?? silentWorkerLogger);
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const outcome = await new Promise<{ ok: true } | { ok: false; error: unknown }>((resolve) => {
    if (options.abandonAfterMs !== undefined) {
      const ms = options.abandonAfterMs;
      timer = setTimeout(() => {
        const error = new JobAbandonedError("shutdown", ms);
        run.abort(error);
        resolve({ ok: false, error });
      }, ms);
    }
    Promise.resolve()
      .then(() => handler(job, run))
      .then(
        () => resolve({ ok: true }),
        (error: unknown) => resolve({ ok: false, error }),
      );
  });
  if (timer !== undefined) clearTimeout(timer);
  const durationMs = performance.now() - started;
  if (outcome.ok) return { status: "ack", durationMs, context: run };
  return {
    status: "fail",
    durationMs,
    context: run,
    error: outcome.error,
    fail: failureFromError(job.jid, outcome.error),
  };
}
