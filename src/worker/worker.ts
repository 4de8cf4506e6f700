/**
 * The Faktory worker: fetches jobs from a Faktory server and runs their handlers, with
 * heartbeats, graceful shutdown, reconnects and re-delivery of results.
 * @module
 */
import { Connection } from "../connection/connection.js";
import { StateError } from "../protocol/errors.js";
import type { JobRegistry, JobTypeOf, UntypedJobs } from "../protocol/job-types.js";
import type { WorkerState } from "../protocol/messages.js";
import { type Listener, TypedEmitter, type WorkerEvents } from "./events.js";
import { JobExecutor } from "./executor.js";
import { HandlerRunner } from "./handler-runner.js";
import { Heartbeat } from "./heartbeat.js";
import type { WorkerLogger } from "./logger.js";
import type { Middleware } from "./middleware.js";
import {
  checkQueues,
  type ResolvedWorkerOptions,
  resolveWorkerOptions,
  type WorkerOptions,
} from "./options.js";
import { PendingResults } from "./pending-results.js";
import { listenToProcessSignals } from "./process-signals.js";
import { queueOrderer } from "./queue-order.js";
import { SharedAbort } from "./shared-abort.js";
import { SingleRunner } from "./single-run.js";
import { Slot, type SlotHost } from "./slot.js";
import { flushBeforeStop } from "./stop-flush.js";
import { ThreadPool, type ThreadPoolOptions } from "./thread-pool.js";
import type {
  JobHandler,
  RunToCompletionOptions,
  ShutdownOptions,
  StopDetails,
  StopReason,
  WorkerInfo,
  WorkerPhase,
} from "./types.js";
import type { Connector } from "./wire.js";

/**
 * A Faktory worker process. Register a handler per job type, then `run()`.
 *
 * - `concurrency` slots, each with its own connection, fetch and run jobs; one more connection
 *   sends BEAT (state and memory) every 15 s and obeys the server's `quiet` and `terminate`.
 * - A handler that returns ACKs its job; one that throws FAILs it with the error's type,
 *   message, stack and `cause` chain. A job without a handler is FAILed (`No handler for X`).
 * - Lost connections are re-opened with jittered backoff; a result (ACK/FAIL) that could not be
 *   sent is kept and sent after the reconnect: the job is not run again.
 * - Stopping (server `terminate`, `shutdown()`, SIGTERM via `runToCompletion`) waits up to
 *   `shutdownTimeoutMs` for running jobs, then FAILs the rest and aborts their `ctx.signal`.
 *
 * @typeParam Jobs - the job-type registry that types `register` (give it, or pass `jobs` schemas).
 *
 * @example
 * ```ts
 * import { Worker } from "faktory-ts";
 *
 * type Jobs = { SendEmail: [to: string, subject: string]; Resize: [url: string, width: number] };
 * const worker = new Worker<Jobs>({ concurrency: 5, queues: ["critical", "default"] });
 * worker.register("SendEmail", async (job, ctx) => {
 *   const [to, subject] = job.args; // typed
 *   await mailer.send(to, subject, { signal: ctx.signal });
 * });
 * worker.registerThreaded("Resize", new URL("./resize-job.js", import.meta.url), { threads: 2 });
 * worker.use(async (job, ctx, next) => {
 *   ctx.logger.info("start");
 *   await next();
 * });
 * worker.on("job:failure", ({ job, error }) => report(job.jid, error));
 * await worker.runToCompletion(); // until SIGTERM / SIGINT or the server says terminate
 * ```
 */
export class Worker<Jobs extends JobRegistry = UntypedJobs> implements AsyncDisposable {
  /** Who this worker is (wid, hostname, pid, labels), as sent in HELLO. */
  readonly info: WorkerInfo;
  private readonly options: ResolvedWorkerOptions;
  private readonly logger: WorkerLogger;
  private readonly runner: HandlerRunner;
  private readonly events: TypedEmitter<WorkerEvents>;
  private readonly pending: PendingResults;
  private readonly pools: ThreadPool[] = [];
  private readonly jobs: JobExecutor;
  private readonly connect: Connector;
  private readonly stopController = new AbortController();
  private currentPhase: WorkerPhase = "idle";
  private nextQueues: () => string[];
  private heartbeat: Heartbeat | undefined;
  private readonly single: SingleRunner;
  private stopReason: StopReason | undefined;
  private stopError: Error | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private deadlineAt = Number.POSITIVE_INFINITY;
  private stopTriggered!: () => void;
  private readonly stopRequested = new Promise<void>((resolve) => {
    this.stopTriggered = resolve;
  });
  private finished: Promise<StopDetails> | undefined;
  private details: StopDetails | undefined;

