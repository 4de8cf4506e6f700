/**
 * The job model shared by the client, the worker and the embedded server: the wire shape of a
 * job, its failure record, its defaults and limits, and the validation rules with the exact
 * texts a Faktory 1.10 server uses.
 * @module
 */
import { goQuote } from "./go-json.js";
import { parseTimestamp, timestampParseError } from "./time.js";

/** Default `retry` of a job that sets none: 25 retries, over about 21 days. */
export const DEFAULT_RETRY = 25;
/** Default reservation, in seconds (30 minutes). */
export const DEFAULT_RESERVE_FOR = 1800;
/** Shortest reservation the server grants, in seconds. */
export const MIN_RESERVE_FOR = 60;
/** Longest reservation allowed, in seconds (one day). */
export const MAX_RESERVE_FOR = 86_400;
/** Shortest jid the server accepts. */
export const MIN_JID_LENGTH = 8;
/** Queue used when a job names none. */
export const DEFAULT_QUEUE = "default";
/** What a queue name must match. */
export const QUEUE_NAME_PATTERN: RegExp = /^[a-zA-Z0-9._-]+$/;
/** How long a dead job is kept, in milliseconds (180 days). */
export const DEAD_TTL_MS = 180 * 24 * 3600 * 1000;

/** The `failure` record the server keeps on a job that has failed at least once. */
export interface JobFailure {
  /** Time of the first failure (RFC 3339). Not updated by later failures. */
  failed_at: string;
  /** When the next retry is due (RFC 3339), set when the job went to the retry set. */
  next_at?: string;
  /** Message of the latest failure. */
  message?: string;
  /** Error type of the latest failure. */
  errtype?: string;
  /** Backtrace lines of the latest failure (at most 50). */
  backtrace?: string[];
  /** 0 after the first failure, incremented on each later one. */
  retry_count: number;
  /** Retries left. */
  remaining: number;
}

/**
 * A job as it travels on the wire. `Args` is the tuple of arguments; it defaults to `unknown[]`.
 *
 * Only `jid`, `jobtype` and `args` are required; the server fills `queue`, `retry`,
 * `created_at` and `enqueued_at`.
 */
export interface Job<Args extends readonly unknown[] = unknown[]> {
  /** Unique id of the job, at least 8 characters. */
  jid: string;
  /** The job's type: which handler runs it. */
  jobtype: string;
  /** Positional arguments, any JSON values. */
  args: Args;
  /** Queue name (default `"default"`). */
  queue?: string;
  /** Retries allowed: 25 by default, 0 discards on failure, -1 sends to the dead set at once. */
  retry?: number;
  /** Seconds a worker may hold the job before it is failed as `ReservationExpired` (60..86400). */
  reserve_for?: number;
  /** When to run the job (RFC 3339); absent or past means now. */
  at?: string;
  /** Lines of backtrace to keep on failure (informational; the server keeps up to 50). */
  backtrace?: number;
  /** Free-form extra data; keys starting with `_` are reserved by Faktory. */
  custom?: Record<string, unknown>;
  /** When the job was first pushed (set by the server if absent). */
  created_at?: string;
  /** When the job was last put in a queue (set by the server). */
  enqueued_at?: string;
  /** Set by the server once the job has failed. */
  failure?: JobFailure;
}

/** A rule a job broke: the field, and the text a Faktory server uses for it. */
export interface JobProblem {
  /** Name of the field at fault. */
  field: "jid" | "jobtype" | "args" | "reserve_for" | "at" | "queue" | "retry" | "custom" | "job";
  /** The message, as the reference server words it where it has a rule. */
  message: string;
}

/**
 * Checks a job against the rules a Faktory 1.10 server applies on PUSH, in the server's order,
 * and returns the first problem (with the server's exact text), or `undefined` when it passes.
 * `checkQueue` is false for a scheduled job, whose queue the server checks only when it is due.
 */
