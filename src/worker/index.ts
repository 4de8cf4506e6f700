/**
 * The Faktory worker: `Worker`, its options, events, middleware and helpers.
 *
 * @example
 * ```ts
 * import { Worker } from "faktory-ts";
 *
 * const worker = new Worker({ concurrency: 5 });
 * worker.register("Hello", async (job) => console.log("hello", ...job.args));
 * await worker.runToCompletion();
 * ```
 * @module
 */
export { JobAbandonedError, NoHandlerError } from "./errors.js";
export { type Listener, TypedEmitter, type WorkerEvents } from "./events.js";
export {
  backtraceOf,
  errorMessageOf,
  errorTypeOf,
  failureFromError,
  stackFrames,
  truncateUtf8,
} from "./failure.js";
export { currentRssKb } from "./heartbeat.js";
export {
  consoleWorkerLogger,
  type LogFields,
  loggerWithFields,
  silentWorkerLogger,
  type WorkerLogger,
  type WorkerLogLevel,
} from "./logger.js";
export { composeMiddleware, type Middleware } from "./middleware.js";
export {
  DEFAULT_BEAT_INTERVAL_MS,
  DEFAULT_CONCURRENCY,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  MAX_BEAT_INTERVAL_MS,
  MIN_BEAT_INTERVAL_MS,
  type SchemasFor,
  type WorkerOptions,
} from "./options.js";
export { type QueueOrder, queueOrderer } from "./queue-order.js";
export { moduleUrlOf, ThreadPool, type ThreadPoolOptions } from "./thread-pool.js";
export type {
  JobContext,
  JobHandler,
  RunToCompletionOptions,
  ShutdownOptions,
  StopDetails,
  StopReason,
  WorkerInfo,
  WorkerPhase,
} from "./types.js";
export { Worker } from "./worker.js";
