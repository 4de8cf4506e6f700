/**
 * What a failure does to a job (FAIL and reservation expiry): the cleansed failure details,
 * the job's updated `failure` record, and where it goes next — discarded (`retry` 0), the
 * retry set (retries left, at Faktory's backoff) or the dead set.
 * @module
 */
import {
  DEAD_TTL_MS,
  FAIL_LIMITS,
  formatTimestamp,
  type JobFailure,
  retryBackoffSeconds,
  truncateUtf8,
} from "../protocol/index.js";
import type { FailOutcome } from "./extension.js";
import type { ServerJob } from "./jobs/job-codec.js";

/** What a failure records: the cleansed FAIL payload or a reservation expiry. */
export interface FailureDetails {
  /** Error kind. */
  errtype: string;
  /** Error message. */
  message: string;
  /** Backtrace lines (at most 50). */
  backtrace: string[];
}

/**
 * FAIL's `cleanse()`: trim, default empty texts to `"unknown"`, cut `errtype` to 100 bytes,
 * `message` to 1000 bytes and the backtrace to 50 lines.
 */
export function cleanseFailure(
  errtype: string,
  message: string,
  backtrace: readonly string[],
): FailureDetails {
  const type = errtype.trim();
  const msg = message.trim();
  return {
    errtype: truncateUtf8(type === "" ? "unknown" : type, FAIL_LIMITS.errtypeBytes),
    message: truncateUtf8(msg === "" ? "unknown" : msg, FAIL_LIMITS.messageBytes),
    backtrace: backtrace.slice(0, FAIL_LIMITS.backtraceLines),
  };
}

/**
 * Records a failure on `job` (its `failure` is replaced) and decides where it goes: `at` is
 * when the retry runs (`"retry"`, and `failure.next_at` is set) or when the dead job is purged.
 * `random` gives an integer in [0, 30) for the backoff.
 */
export function applyFailure(
  job: ServerJob,
  details: FailureDetails,
  now: number,
  random: () => number,
): { outcome: FailOutcome; at: number } {
  let failure: JobFailure;
  if (job.failure === undefined) {
    failure = { failed_at: formatTimestamp(now), retry_count: 0, remaining: job.retry };
  } else {
    failure = { ...job.failure, retry_count: job.failure.retry_count + 1 };
    if (failure.remaining > 0) failure.remaining--;
  }
  failure.message = details.message;
  failure.errtype = details.errtype;
  if (details.backtrace.length > 0) failure.backtrace = details.backtrace;
  else delete failure.backtrace;
  job.failure = failure;
  if (job.retry === 0) return { outcome: "discarded", at: now };
  if (failure.retry_count < job.retry) {
    const at = now + retryBackoffSeconds(failure.retry_count, random) * 1000;
    failure.next_at = formatTimestamp(at);
    return { outcome: "retry", at };
  }
  return { outcome: "dead", at: now + DEAD_TTL_MS };
}