export function findJobProblem(job: Partial<Job>, checkQueue = true): JobProblem | undefined {
  // Go's len() counts UTF-8 bytes.
  if (typeof job.jid !== "string" || Buffer.byteLength(job.jid, "utf8") < MIN_JID_LENGTH)
    return { field: "jid", message: "jobs must have a reasonable jid parameter" };
  if (typeof job.jobtype !== "string" || job.jobtype === "")
    return { field: "jobtype", message: "jobs must have a jobtype parameter" };
  if (job.args === undefined || job.args === null)
    return { field: "args", message: "jobs must have an args parameter" };
  if (typeof job.reserve_for === "number" && job.reserve_for > MAX_RESERVE_FOR)
    return { field: "reserve_for", message: "jobs cannot be reserved for more than one day" };
  if (typeof job.at === "string" && job.at !== "" && parseTimestamp(job.at) === undefined)
    return {
      field: "at",
      message: `invalid timestamp for 'at': ${JSON.stringify(job.at)}: ${timestampParseError(job.at)}`,
    };
  if (checkQueue) {
    const queue = job.queue === undefined || job.queue === "" ? DEFAULT_QUEUE : job.queue;
    const problem = queueNameProblem(queue);
    if (problem !== undefined) return { field: "queue", message: problem };
  }
  return undefined;
}

/**
 * Why the reference's storage refuses a queue name (`GetQueue`), or `undefined` when it is
 * valid: `queue name cannot be blank` or `queue names must match \\A[a-zA-Z0-9._-]+\\z`. This
 * bare text is MUTATE requeue's error.
 */
export function queueStoreProblem(queue: string): string | undefined {
  if (queue === "") return "queue name cannot be blank";
  if (!QUEUE_NAME_PATTERN.test(queue)) return "queue names must match \\A[a-zA-Z0-9._-]+\\z";
  return undefined;
}

/**
 * PUSH's error text for a bad queue name (`cannot get "<queue>" queue: queue names must match
 * …`, the name quoted as Go's `%q` does), or `undefined` when the name is valid. A blank name
 * gives the bare `queue name cannot be blank`.
 */
export function queueNameProblem(queue: string): string | undefined {
  const problem = queueStoreProblem(queue);
  if (problem === undefined || queue === "") return problem;
  return `cannot get ${goQuote(queue)} queue: ${problem}`;
}

/**
 * Why the scheduler cannot enqueue a due job (scheduled or retry) whose queue is invalid, worded
 * as the reference logs it after `Unable to process timed job: `; `undefined` when it can.
 */
export function timedJobProblem(queue: string): string | undefined {
  const problem = queueStoreProblem(queue);
  if (problem === undefined) return undefined;
  const q = goQuote(queue);
  return `cannot push job to ${q} queue: cannot get ${q} queue: ${problem}`;
}

/** The reservation the server actually grants for a job's `reserve_for` (clamped to 60..86400). */
export function effectiveReserveFor(reserveFor: number | undefined): number {
  // As manager/working.go: only 0 means the default; a negative value is below the minimum.
  if (reserveFor === undefined || reserveFor === 0 || Number.isNaN(reserveFor)) return DEFAULT_RESERVE_FOR;
  if (reserveFor < MIN_RESERVE_FOR) return MIN_RESERVE_FOR;
  if (reserveFor > MAX_RESERVE_FOR) return MAX_RESERVE_FOR;
  return Math.floor(reserveFor);
}

/**
 * Seconds until the next retry after a failure, Faktory's formula:
 * `count^4 + 15 + rand(30) * (count + 1)`, where `count` is the updated `retry_count`.
 * `random` returns an integer in [0, 30); it is injectable for tests.
 */
export function retryBackoffSeconds(
  count: number,
  random: () => number = () => Math.floor(Math.random() * 30),
): number {
  return count ** 4 + 15 + random() * (count + 1);
}