  /**
   * Creates a worker; nothing connects until `run()` or `runOne()`.
   * @throws ConfigurationError for an invalid option or URL.
   */
  constructor(options: WorkerOptions<Jobs> = {}) {
    this.options = resolveWorkerOptions(options as WorkerOptions<JobRegistry>);
    this.info = this.options.identity;
    this.logger = this.options.logger;
    this.runner = new HandlerRunner(this.options.schemas);
    this.pending = new PendingResults(this.logger);
    this.single = new SingleRunner({
      connect: () => this.connect(),
      pending: this.pending,
      execute: (job, slot) => this.jobs.execute(job, slot),
      reportError: (error, where) => this.reportError(error, where),
    });
    this.events = new TypedEmitter<WorkerEvents>((error, event) =>
      this.logger.warn(
        `a listener of "${String(event)}" threw: ${(error as Error)?.message ?? String(error)}`,
      ),
    );
    this.nextQueues = queueOrderer(this.options.queues, this.options.queueOrder);
    const identity = { ...this.info, labels: [...this.info.labels] };
    this.connect = () => Connection.open({ ...this.options.connection, worker: identity });
    this.jobs = new JobExecutor({
      info: this.info,
      connect: this.connect,
      logger: this.logger,
      runner: this.runner,
      events: this.events,
      stopping: this.stopController.signal,
      shutdownTimeoutMs: this.options.shutdownTimeoutMs,
      stopReason: () => this.stopReason,
      reportError: (error, where) => this.reportError(error, where),
    });
    const signal = options.shutdownSignal;
    if (signal !== undefined) {
      const onAbort = (): void => void this.shutdown();
      if (signal.aborted) queueMicrotask(onAbort);
      else signal.addEventListener("abort", onAbort, { once: true });
    }
  }

  /**
   * The worker's phase; see {@link WorkerPhase}.
   * @example
   * ```ts
   * worker.phase; // "idle"
   * ```
   */
  get phase(): WorkerPhase {
    return this.currentPhase;
  }

  /** Jobs running right now (e.g. `worker.runningJobs` for a metrics gauge). */
  get runningJobs(): number {
    return this.jobs.runningCount;
  }

  /** Results (ACK/FAIL) waiting to be re-sent after a lost connection (e.g. for a health check). */
  get pendingResults(): number {
    return this.pending.size;
  }

  /**
   * Sets the handler of a job type (replacing an earlier one). The handler gets the job (with
   * typed `args`) and a {@link JobContext}; returning ACKs the job, throwing FAILs it.
   * @example
   * ```ts
   * worker.register("SendEmail", async (job, ctx) => send(...job.args, ctx.signal));
   * ```
   */
  register<T extends JobTypeOf<Jobs>>(jobtype: T, handler: JobHandler<Jobs[T]>): this {
    if (typeof jobtype !== "string" || jobtype === "")
      throw new TypeError("jobtype must be a non-empty string");
    if (typeof handler !== "function") throw new TypeError(`handler of ${jobtype} must be a function`);
    this.runner.register(jobtype, handler as unknown as JobHandler<readonly unknown[]>);
    return this;
  }

