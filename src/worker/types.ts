/**
 * Types shared by the worker's modules: the context a handler gets, handlers, and the details
 * a stopped worker reports.
 * @module
 */
import type { Job } from "../protocol/job.js";
import type { WorkerLogger } from "./logger.js";

/**
 * Who the worker is, as it told the server in HELLO.
 * @example
 * ```ts
 * console.log(worker.info.wid, worker.info.labels);
 * ```
 */
export interface WorkerInfo {
  /** Unique worker id. */
  readonly wid: string;
  /** Host name. */
  readonly hostname: string;
  /** Process id. */
  readonly pid: number;
  /** Labels. */
  readonly labels: readonly string[];
}

/**
 * What a handler (and each middleware) gets besides the job.
 *
 * @example
 * ```ts
 * worker.register("Export", async (job, ctx) => {
 *   ctx.logger.info("exporting", { attempt: ctx.attempt });
 *   for (const part of parts) {
 *     if (ctx.stopping.aborted) break;          // the worker is shutting down: wrap up early
 *     await upload(part, { signal: ctx.signal }); // aborted if the job is abandoned
 *   }
 * });
 * ```
 */
export interface JobContext {
  /** The job's id. */
  readonly jid: string;
  /** The job's type. */
  readonly jobtype: string;
  /** The queue it was fetched from. */
  readonly queue: string;
  /** 1 for the first run, 2 for the first retry, ... (from the job's failure record). */
  readonly attempt: number;
  /**
   * Aborted when the worker gives up on this job: the shutdown timeout passed after a server
   * `terminate` or a local shutdown while it was still running. The reason is a
   * {@link JobAbandonedError}. The job is FAILed at that moment whatever the handler does next.
   */
  readonly signal: AbortSignal;
  /**
   * Aborted as soon as the worker starts stopping (server `terminate`, `shutdown()`, SIGTERM),
   * before the shutdown timeout: a hint for long jobs to finish or checkpoint early.
   */
  readonly stopping: AbortSignal;
  /** The worker's logger, with `jid` and `jobtype` added to every line. */
  readonly logger: WorkerLogger;
  /** The worker's identity. */
  readonly worker: WorkerInfo;
  /** Index of the processing slot running the job (0-based; -1 for `runOne`). */
  readonly slot: number;
  /** When the job started (epoch ms). */
  readonly startedAt: number;
  /** Free space for middleware to pass data to handlers and to each other. */
  readonly locals: Map<string | symbol, unknown>;
  /** Faktory Enterprise: the batch the job belongs to (`custom.bid`), if any. */
  readonly batchId: string | undefined;
  /**
   * Faktory Enterprise: reports the job's progress (`TRACK SET`; the job should be pushed with
   * `track: true`). Returns at once: reports go out in the background on their own connection,
   * the latest replacing unsent older ones; one that cannot be sent is logged and emitted as an
   * `error` event. Throws a RangeError for a percent that is not an integer from 0 to 100.
   */
  progress(percent: number, desc?: string): void;
}

/**
 * A job handler. Its return value is ignored; returning (or resolving) ACKs the job, throwing
 * (or rejecting) FAILs it with the error's type, message and stack.
 * @typeParam Args - the job's argument tuple.
 * @example
 * ```ts
 * const handler: JobHandler<[to: string]> = async (job, ctx) => sendMail(job.args[0], ctx.signal);
 * ```
 */
export type JobHandler<Args extends readonly unknown[] = unknown[]> = (
  job: Job<Args>,
  ctx: JobContext,
) => unknown;

/**
 * Why a worker stopped; see {@link StopDetails.reason}.
 * @example
 * ```ts
 * const { reason } = await worker.run();
 * if (reason === "error") process.exitCode = 1;
 * ```
 */
export type StopReason = "shutdown" | "terminate" | "error";

/**
 * What {@link Worker.run} resolves with.
 * @example
 * ```ts
 * const { reason, graceful, running } = await worker.run();
 * if (!graceful) console.warn(`${running} jobs were FAILed at shutdown`);
 * ```
 */
export interface StopDetails {
  /**
   * `"shutdown"`: `shutdown()`/`stop()`, a signal, or `Symbol.asyncDispose`; `"terminate"`: the
   * server said so in a BEAT reply; `"error"`: an error the worker cannot recover from (wrong
   * password, bad URL, the reconnect strategy gave up).
   */
  readonly reason: StopReason;
  /** True when every running job finished on its own and every result was delivered. */
  readonly graceful: boolean;
  /** Jobs still running at the shutdown timeout: they were FAILed and their signals aborted. */
  readonly running: number;
  /** ACK/FAIL results that could not be delivered before the worker stopped. */
  readonly undelivered: number;
  /** The error, when `reason` is `"error"`. */
  readonly error?: Error;
}

/**
 * Where a worker is in its life:
 * `idle` (created; `runOne` allowed) → `running` (`run()`) → `quiet` (no new jobs) →
 * `stopping` (waiting for running jobs) → `stopped` (final).
 * @example
 * ```ts
 * if (worker.phase === "running") worker.quiet();
 * ```
 */
export type WorkerPhase = "idle" | "running" | "quiet" | "stopping" | "stopped";

/**
 * Options of {@link Worker.runToCompletion}.
 * @example
 * ```ts
 * const details = await worker.runToCompletion(["default"], { exitProcess: false });
 * ```
 */
export interface RunToCompletionOptions {
  /** Exit the process when the worker has stopped (default true): code 0, or 1 after an error. */
  exitProcess?: boolean;
}

/**
 * Options of {@link Worker.shutdown}.
 * @example
 * ```ts
 * await worker.shutdown({ timeoutMs: 5_000 });
 * ```
 */
export interface ShutdownOptions {
  /** Time running jobs get before they are FAILed, in ms (default: the worker's `shutdownTimeoutMs`). */
  timeoutMs?: number;
}
