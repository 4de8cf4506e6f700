/**
 * Queue names and the QUEUE command lines (PAUSE, RESUME, REMOVE, LATENCY).
 * @module
 */
import { queueCommand, type QueueSubcommand } from "../protocol/commands.js";
import { ValidationError } from "../protocol/errors.js";
import { QUEUE_NAME_PATTERN } from "../protocol/job.js";

/** A list of queue names, or `"*"` for every queue the server knows. */
export type QueueSelection = readonly string[] | "*";

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
  if (queues === "*" || (Array.isArray(queues) && queues.length === 1 && queues[0] === "*")) {
    if (sub === "LATENCY")
      throw new ValidationError("queue latency needs queue names; the server does not accept *", "queues");
    return queueCommand(sub, ["*"]);
  }
  assertQueueNames(queues, `QUEUE ${sub}`);
  return queueCommand(sub, queues);
}