  /**
   * Runs a job type's handler in a pool of worker threads, for CPU-bound work: the event loop
   * stays free for heartbeats and other jobs. The module (a path or URL of a JavaScript module
   * Node can import) default-exports `(args, job) => result | Promise<result>`. Errors thrown in
   * the thread FAIL the job like any other error; when the job is abandoned at shutdown its
   * thread is terminated. Middleware runs in the main thread, around the call.
   * @example
   * ```ts
   * // hash-job.js: export default function (args) { return expensiveHash(args[0]); }
   * worker.registerThreaded("Hash", new URL("./hash-job.js", import.meta.url), { threads: 4 });
   * ```
   */
  registerThreaded<T extends JobTypeOf<Jobs>>(
    jobtype: T,
    module: string | URL,
    options: ThreadPoolOptions = {},
  ): this {
    const pool = new ThreadPool(module, options);
    this.pools.push(pool);
    this.runner.register(jobtype, (job, ctx) => pool.run(job.args, job, ctx.signal));
    return this;
  }

  /**
   * Adds a middleware around every job (the first added is the outermost).
   * @example
   * ```ts
   * worker.use(async (job, ctx, next) => {
   *   const t = Date.now();
   *   await next();
   *   ctx.logger.info("done", { ms: Date.now() - t });
   * });
   * ```
   */
  use(middleware: Middleware): this {
    this.runner.use(middleware);
    return this;
  }

  /**
   * Listens to an event; returns a function that removes the listener.
   * @example
   * ```ts
   * const off = worker.on("job:success", ({ job, durationMs }) => stats.add(job.jobtype, durationMs));
   * ```
   */
  on<K extends keyof WorkerEvents>(event: K, listener: Listener<WorkerEvents, K>): () => void {
    return this.events.on(event, listener);
  }

  /**
   * Listens to an event once; returns a function that removes the listener.
   * @example
   * ```ts
   * worker.once("stopped", (details) => console.log(details));
   * ```
   */
  once<K extends keyof WorkerEvents>(event: K, listener: Listener<WorkerEvents, K>): () => void {
    return this.events.once(event, listener);
  }

  /**
   * Removes a listener.
   * @example
   * ```ts
   * worker.off("job:success", onSuccess);
   * ```
   */
  off<K extends keyof WorkerEvents>(event: K, listener: Listener<WorkerEvents, K>): void {
    this.events.off(event, listener);
  }

