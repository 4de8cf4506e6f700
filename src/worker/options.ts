/**
 * Options of a {@link Worker}, their defaults and their checks.
 * @module
 */
import { hostname as osHostname } from "node:os";
import type { ConnectionOptions } from "../connection/options.js";
import { resolveConnectionOptions } from "../connection/options.js";
import { exponentialBackoff, type RetryStrategy } from "../connection/retry.js";
import { checkQueueNames } from "../protocol/commands.js";
import { ConfigurationError } from "../protocol/errors.js";
import { generateWid } from "../protocol/ids.js";
import { DEFAULT_QUEUE } from "../protocol/job.js";
import type { JobRegistry, JobSchemas, StandardSchemaV1, UntypedJobs } from "../protocol/job-types.js";
import { type QueueOrder, queueOrderer } from "./queue-order.js";
import { silentWorkerLogger, type WorkerLogger } from "./logger.js";
import type { WorkerInfo } from "./types.js";

/** Default number of processing slots (`new Worker()` runs 10 jobs at once). */
export const DEFAULT_CONCURRENCY = 10;
/** Default time running jobs get to finish once the worker stops, in ms. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 30_000;
/** Default heartbeat interval, in ms (Faktory recommends 15 s). */
export const DEFAULT_BEAT_INTERVAL_MS = 15_000;
/** Shortest heartbeat interval allowed by `beatIntervalMs` (the protocol asks for no more than one per 5 s). */
export const MIN_BEAT_INTERVAL_MS = 5_000;
/** Longest heartbeat interval allowed by `beatIntervalMs` (the server forgets a worker after 60 s). */
export const MAX_BEAT_INTERVAL_MS = 15_000;

/**
 * Runtime schemas for every job type of a registry (any Standard Schema library).
 * @example
 * ```ts
 * const jobs: SchemasFor<{ Ping: [number] }> = { Ping: z.tuple([z.number()]) };
 * ```
 */
export type SchemasFor<Jobs extends JobRegistry> = {
  readonly [K in keyof Jobs]: StandardSchemaV1<unknown, Jobs[K]>;
};

/**
 * Options of `new Worker(options)`. All optional; connection settings are those of the client
 * (`url`, `password`, `tls`, timeouts; default URL from `FAKTORY_PROVIDER`/`FAKTORY_URL`).
 *
 * @typeParam Jobs - the job-type registry typing `register`; inferred from `jobs` when given.
 * @example
 * ```ts
 * const worker = new Worker({
 *   url: "tcp://:secret@faktory.internal:7419",
 *   concurrency: 20,
 *   queues: ["critical", "default", "low"],
 *   queueOrder: { weighted: { critical: 5, default: 3, low: 1 } },
 *   shutdownTimeoutMs: 25_000,
 *   labels: ["node", "billing"],
 *   logger: console,
 * });
 * ```
 */
export interface WorkerOptions<Jobs extends JobRegistry = UntypedJobs> extends ConnectionOptions {
  /** Unique id of this worker process (default: 16 random hex characters). */
  wid?: string;
  /** Host name reported to the server (default `os.hostname()`). */
  hostname?: string;
  /** Process id reported to the server (default `process.pid`). */
  pid?: number;
  /** Labels shown in the server's UI (default `["node"]`). */
  labels?: readonly string[];
  /** Jobs run at the same time: one connection ("slot") each (default 10). */
  concurrency?: number;
  /** Queues to fetch from, in priority order (default `["default"]`); `run(queues)` overrides. */
  queues?: readonly string[];
  /** How the queue list is ordered in each FETCH (default `"strict"`). */
  queueOrder?: QueueOrder;
  /**
   * Once the worker stops (server `terminate`, `shutdown()`, SIGTERM), how long running jobs
   * get to finish before they are FAILed and their signals aborted, in ms (default 30000).
   */
  shutdownTimeoutMs?: number;
  /** Heartbeat interval in ms (default 15000), kept within 5000..15000 as the protocol asks. */
  beatIntervalMs?: number;
  /**
   * Heartbeat interval in ms with no clamping. For tests only: real servers expect 5..15 s.
   * Wins over `beatIntervalMs`.
   */
  unsafeBeatIntervalMs?: number;
  /** Where to log (default: nowhere). `console` works. */
  logger?: WorkerLogger;
  /**
   * Runtime schemas of the job types (see `defineJobs`): types the handlers and validates each
   * job's args before its handler runs (a job with invalid args is FAILed with a
   * `ValidationError` and its handler is not called).
   */
  jobs?: SchemasFor<Jobs>;
  /**
   * Shuts the worker down gracefully (like `shutdown()`) when this signal aborts, e.g. an
   * application-wide `AbortController` aborted on exit.
   */
  shutdownSignal?: AbortSignal;
  /**
   * When to retry after a lost connection (default: full-jitter exponential backoff from 100 ms
   * up to 5 s, forever). When it returns `null` the worker stops with reason `"error"`.
   */
  reconnect?: RetryStrategy;
}

