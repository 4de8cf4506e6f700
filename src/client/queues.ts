/**
 * Queue names and the QUEUE command lines (PAUSE, RESUME, REMOVE, LATENCY).
 * @module
 */
import { queueCommand, type QueueSubcommand } from "../protocol/commands.js";
import { ValidationError } from "../protocol/errors.js";
import { QUEUE_NAME_PATTERN } from "../protocol/job.js";

/** A list of queue names, or `"*"` for every queue the server knows. */
export type QueueSelection = readonly string[] | "*";

/**
 * Queues to act on: one name, a list of names, or `"*"` for every queue the server knows.
 */
export type QueueTarget = string | readonly string[];

/** Whether a target means every queue: `"*"` or `["*"]`. */
export function isAllQueues(queues: QueueTarget): queues is "*" | readonly ["*"] {
  return queues === "*" || (Array.isArray(queues) && queues.length === 1 && queues[0] === "*");
}

/** A {@link QueueTarget} as a {@link QueueSelection}: one name becomes a list of one. */
export function queueSelection(queues: QueueTarget): QueueSelection {
  return typeof queues === "string" ? (queues === "*" ? "*" : [queues]) : queues;
}

/** Throws a {@link ValidationError} unless `queues` is a non-empty list of valid queue names. */
export function assertQueueNames(queues: readonly string[], what: string): void {
  if (!Array.isArray(queues) || queues.length === 0)
    throw new ValidationError(`${what} needs one or more queue names`, "queues");
  for (const q of queues)
    if (typeof q !== "string" || !QUEUE_NAME_PATTERN.test(q))
      throw new ValidationError(
        `invalid queue name ${JSON.stringify(q)}: queue names must match [a-zA-Z0-9._-]+`,
        "queues",
      );
}

/** The `QUEUE <sub> ...` line for a selection; `"*"` (or `["*"]`) is sent as `*`, except for LATENCY. */
export function queueLine(sub: QueueSubcommand, queues: QueueSelection): string {
  if (isAllQueues(queues)) {
    if (sub === "LATENCY")
      throw new ValidationError("queue latency needs queue names; the server does not accept *", "queues");
    return queueCommand(sub, ["*"]);
  }
  assertQueueNames(queues, `QUEUE ${sub}`);
  return queueCommand(sub, queues);
}