  /**
   * Fetches one job (waiting up to ~2 s), runs it and reports its result. Resolves `false` when
   * no job came, `true` otherwise (whether it succeeded or failed). Results that earlier calls
   * could not deliver are sent first. Uses its own connection; not allowed while `run()` is active.
   * @throws StateError once the worker is stopping/stopped or while `run()` is active.
   * @throws ConnectionError when the server cannot be reached, or the result could not be sent
   *   (the result is then kept and sent by the next `runOne`, `run` or `shutdown`).
   * @example
   * ```ts
   * while (await worker.runOne(["default"])) {}
   * await worker.shutdown();
   * ```
   */
  runOne(queues?: readonly string[]): Promise<boolean> {
    if (this.currentPhase !== "idle") return Promise.reject(this.phaseError("runOne"));
    const list = queues === undefined ? this.nextQueues() : queueOrderer(queues, this.options.queueOrder)();
    try {
      checkQueues(list);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.single.runOne(list);
  }

  /**
   * Runs until the server says `terminate`, a shutdown is requested (`shutdown()`, `stop()`,
   * `Symbol.asyncDispose`) or an error reconnecting cannot fix; lost connections are re-opened
   * in the meantime. Resolves with the {@link StopDetails}; never rejects once started.
   * @throws StateError (as a rejection) when the worker is already running or has stopped.
   * @example
   * ```ts
   * const stopped = worker.run(["critical", "default"]);
   * process.once("SIGTERM", () => void worker.shutdown());
   * console.log(await stopped); // { reason: "shutdown", graceful: true, running: 0, undelivered: 0 }
   * ```
   */
  run(queues?: readonly string[]): Promise<StopDetails> {
    if (this.currentPhase !== "idle") return Promise.reject(this.phaseError("run"));
    if (queues !== undefined) {
      try {
        checkQueues(queues);
        this.nextQueues = queueOrderer(queues, this.options.queueOrder);
      } catch (err) {
        return Promise.reject(err);
      }
    }
    this.currentPhase = "running";
    this.finished = this.runSlots();
    return this.finished;
  }

  /**
   * Like {@link Worker.run}, for a worker process's main loop: SIGTERM and SIGINT start a graceful
   * shutdown (a second one forces it: running jobs are FAILed at once), SIGTSTP makes the worker
   * quiet. The signal listeners are removed when the worker stops; then the process exits (code
   * 0, or 1 after an error) unless `exitProcess` is false.
   * @example
   * ```ts
   * await worker.runToCompletion(["default"]);
   * ```
   */
  async runToCompletion(
    queues?: readonly string[],
    options: RunToCompletionOptions = {},
  ): Promise<StopDetails> {
    const off = listenToProcessSignals(
      {
        isStopping: () => this.currentPhase === "stopping",
        shutdown: (o) => this.shutdown(o),
        quiet: () => this.quiet(),
      },
      this.logger,
    );
    let details: StopDetails;
    try {
      details = await this.run(queues);
    } finally {
      off();
    }
    if (options.exitProcess !== false) process.exit(details.reason === "error" ? 1 : 0);
    return details;
  }

  /**
   * Stops fetching new jobs; running jobs finish and report, heartbeats go on. There is no way
   * back (as in Faktory). No effect unless the worker is running.
   * @example
   * ```ts
   * worker.quiet(); // e.g. before a deploy
   * ```
   */
  quiet(): void {
    this.goQuiet("local");
  }

  /**
   * Stops the worker gracefully: no new jobs; running jobs get `timeoutMs` (default
   * `shutdownTimeoutMs`) to finish, then they are FAILed and their `ctx.signal` aborted;
   * undelivered results are sent; connections close. Resolves with the {@link StopDetails}
   * (the same as `run()`). Calling it again while stopping can shorten the timeout; once
   * stopped it returns the same details.
   * @example
   * ```ts
   * const details = await worker.shutdown({ timeoutMs: 10_000 });
   * ```
   */
  shutdown(options: ShutdownOptions = {}): Promise<StopDetails> {
    if (this.details !== undefined) return Promise.resolve(this.details);
    if (this.currentPhase === "idle") {
      this.beginStop("shutdown", "local", options.timeoutMs);
      this.finished = this.finish(() => this.single.settled());
      return this.finished;
    }
    this.beginStop("shutdown", "local", options.timeoutMs);
    return this.finished!;
  }

  /**
   * Same as {@link Worker.shutdown}.
   * @example
   * ```ts
   * await worker.stop();
   * ```
   */
  stop(options: ShutdownOptions = {}): Promise<StopDetails> {
    return this.shutdown(options);
  }

  /**
   * Graceful shutdown for `await using`.
   * @example
   * ```ts
   * await using worker = new Worker();
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }

  // ----------------------------------------------------------------------------------------------

  private phaseError(what: string): StateError {
    if (this.currentPhase === "stopping" || this.currentPhase === "stopped")
      return new StateError(
        `cannot ${what}(): this worker has ${this.currentPhase === "stopped" ? "stopped" : "begun stopping"} and cannot run again; create a new Worker`,
      );
    return new StateError(`cannot ${what}(): the worker is already running (run() was called)`);
  }

  private async runSlots(): Promise<StopDetails> {
    const { options } = this;
    this.logger.info("worker starting", {
      wid: this.info.wid,
      concurrency: options.concurrency,
      queues: options.queues,
    });
    await this.single.close();
    this.heartbeat = new Heartbeat({
      wid: this.info.wid,
      intervalMs: options.beatIntervalMs,
      connect: this.connect,
      logger: this.logger,
      state: () => this.reportedState(),
      onReply: (state, rssKb) => this.onBeatReply(state, rssKb),
      onError: (error) => this.reportError(error, "heartbeat"),
    });
    this.heartbeat.start();
    const host: SlotHost = {
      connect: this.connect,
      pending: this.pending,
      logger: this.logger,
      reconnect: options.reconnect,
      stop: new SharedAbort(this.stopController.signal),
      shouldFetch: () => this.currentPhase === "running",
      nextQueues: () => this.nextQueues(),
      execute: (job, slot) => this.jobs.execute(job, slot),
      reportError: (error, where) => this.reportError(error, where),
    };
    const slots = Array.from({ length: options.concurrency }, (_, i) =>
      new Slot(i, host).run().catch((error: unknown) => {
        const err = error instanceof Error ? error : new Error(String(error));
        this.logger.error(`slot ${i} cannot continue: ${err.message}`);
        this.beginStop("error", "local", undefined, err);
      }),
    );
    return this.finish(async () => {
      await Promise.all(slots);
      await this.stopRequested;
      await Promise.all(slots);
    });
  }

  /** Waits for `work`, then delivers what is left, closes everything and records the details. */
  private async finish(work: () => Promise<unknown>): Promise<StopDetails> {
    await work();
    await this.stopRequested;
    await this.single.settled();
    if (this.deadlineTimer !== undefined) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    const undelivered = await this.flushAtStop();
    await this.heartbeat?.stop();
    await this.jobs.close();
    await this.single.close();
    await Promise.all(this.pools.map((p) => p.close()));
    const reason = this.stopReason ?? "shutdown";
    const details: StopDetails = {
      reason,
      graceful: this.jobs.abandoned === 0 && undelivered === 0,
      running: this.jobs.abandoned,
      undelivered,
      ...(this.stopError !== undefined ? { error: this.stopError } : {}),
    };
    this.details = details;
    this.currentPhase = "stopped";
    this.logger.info("worker stopped", { reason, running: this.jobs.abandoned, undelivered });
    this.events.emit("stopped", details);
    return details;
  }

  private beginStop(reason: StopReason, source: "server" | "local", timeoutMs?: number, error?: Error): void {
    const timeout = timeoutMs ?? this.options.shutdownTimeoutMs;
    if (this.currentPhase === "stopped") return;
    if (this.stopReason === undefined) {
      this.stopReason = reason;
      this.stopError = error;
      this.currentPhase = "stopping";
      this.logger.info(`worker stopping (${reason}); running jobs get ${timeout} ms`, {
        running: this.jobs.runningCount,
      });
      this.events.emit("terminate", { source });
      this.stopController.abort(new StateError(`worker stopping (${reason})`));
      void this.heartbeat?.beatNow();
      this.stopTriggered();
    }
    const at = performance.now() + timeout;
    if (at >= this.deadlineAt) return;
    this.deadlineAt = at;
    if (this.deadlineTimer !== undefined) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = setTimeout(() => this.abandonAll(timeout), Math.max(0, timeout));
    this.deadlineTimer.unref();
  }

  private abandonAll(timeoutMs: number): void {
    this.deadlineTimer = undefined;
    this.jobs.abandonAll(this.stopReason ?? "shutdown", timeoutMs);
  }

  private goQuiet(source: "server" | "local"): void {
    if (this.currentPhase !== "running") return;
    this.currentPhase = "quiet";
    this.logger.info(`worker quiet (${source === "server" ? "asked by the server" : "local request"})`);
    this.events.emit("quiet", { source });
    if (source === "local") void this.heartbeat?.beatNow();
  }

  private reportedState(): WorkerState {
    if (this.currentPhase === "quiet") return "quiet";
    if (this.currentPhase === "stopping" || this.currentPhase === "stopped") return "terminate";
    return "running";
  }

  private onBeatReply(state: WorkerState, rssKb: number): void {
    this.events.emit("beat", { state, rssKb });
    if (state === "quiet") this.goQuiet("server");
    // Once stopping, the server only echoes the state we reported: keep our own timeout.
    else if (state === "terminate" && this.stopReason === undefined) this.beginStop("terminate", "server");
  }

  private reportError(error: unknown, where: string): void {
    const err = error instanceof Error ? error : new Error(String(error));
    this.events.emit("error", { error: err, where });
  }

  /** Sends results still waiting, retrying until the shutdown deadline; returns how many were lost. */
  private flushAtStop(): Promise<number> {
    const until = Math.max(performance.now() + 2000, Number.isFinite(this.deadlineAt) ? this.deadlineAt : 0);
    return flushBeforeStop(this.pending, this.connect, this.options.reconnect, until, this.logger);
  }
}
