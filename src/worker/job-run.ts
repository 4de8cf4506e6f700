/**
 * The context of one running job, built with as little per-job work as possible.
 * @module
 */
import type { Job } from "../protocol/job.js";
import type { JobAbandonedError } from "./errors.js";
import type { JobOutcome } from "./handler-runner.js";
import { loggerWithFields, type WorkerLogger } from "./logger.js";
import type { ProgressReporter } from "./progress.js";
import type { JobContext, WorkerInfo } from "./types.js";

/**
 * One running job and the {@link JobContext} its handler gets. What few handlers use is made on
 * first read: the `signal` (its AbortController), the per-job `logger` and `locals`. A signal
 * first read after the job was abandoned comes out already aborted with the same reason.
 */
export class JobRun implements JobContext {
  readonly jid: string;
  readonly jobtype: string;
  readonly queue: string;
  readonly attempt: number;
  readonly startedAt: number;
  readonly batchId: string | undefined;
  /** Resolves the job's outcome (the handler's, or the abandonment's, whichever comes first). */
  settle: (outcome: JobOutcome) => void = noop;
  private controller: AbortController | undefined;
  private abortReason: JobAbandonedError | undefined;
  private jobLogger: WorkerLogger | undefined;
  private jobLocals: Map<string | symbol, unknown> | undefined;

  constructor(
    job: Job<readonly unknown[]>,
    readonly slot: number,
    readonly worker: WorkerInfo,
    readonly stopping: AbortSignal,
    private readonly baseLogger: WorkerLogger,
    private readonly reporter?: ProgressReporter,
  ) {
    this.jid = job.jid;
    this.jobtype = job.jobtype;
    this.queue = job.queue ?? "default";
    const failure = job.failure;
    this.attempt = failure === undefined ? 1 : (failure.retry_count ?? 0) + 2;
    this.startedAt = Date.now();
    const bid = job.custom?.bid;
    this.batchId = typeof bid === "string" && bid !== "" ? bid : undefined;
  }

  progress(percent: number, desc?: string): void {
    if (this.reporter === undefined) {
      if (!Number.isInteger(percent) || percent < 0 || percent > 100)
        throw new RangeError(`progress percent must be an integer from 0 to 100, got ${String(percent)}`);
      return;
    }
    this.reporter.report(this.jid, desc === undefined ? { percent } : { percent, desc });
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.abortReason !== undefined) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  get logger(): WorkerLogger {
    this.jobLogger ??= loggerWithFields(this.baseLogger, { jid: this.jid, jobtype: this.jobtype });
    return this.jobLogger;
  }

  get locals(): Map<string | symbol, unknown> {
    this.jobLocals ??= new Map();
    return this.jobLocals;
  }

  /** Aborts the job's signal (now if it exists, else when it is first read). */
  abort(reason: JobAbandonedError): void {
    if (this.abortReason !== undefined) return;
    this.abortReason = reason;
    this.controller?.abort(reason);
  }
}

/** Does nothing (the `settle` of a job that is not running). */
export const noop = (): void => {};
