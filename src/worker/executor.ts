/**
 * The worker's job execution path: runs one job (middleware, handler, events) into its ACK or
 * FAIL line, tracks the jobs running, and abandons them when the shutdown timeout passes.
 * @module
 */
import { traceJob } from "../connection/tracing.js";
import { ackCommand, failCommand } from "../protocol/commands.js";
import type { Job } from "../protocol/job.js";
import { JobAbandonedError } from "./errors.js";
import type { TypedEmitter, WorkerEvents } from "./events.js";
import { failureFromError } from "./failure.js";
import type { HandlerRunner, JobOutcome } from "./handler-runner.js";
import { JobRun, noop } from "./job-run.js";
import type { WorkerLogger } from "./logger.js";
import { ProgressReporter } from "./progress.js";
import type { StopReason, WorkerInfo } from "./types.js";
import type { Connector } from "./wire.js";

/** What the {@link JobExecutor} needs from its worker. */
export interface ExecutorHost {
  /** The worker's identity (given to each job's context). */
  readonly info: WorkerInfo;
  /** Opens a connection (for progress reports). */
  readonly connect: Connector;
  readonly logger: WorkerLogger;
  /** Runs middleware and handlers. */
  readonly runner: HandlerRunner;
  readonly events: TypedEmitter<WorkerEvents>;
  /** Aborted when the worker begins stopping (each job's `ctx.stopping`). */
  readonly stopping: AbortSignal;
  /** The worker's `shutdownTimeoutMs` (reported for a job fetched after the deadline). */
  readonly shutdownTimeoutMs: number;
  /** Why the worker is stopping, once it is. */
  stopReason(): StopReason | undefined;
  reportError(error: unknown, where: string): void;
}

/** Runs the worker's jobs and keeps the set of those running. */
export class JobExecutor {
  private readonly running = new Set<JobRun>();
  private progress: ProgressReporter | undefined;
  private deadlinePassed = false;
  private abandonedCount = 0;

  constructor(private readonly host: ExecutorHost) {}

  /** Jobs running right now. */
  get runningCount(): number {
    return this.running.size;
  }

  /** Jobs abandoned at the shutdown timeout (FAILed with a {@link JobAbandonedError}). */
  get abandoned(): number {
    return this.abandonedCount;
  }

  /** Runs one job (middleware, handler, abandonment) and returns its ACK or FAIL line. Never rejects. */
  async execute(job: Job<readonly unknown[]>, slot: number): Promise<string> {
    const host = this.host;
    this.progress ??= new ProgressReporter(host.connect, host.logger, (e) => host.reportError(e, "progress"));
    const run = new JobRun(job, slot, host.info, host.stopping, host.logger, this.progress);
    const t0 = performance.now();
    let outcome: JobOutcome;
    if (this.deadlinePassed) {
      // Fetched after the shutdown timeout had passed: give it straight back.
      const error = new JobAbandonedError(host.stopReason() ?? "shutdown", host.shutdownTimeoutMs);
      run.abort(error);
      outcome = { ok: false, error };
    } else {
      this.running.add(run);
      if (host.events.listenerCount("job:start") > 0) host.events.emit("job:start", { job, slot });
      // The handler's outcome, unless abandonAll() settles it first (then the handler's is ignored).
      outcome = await new Promise<JobOutcome>((resolve) => {
        run.settle = resolve;
        traceJob(job, slot, () => host.runner.run(job, run)).then(resolve);
      });
      run.settle = noop;
      this.running.delete(run);
      if (outcome.ok === false && outcome.error instanceof JobAbandonedError) this.abandonedCount++;
    }
    if (outcome.ok) {
      if (host.events.listenerCount("job:success") > 0)
        host.events.emit("job:success", { job, slot, durationMs: performance.now() - t0 });
      return ackCommand(job.jid);
    }
    const durationMs = performance.now() - t0;
    const fail = failureFromError(job.jid, outcome.error);
    host.logger.debug(`job ${job.jid} failed: ${fail.errtype}: ${fail.message}`, { jid: job.jid });
    host.events.emit("job:failure", { job, slot, durationMs, error: outcome.error, fail });
    return failCommand(fail);
  }

  /**
   * The shutdown timeout passed: FAILs every running job (aborting its signal) and gives back
   * any job fetched from now on.
   */
  abandonAll(reason: StopReason, timeoutMs: number): void {
    this.deadlinePassed = true;
    if (this.running.size > 0)
      this.host.logger.warn(`shutdown timeout: failing ${this.running.size} running job(s)`, {
        jids: [...this.running].map((r) => r.jid),
      });
    for (const entry of [...this.running]) {
      const error = new JobAbandonedError(reason, timeoutMs);
      entry.abort(error);
      entry.settle({ ok: false, error });
    }
  }

  /** Sends the last progress reports and closes their connection. */
  async close(): Promise<void> {
    await this.progress?.close();
  }
}
