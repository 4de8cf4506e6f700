/**
 * Building jobs and checking them before they are sent.
 * @module
 */
import { ValidationError } from "../protocol/errors.js";
import { generateJid } from "../protocol/ids.js";
import {
  findJobProblem,
  type Job,
  MAX_RESERVE_FOR,
  MIN_JID_LENGTH,
  QUEUE_NAME_PATTERN,
} from "../protocol/job.js";
import type { JobRegistry, JobTypeOf } from "../protocol/job-types.js";
import { formatTimestamp, parseTimestamp } from "../protocol/time.js";

/**
 * When a job should run:
 * - a `Date`: at that instant;
 * - `{ in: ms }`: that many milliseconds from now (computed when the job is built);
 * - a string: an RFC 3339 timestamp, sent as given.
 *
 * A bare number is refused: it would be ambiguous between a delay and an epoch time.
 * The time is written as RFC 3339 UTC (`2026-11-28T09:42:00.229Z`). A time in the past means now.
 */
export type JobSchedule = Date | { readonly in: number } | string;

/** Optional settings of a job built by {@link createJob} or pushed by `Client.push`. */
export interface JobOptions {
  /** Queue name, `[a-zA-Z0-9._-]+` (default `"default"`). */
  queue?: string;
  /** When to run the job; see {@link JobSchedule}. */
  at?: JobSchedule;
  /** Seconds a worker may hold the job before it fails as expired: an integer, 0..86400 (0 or absent: 1800; the server raises values below 60 to 60). */
  reserveFor?: number;
  /** Retries on failure: an integer >= -1; 0 discards at the first failure, -1 goes straight to the dead set (default 25). */
  retry?: number;
  /** Lines of backtrace to keep on failure, a non-negative integer (informational). */
  backtrace?: number;
  /** Free-form extra data sent as the job's `custom` hash (keys starting with `_` are Faktory's). */
  custom?: Record<string, unknown>;
  /** The job id, at least 8 characters (default: 16 random URL-safe characters). */
  jid?: string;
  /**
   * Faktory Enterprise: seconds during which an equal job (same jobtype, args and queue) is
   * refused with {@link NotUniqueError}; a positive number (`custom.unique_for`).
   */
  uniqueFor?: number;
  /** Faktory Enterprise: when the unique lock is dropped: `"success"` (ACK, default) or `"start"` (FETCH). Needs `uniqueFor`. */
  uniqueUntil?: "success" | "start";
  /** Faktory Enterprise: a job fetched after this instant is thrown away (a `Date` or RFC 3339 text; `custom.expires_at`). */
  expiresAt?: Date | string;
  /** Faktory Enterprise: like `expiresAt`, in this many seconds from now (computed when the job is built). */
  expiresIn?: number;
  /** Faktory Enterprise: track the job's progress (`custom.track = 1`; see `client.progress`). */
  track?: boolean;
}

/** A job whose `jobtype` is known to the type system. */
export type TypedJob<T extends string, Args extends readonly unknown[]> = Job<Args> & { jobtype: T };

/**
 * Any job of a registry: for each job type `T`, a job whose `jobtype` is `T` and whose `args`
 * are `Jobs[T]`. With the untyped registry this is any {@link Job}.
 */
export type JobFor<Jobs extends JobRegistry> = {
  [T in JobTypeOf<Jobs>]: TypedJob<T, Jobs[T]>;
}[JobTypeOf<Jobs>];

/**
 * Builds a job with a fresh jid and checks it; nothing is sent.
 *
 * @throws ValidationError (with `field`) when the job would be refused.
 * @example
 * ```ts
 * const j = createJob("SendEmail", ["a@example.com"], { queue: "mail", at: { in: 60_000 } });
 * await client.push(j); // resolves to j.jid
 * ```
 */
export function createJob<const T extends string, const Args extends unknown[] | readonly unknown[]>(
  jobtype: T,
  args: Args,
  options: JobOptions = {},
): TypedJob<T, Args> {
  const job: TypedJob<T, Args> = { jid: options.jid ?? generateJid(), jobtype, args };
  if (options.queue !== undefined) job.queue = options.queue;
  if (options.at !== undefined) job.at = scheduleToTimestamp(options.at);
  if (options.reserveFor !== undefined) job.reserve_for = options.reserveFor;
  if (options.retry !== undefined) job.retry = options.retry;
  if (options.backtrace !== undefined) job.backtrace = options.backtrace;
  if (options.custom !== undefined) job.custom = options.custom;
  const enterprise = enterpriseCustom(options);
  if (enterprise !== undefined) job.custom = { ...job.custom, ...enterprise };
  assertValidJob(job);
  return job;
}