/** Options after defaults (internal; see {@link resolveWorkerOptions}). */
export interface ResolvedWorkerOptions {
  identity: WorkerInfo;
  connection: ConnectionOptions;
  concurrency: number;
  queues: readonly string[];
  queueOrder: QueueOrder;
  shutdownTimeoutMs: number;
  beatIntervalMs: number;
  logger: WorkerLogger;
  schemas: JobSchemas | undefined;
  reconnect: RetryStrategy;
}

/**
 * Applies defaults and checks every option; a bad value throws a {@link ConfigurationError}
 * (a bad URL too, so it fails at construction rather than on the first connect).
 * @example
 * ```ts
 * resolveWorkerOptions({ concurrency: 4 }).queues; // ["default"]
 * ```
 */
export function resolveWorkerOptions(options: WorkerOptions<JobRegistry>): ResolvedWorkerOptions {
  const {
    wid,
    hostname,
    pid,
    labels,
    concurrency,
    queues,
    queueOrder,
    shutdownTimeoutMs,
    beatIntervalMs,
    unsafeBeatIntervalMs,
    logger,
    jobs,
    reconnect,
    shutdownSignal: _shutdownSignal,
    ...connection
  } = options;
  resolveConnectionOptions(connection);
  const identity: WorkerInfo = Object.freeze({
    wid: wid ?? generateWid(),
    hostname: hostname ?? osHostname(),
    pid: pid ?? process.pid,
    labels: Object.freeze([...(labels ?? ["node"])]),
  });
  if (identity.wid === "" || /\s/.test(identity.wid))
    throw new ConfigurationError(`wid must be a non-empty string without spaces, got ${JSON.stringify(wid)}`);
  const slots = concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(slots) || slots < 1)
    throw new ConfigurationError(`concurrency must be a positive integer, got ${String(concurrency)}`);
  const timeout = shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  if (!(Number.isFinite(timeout) && timeout >= 0))
    throw new ConfigurationError(`shutdownTimeoutMs must be a finite number >= 0, got ${String(timeout)}`);
  const queueList = queues ?? [DEFAULT_QUEUE];
  checkQueues(queueList);
  const order = queueOrder ?? "strict";
  queueOrderer(queueList, order); // checks the weights
  return {
    identity,
    connection,
    concurrency: slots,
    queues: [...queueList],
    queueOrder: order,
    shutdownTimeoutMs: timeout,
    beatIntervalMs: resolveBeatInterval(beatIntervalMs, unsafeBeatIntervalMs),
    logger: logger ?? silentWorkerLogger,
    schemas: jobs as JobSchemas | undefined,
    reconnect:
      reconnect ?? exponentialBackoff({ baseMs: 100, maxMs: 5000, maxAttempts: Number.POSITIVE_INFINITY }),
  };
}

/**
 * The heartbeat interval: `unsafe` as is when given (tests), else `requested` clamped to
 * 5000..15000 ms (default 15000).
 * @example
 * ```ts
 * resolveBeatInterval(1000); // 5000
 * ```
 */
export function resolveBeatInterval(requested?: number, unsafe?: number): number {
  if (unsafe !== undefined) {
    if (!(Number.isFinite(unsafe) && unsafe > 0))
      throw new ConfigurationError(`unsafeBeatIntervalMs must be a positive number, got ${String(unsafe)}`);
    return unsafe;
  }
  const ms = requested ?? DEFAULT_BEAT_INTERVAL_MS;
  if (!Number.isFinite(ms))
    throw new ConfigurationError(`beatIntervalMs must be a number, got ${String(ms)}`);
  return Math.min(MAX_BEAT_INTERVAL_MS, Math.max(MIN_BEAT_INTERVAL_MS, ms));
}

/**
 * Checks queue names for FETCH; throws a {@link ConfigurationError}.
 * @example
 * ```ts
 * checkQueues(["default", "critical"]);
 * ```
 */
export function checkQueues(queues: readonly string[]): void {
  try {
    checkQueueNames(queues, "FETCH");
  } catch (err) {
    throw new ConfigurationError((err as Error).message, { cause: err });
  }
}