/** The `custom` keys of the Enterprise options, checked; `undefined` when none is set. */
function enterpriseCustom(options: JobOptions): Record<string, unknown> | undefined {
  const { uniqueFor, uniqueUntil, expiresAt, expiresIn, track } = options;
  if (
    uniqueFor === undefined &&
    uniqueUntil === undefined &&
    expiresAt === undefined &&
    expiresIn === undefined &&
    !track
  )
    return undefined;
  const custom: Record<string, unknown> = {};
  if (uniqueFor !== undefined) {
    if (typeof uniqueFor !== "number" || !Number.isFinite(uniqueFor) || uniqueFor <= 0)
      throw new ValidationError(
        `uniqueFor must be a positive number of seconds, got ${String(uniqueFor)}`,
        "uniqueFor",
      );
    custom.unique_for = uniqueFor;
  }
  if (uniqueUntil !== undefined) {
    if (uniqueUntil !== "success" && uniqueUntil !== "start")
      throw new ValidationError(
        `uniqueUntil must be "success" or "start", got ${String(uniqueUntil)}`,
        "uniqueUntil",
      );
    if (uniqueFor === undefined) throw new ValidationError("uniqueUntil needs uniqueFor", "uniqueUntil");
    custom.unique_until = uniqueUntil;
  }
  if (expiresAt !== undefined && expiresIn !== undefined)
    throw new ValidationError("give expiresAt or expiresIn, not both", "expiresAt");
  if (expiresAt !== undefined) {
    const ms =
      expiresAt instanceof Date
        ? expiresAt.getTime()
        : typeof expiresAt === "string"
          ? parseTimestamp(expiresAt)
          : undefined;
    if (ms === undefined || Number.isNaN(ms))
      throw new ValidationError("expiresAt must be a valid Date or an RFC 3339 timestamp", "expiresAt");
    custom.expires_at = formatTimestamp(ms);
  }
  if (expiresIn !== undefined) {
    if (typeof expiresIn !== "number" || !Number.isFinite(expiresIn) || expiresIn <= 0)
      throw new ValidationError(
        `expiresIn must be a positive number of seconds, got ${String(expiresIn)}`,
        "expiresIn",
      );
    custom.expires_at = formatTimestamp(Date.now() + expiresIn * 1000);
  }
  if (track === true) custom.track = 1;
  return custom;
}

/** Short alias of {@link createJob}. */
export const job: typeof createJob = createJob;

/** Converts a {@link JobSchedule} to the RFC 3339 text sent as `at`. */
export function scheduleToTimestamp(at: JobSchedule): string {
  if (at instanceof Date) {
    const ms = at.getTime();
    if (Number.isNaN(ms)) throw new ValidationError("`at` is an invalid Date", "at");
    return formatTimestamp(ms);
  }
  if (typeof at === "string") {
    if (parseTimestamp(at) === undefined)
      throw new ValidationError(`\`at\` must be an RFC 3339 timestamp, got ${JSON.stringify(at)}`, "at");
    return at;
  }
  if (at !== null && typeof at === "object" && typeof at.in === "number" && Number.isFinite(at.in))
    return formatTimestamp(Date.now() + at.in);
  throw new ValidationError("`at` must be a Date, an RFC 3339 string or { in: milliseconds }", "at");
}

const isInteger = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);

/**
 * Returns the first reason the job would be refused, as a {@link ValidationError}, or
 * `undefined`. Applies the server's own rules (same texts) plus stricter client-side checks:
 * the queue name is checked even for a scheduled job, `reserve_for`, `retry` and `backtrace`
 * must be integers in range, `custom` must be an object, `args` must be an array.
 */
export function findJobError(job: Job<readonly unknown[]>): ValidationError | undefined {
  if (job === null || typeof job !== "object") return new ValidationError("a job must be an object", "job");
  if (typeof job.jid !== "string")
    return new ValidationError(
      `jobs must have a reasonable jid parameter (a string of ${MIN_JID_LENGTH}+ characters)`,
      "jid",
    );
  if (typeof job.jobtype !== "string" || job.jobtype === "")
    return new ValidationError("jobs must have a jobtype parameter (a non-empty string)", "jobtype");
  if (!Array.isArray(job.args)) return new ValidationError("job args must be an array", "args");
  const problem = findJobProblem(job as Job, true);
  if (problem !== undefined) return new ValidationError(problem.message, problem.field);
  if (
    job.reserve_for !== undefined &&
    !(isInteger(job.reserve_for) && job.reserve_for >= 0 && job.reserve_for <= MAX_RESERVE_FOR)
  )
    return new ValidationError(
      `reserve_for must be an integer number of seconds from 0 (the default) to ${MAX_RESERVE_FOR}, got ${String(job.reserve_for)}`,
      "reserve_for",
    );
  if (job.retry !== undefined && !(isInteger(job.retry) && job.retry >= -1))
    return new ValidationError(`retry must be an integer >= -1, got ${String(job.retry)}`, "retry");
  if (job.backtrace !== undefined && !(isInteger(job.backtrace) && job.backtrace >= 0))
    return new ValidationError(
      `backtrace must be a non-negative integer, got ${String(job.backtrace)}`,
      "backtrace",
    );
  if (
    job.custom !== undefined &&
    (job.custom === null || typeof job.custom !== "object" || Array.isArray(job.custom))
  )
    return new ValidationError("custom must be an object", "custom");
  if (job.queue !== undefined && !QUEUE_NAME_PATTERN.test(job.queue))
    return new ValidationError(
      `invalid queue name ${JSON.stringify(job.queue)}: must match [a-zA-Z0-9._-]+`,
      "queue",
    );
  return undefined;
}

/** Throws the {@link ValidationError} of {@link findJobError}, if any. */
export function assertValidJob(job: Job<readonly unknown[]>): void {
  const error = findJobError(job);
  if (error !== undefined) throw error;
}

/** `JSON.stringify` of a job, turning an unserialisable value (a BigInt, a cycle) into a ValidationError. */
export function serializeJob(job: Job<readonly unknown[]>): string {
  try {
    return JSON.stringify(job);
  } catch (cause) {
    throw new ValidationError(
      `job ${job.jid} cannot be encoded as JSON: ${(cause as Error).message}`,
      "args",
      {
        cause,
      },
    );
  }
}
